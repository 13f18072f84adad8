"""Paths on the project's own site. A project served inside a workspace (run.py DIR) lives
under `/p/<slug>`: the WSGI dispatcher puts that prefix in SCRIPT_NAME, and every path the
server hands to a page (in HTML or JSON) must carry it, as `url_for` does."""

from __future__ import annotations

from flask import has_request_context, request


def app_path(path: str) -> str:
    """`path` (starting with "/") under the current request's mount point, if any."""
    if not has_request_context():
        return path
    return request.script_root + path


def site_path(path: str) -> str:
    """The inverse of `app_path`: a path a page sent back (a media `src` it was given),
    without the mount point, as the app's own routes see it. Other values pass unchanged."""
    if not isinstance(path, str) or not has_request_context() or not request.script_root:
        return path
    root = request.script_root
    return path[len(root) :] if path.startswith(root + "/") else path
