"""Seed 003's media endpoints: waveform peaks of audio (and of a video's audio track),
the audio proxy, and video metadata.

Media values are project paths (served under the `paths` rules) or http(s) URLs fetched by
the server through `net.safe_fetch` (public addresses only unless `media.allow_fetch_hosts`
names the host). Media that cannot be decoded is a 422 with a message, never a 500.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    jsonify,
    redirect,
    request,
    send_file,
    stream_with_context,
    url_for,
)

from ..app_path import app_path
from ..errors import BadRequest, NotFound
from ..media import spectrogram, video, waveform
from ..media.paths import media_kind
from ..media.sources import AUDIO_TYPES, VIDEO_TYPES, fetch_policy, local_media, project_relpath
from ..net.safe_fetch import open_stream
from .security import current_project, require_user

bp = Blueprint("media_api", __name__)


def _url_field(*names: str) -> str:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        body = {}
    for name in names:
        value = body.get(name) or request.args.get(name)
        if value:
            if not isinstance(value, str):
                raise BadRequest(f"{name} must be a string")
            return value
    raise BadRequest(f"give {names[0]!r} in the JSON body")


def _waveform_answer(value: str, accept: tuple[str, ...]) -> Response:
    config = current_project().config
    directory = waveform.cache_dir(config.output_dir)
    with local_media(config, value, accept) as path:
        key = waveform.waveform_key(path, directory)
    return jsonify({"cache_key": key, "waveform_url": app_path(f"/api/waveform/{key}")})


@bp.post("/api/waveform/generate")
def generate_waveform() -> Response:
    require_user()
    return _waveform_answer(_url_field("audio_url", "url"), AUDIO_TYPES)


@bp.post("/api/video/waveform/generate")
def generate_video_waveform() -> Response:
    require_user()
    return _waveform_answer(_url_field("video_url", "url"), VIDEO_TYPES)


@bp.get("/api/waveform/<cache_key>")
def get_waveform(cache_key: str) -> Response:
    require_user()
    config = current_project().config
    path = waveform.cached_file(waveform.cache_dir(config.output_dir), cache_key)
    if path is None:
        raise NotFound("no waveform with this cache key; POST /api/waveform/generate first")
    response = send_file(path, mimetype="application/json", conditional=True, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


@bp.post("/api/spectrogram/generate")
def generate_spectrogram() -> Response:
    """The spectrogram image of an audio file and its axes, with the settings of the scheme
    named `schema` (its `spectrogram_settings`), computed once and cached."""
    require_user()
    config = current_project().config
    body = request.get_json(silent=True)
    name = body.get("schema") if isinstance(body, dict) else request.args.get("schema")
    settings = {}
    if name is not None:
        scheme = config.scheme(name) if isinstance(name, str) else None
        if scheme is None or not hasattr(scheme, "spectrogram_settings"):
            raise NotFound(f"no spectrogram scheme named {name!r}")
        settings = scheme.spectrogram_settings
    directory = spectrogram.cache_dir(config.output_dir)
    with local_media(config, _url_field("audio_url", "url"), AUDIO_TYPES) as path:
        key, meta = spectrogram.spectrogram_key(path, settings, directory)
    image_url = url_for("media_api.spectrogram_image", cache_key=key)
    return jsonify({"cache_key": key, "image_url": image_url, **meta})


@bp.get("/api/spectrogram/<cache_key>.png")
def spectrogram_image(cache_key: str) -> Response:
    require_user()
    config = current_project().config
    path = spectrogram.cached(spectrogram.cache_dir(config.output_dir), cache_key, ".png")
    if path is None:
        raise NotFound("no spectrogram with this key; POST /api/spectrogram/generate first")
    response = send_file(path, mimetype="image/png", conditional=True, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


@bp.route("/api/video/metadata", methods=["GET", "POST"])
def video_metadata() -> Response:
    require_user()
    config = current_project().config
    with local_media(config, _url_field("video_url", "url"), VIDEO_TYPES) as path:
        return jsonify(video.video_metadata(path))


@bp.get("/api/audio/proxy")
def audio_proxy() -> Response:
    """Streams a remote audio file through the safe fetcher (for players that need it on
    this origin); a project path is redirected to its `/project_files/` URL."""
    require_user()
    url = request.args.get("url", "")
    if not url:
        raise BadRequest("give the audio URL as ?url=")
    if media_kind(url) != "remote":
        relpath = project_relpath(url)
        if relpath is None:
            raise BadRequest("the url must be an http(s) URL or a project media path")
        return redirect(app_path(f"/project_files/{relpath}"), code=302)
    stream = open_stream(url, fetch_policy(current_project().config, AUDIO_TYPES))

    def body():
        with stream:
            yield from stream.chunks()

    response = Response(stream_with_context(body()), mimetype=stream.content_type)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/api/item_eaf/<instance_id>")
def item_eaf(instance_id: str) -> Response:
    """The caller's time-aligned annotations of one item (audio/video segments, tiers,
    transcripts, episode phases...) as one ELAN EAF file to download."""
    from ..export.timeline_formats import eaf_of_item
    from .tracking import own_item

    user = require_user()
    project = current_project()
    item = own_item(user, instance_id)
    maps = project.store.annotations.maps_for(item.seq, user.user_id)
    text = eaf_of_item(project, instance_id, user.username, item.text or "", maps)
    if "<TIER " not in text:
        raise NotFound("you have no time-aligned annotations on this item")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in instance_id)[:100]
    return Response(
        text,
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{safe}.eaf"'},
    )
