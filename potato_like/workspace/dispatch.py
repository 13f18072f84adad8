"""Mounting projects at `/p/<slug>/`: a WSGI dispatcher in front of the root app, and what
each project's app gets for living under a prefix (its own cookie, the status check).

The dispatcher moves `/p/<slug>` from PATH_INFO to SCRIPT_NAME, so inside the project's app
`request.path` is what it always was and `url_for`, redirects and `request.script_root`
carry the prefix by themselves. It looks the slug up on the Workspace at every request, so
projects created or deleted while the server runs are found or gone at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, request

from ..web.errors import error_response
from ..web.security import CREDENTIAL_ENDPOINTS, SAFE_METHODS

if TYPE_CHECKING:
    from .workspace import Workspace

MOUNT = "/p/"
# Paths that stay open while a project is paused: its admins keep working.
ADMIN_PATHS = ("/admin", "/api/v1", "/static", "/health", "/adjudicate")
# What an archived (read-only) project still accepts besides reading: signing in and out.
# (No new accounts: registering writes.)
ARCHIVED_WRITABLE = (CREDENTIAL_ENDPOINTS - {"auth.register"}) | {"dashboard.admin_logout"}


class Dispatcher:
    def __init__(self, root_wsgi, workspace: Workspace) -> None:
        self.root_wsgi = root_wsgi
        self.workspace = workspace

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(MOUNT):
            slug, slash, rest = path[len(MOUNT) :].partition("/")
            app = self.workspace.app_for(slug)
            if app is not None:
                script = environ.get("SCRIPT_NAME", "") + MOUNT + slug
                if not slash:  # /p/<slug> -> /p/<slug>/ (the session cookie's path)
                    query = environ.get("QUERY_STRING", "")
                    location = script + "/" + (f"?{query}" if query else "")
                    start_response("308 Permanent Redirect", [("Location", location)])
                    return [b""]
                environ = {**environ, "SCRIPT_NAME": script, "PATH_INFO": "/" + rest}
                return app.wsgi_app(environ, start_response)
        return self.root_wsgi(environ, start_response)


def install_project_hooks(app: Flask, workspace: Workspace, slug: str) -> None:
    """A project's app inside the workspace: its own session cookie (name and path), the
    workspace for API key checks, and answers that follow the project's status."""
    app.config.update(
        SESSION_COOKIE_NAME=f"potato_like_{slug}",
        SESSION_COOKIE_PATH=f"{MOUNT}{slug}/",
    )
    app.extensions["potato_like_workspace"] = workspace
    from ..services.jtheta import invites as jtheta_invites  # seed 000: invite links, review

    app.register_blueprint(jtheta_invites.bp)

    def follow_status():
        status = workspace.status(slug)
        if status == "paused" and not request.path.startswith(ADMIN_PATHS):
            return error_response(
                "This project is paused: annotation will resume when its admins restart it.",
                503,
                retry_after=300,
            )
        if (
            status == "archived"
            and request.method not in SAFE_METHODS
            and request.endpoint not in ARCHIVED_WRITABLE
        ):
            return error_response("This project is archived: it is read-only.", 403)
        return None

    # After the trusted-hosts check, before everything that would do work for the request.
    funcs = app.before_request_funcs.setdefault(None, [])
    first = funcs[0].__name__ if funcs else ""
    funcs.insert(1 if first == "refuse_untrusted_host" else 0, follow_status)
