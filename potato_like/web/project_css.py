"""`/project.css`: the project's own stylesheet (`base_css` and the schemes' `custom_css`),
sanitised when the config loads (config/project_css.py). Served as a file because the
Content-Security-Policy allows `style-src 'self'` only. No path in the URL: nothing but this
one stylesheet can be asked for. Public, like the app's own CSS: the login page uses it too."""

from __future__ import annotations

from flask import Blueprint, Response

from ..errors import NotFound
from .security import current_project

bp = Blueprint("project_css", __name__)


@bp.get("/project.css")
def stylesheet() -> Response:
    css = current_project().config.project_css
    if css is None:
        raise NotFound("this project has no stylesheet of its own")
    response = Response(css.text, mimetype="text/css")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
