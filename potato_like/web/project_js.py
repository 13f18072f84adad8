"""`/project.js`: the project's `customjs` file (config/project_js.py), for logged-in users.
A file route (the Content-Security-Policy is `script-src 'self'`); no path in the URL."""

from __future__ import annotations

from flask import Blueprint, Response

from ..errors import NotFound
from .security import current_project, require_user

bp = Blueprint("project_js", __name__)


@bp.get("/project.js")
def script() -> Response:
    require_user()
    js = current_project().config.project_js
    if js is None:
        raise NotFound("this project has no script of its own")
    response = Response(js.text, mimetype="text/javascript")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
