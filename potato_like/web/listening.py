"""Blinded stimuli of listening tests, at Potato's URLs.

`GET /api/listening/plan?schema=<name>&instance_id=<id>` — the page's view of the trial:
method, slot names and opaque audio URLs, scale; never a condition or a file name.
`GET /api/listening/audio/<schema>/<instance_id>/<slot>` — one stimulus (`ref` is the open
reference): a project file sent with no ETag, Last-Modified or file name and, for WAV,
padded to a random length (media/blind_audio.py); a generated low-pass anchor; a remote URL
is redirected to (which names it in the browser's network log: use project files for blind
tests). Both need a signed-in annotator to whom the item is assigned.
"""

from __future__ import annotations

import mimetypes

from flask import Blueprint, Response, jsonify, redirect, request, url_for

from ..errors import BadRequest, NotFound
from ..media.blind_audio import AnchorError, anchor_wav, blinded_bytes
from ..media.paths import media_kind, safe_project_file
from ..media.sources import project_relpath
from .api import visible_item
from .security import current_project, require_user

bp = Blueprint("listening", __name__)


class Unplayable(BadRequest):
    status = 422


def _trial(schema: str, instance_id: str):
    user = require_user()
    project = current_project()
    scheme = project.config.scheme(schema)
    if scheme is None or not getattr(scheme, "blinded_stimuli", False):
        raise NotFound(f"no listening test named {schema!r}")
    item = visible_item(user, instance_id)
    fields = {project.config.item_properties.text_key: item.text, **item.fields}
    page = scheme.for_page(fields, user.username, item.id, project.config.random_seed)
    plan = scheme.plan(fields, user.username, item.id, project.config.random_seed)
    return scheme, page, plan


@bp.get("/api/listening/plan")
def listening_plan() -> Response:
    schema = request.args.get("schema", "")
    instance_id = request.args.get("instance_id", "")
    if not schema or not instance_id:
        raise BadRequest("give ?schema=<name>&instance_id=<id>")
    _scheme, page, _plan = _trial(schema, instance_id)

    def slot_url(slot: str) -> str:
        return url_for(".listening_audio", schema=schema, instance_id=instance_id, slot=slot)

    response = jsonify(page.client_view(slot_url))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/listening/audio/<schema>/<path:instance_id>/<slot>")
def listening_audio(schema: str, instance_id: str, slot: str) -> Response:
    scheme, _page, plan = _trial(schema, instance_id)
    source = scheme.slot_source(plan, slot)
    if not source:
        raise NotFound("no such slot in this trial")
    config = current_project().config
    if isinstance(source, dict):
        found = _project_file(source["of"])
        try:
            path = anchor_wav(
                found, int(source["anchor_hz"]), config.output_dir / "listening_cache"
            )
        except AnchorError as exc:
            raise Unplayable(str(exc)) from None
    elif media_kind(source) == "remote":
        return redirect(source, code=302)
    else:
        path = _project_file(source)
    response = Response(
        blinded_bytes(path), mimetype=mimetypes.guess_type(path.name)[0] or "audio/wav"
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _project_file(value: str):
    relpath = project_relpath(value)
    found = safe_project_file(current_project().config, relpath) if relpath else None
    if found is None:
        raise NotFound("the stimulus is not a media file of this project")
    return found[0]
