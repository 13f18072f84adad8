"""Finding the API key a request presents: in the server's own store, and, for a project
served inside a workspace (run.py DIR), in the workspace's store too, so that workspace keys
work on every project's admin and API routes within their project restriction."""

from __future__ import annotations

from flask import current_app, request

from ..api_keys import ApiKey, presented_key
from ..errors import Unauthorized


def find_key(key: str) -> ApiKey | None:
    """The unrevoked record of `key` (its use noted), or None."""
    record = current_app.extensions["potato_like"].store.api_keys.find(key)
    if record is None:
        workspace = current_app.extensions.get("potato_like_workspace")
        if workspace is not None:
            record = workspace.store.api_keys.find(key)
    return record


def presented_record(how: str, key: str | None = None) -> ApiKey | None:
    """The record of the key the request presents (or of `key`), checked under the wrong-key
    rate limit: 401 without a key (the message says `how` to send one) or with a wrong one,
    429 after too many wrong keys from one address. None: the project's own admin key from
    its config, which has no record."""
    key = key or presented_key(request.headers)
    if not key:
        raise Unauthorized(f"API key required: {how}")
    found: dict = {}

    def stored(candidate: str) -> bool:
        found["key"] = find_key(candidate)
        return found["key"] is not None

    if not current_app.extensions["potato_like_limits"].check_admin_key(key, also=stored):
        raise Unauthorized("invalid or revoked API key")
    return found.get("key")


def get_key(key_id: str) -> ApiKey | None:
    """A key's record by id, from the same stores as `find_key` (revoked ones too)."""
    record = current_app.extensions["potato_like"].store.api_keys.get(key_id)
    if record is None:
        workspace = current_app.extensions.get("potato_like_workspace")
        if workspace is not None:
            record = workspace.store.api_keys.get(key_id)
    return record


def key_project() -> str | None:
    """The project a key must be allowed on here: this project's slug inside a workspace;
    None on a single-project server and at a workspace's root."""
    if current_app.extensions.get("potato_like_workspace") is None:
        return None
    return current_app.extensions["potato_like"].slug


def allows(record: ApiKey, scope: str) -> bool:
    return record.allows(scope, key_project())
