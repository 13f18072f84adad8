"""Project media files: relative media paths in items are served from the project directory.

`/project_files/<path>` serves a file under the config's directory, `/media/<path>` one under
its `media/` folder (Potato's URL for local media). Only logged-in users, only known media
types, never outside the directory (no `..`, no absolute paths, no symlinks out), never hidden
files or the annotation output. Range requests work (audio and video seek). PDFs may be
framed by this site (the `pdf` display); other files keep the default "never framed".
Files named by item fields a scheme keeps private (a listening test's stimuli) are refused to
annotators (media/private_media.py).
"""

from __future__ import annotations

from flask import Blueprint, send_file
from werkzeug.wrappers import Response

from ..errors import NotFound
from ..media.paths import safe_project_file
from ..media.private_media import PrivateMedia
from .headers import embedding_origins
from .security import current_project, require_user

bp = Blueprint("media", __name__)


@bp.get("/project_files/<path:relpath>")
def project_file(relpath: str) -> Response:
    return _send(relpath)


@bp.get("/media/<path:relpath>")
def media_file(relpath: str) -> Response:
    return _send(f"media/{relpath}")


def _send(relpath: str) -> Response:
    user = require_user()
    project = current_project()
    found = safe_project_file(project.config, relpath)
    if found is not None and not user.is_admin:
        private = project.cache("private_media", lambda: PrivateMedia(project))
        if private.is_private(found[0]):
            found = None  # a blind trial's file: only through its opaque URL
    if found is None:
        # One answer for "outside", "not a media type" and "missing": no probing.
        raise NotFound("no such media file")
    path, content_type = found
    response = send_file(path, mimetype=content_type, conditional=True, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    if content_type == "application/pdf":
        # The `pdf` display frames the file on the annotation page (this site, and the
        # sites allowed to frame the page); everything else keeps the default headers.
        framers = " ".join(("'self'", *embedding_origins(current_project().config)))
        response.headers["Content-Security-Policy"] = f"frame-ancestors {framers}"
        if not embedding_origins(current_project().config):
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
