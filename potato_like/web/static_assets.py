"""Static files (CSS, JS, icons) with their content hash in the URL, cached for a year.

Every `url_for("static", filename=...)` gets `?v=<first 12 hex digits of the file's SHA-256>`
added (`app.url_defaults`), so a page links the exact bytes it was written for. A request
whose `v` matches the file's current hash is answered with `Cache-Control: public,
max-age=31536000, immutable`: the browser does not ask again while it keeps the file, and a
changed file gets a new URL. Without `v`, or with a stale one, the answer says `no-cache`
(revalidate with the ETag), so old links still get correct, fresh bytes.

The hash is computed once per file version (keyed by path, size and mtime), so editing a file
in a checkout changes its URL without a restart.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

YEAR_SECONDS = 365 * 24 * 3600
HASH_CHARS = 12
PARAM = "v"


class AssetHashes:
    """File name under the static folder -> its content hash (thread-safe cache)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self._lock = threading.Lock()
        self._known: dict[str, tuple[tuple[int, int], str]] = {}

    def hash_of(self, filename: str) -> str | None:
        path = (self.root / filename).resolve()
        if not path.is_relative_to(self.root):
            return None
        try:
            stat = path.stat()
        except OSError:
            return None
        version = (stat.st_size, stat.st_mtime_ns)
        with self._lock:
            known = self._known.get(filename)
        if known and known[0] == version:
            return known[1]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_CHARS]
        with self._lock:
            self._known[filename] = (version, digest)
        return digest


def install(app: Flask) -> None:
    hashes = AssetHashes(app.static_folder or "static")
    app.extensions["potato_like_assets"] = hashes

    @app.url_defaults
    def add_content_hash(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or PARAM in values or "filename" not in values:
            return
        digest = hashes.hash_of(values["filename"])
        if digest:
            values[PARAM] = digest

    @app.after_request
    def cache_static(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 206, 304):
            return response
        filename = (request.view_args or {}).get("filename", "")
        asked = request.args.get(PARAM)
        if asked and asked == hashes.hash_of(filename):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR_SECONDS
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        else:
            response.cache_control.max_age = None
            response.cache_control.no_cache = True
        return response
