"""Deep Zoom tiles of project images, at Potato's URLs.

`GET /media/tiles/<path>.dzi` answers the DZI descriptor (XML; `?format=json` the same
geometry as JSON); `GET /media/tiles/<path>_files/<level>/<col>_<row>.jpg` one tile, built
with its whole level on first request (media/tiles.py) and cached under the output
directory. `<path>` is the item's image path inside the project; the same guard as project
media applies (logged-in users, no `..`, no symlinks out, no hidden files). The tile size,
overlap and pixel ceiling are the `tiles` options of the project's image schemes (the first
that sets them), else 254, 1 and 640,000,000. A tile outside the pyramid is a 404; an image
that cannot be tiled (unreadable, too many pixels) a 415 naming the problem.
"""

from __future__ import annotations

from flask import Blueprint, request, send_file
from werkzeug.wrappers import Response

from ..errors import BadRequest, NotFound
from ..media.images import UnreadableImage
from ..media.paths import in_media_dir, project_root, safe_project_file
from ..media.tiles import (
    DEFAULT_MAX_PIXELS,
    DEFAULT_OVERLAP,
    DEFAULT_TILE_SIZE,
    TILE_FORMAT,
    Pyramid,
    TileError,
    image_size,
    tile_file,
)
from .security import current_project, require_user

bp = Blueprint("image_tiles", __name__)

TILE_DIR = ".image_tiles"


class Unsupported(BadRequest):
    """The file is an image the tiler cannot use."""

    status = 415


def tile_settings() -> dict[str, int]:
    for scheme in current_project().config.schemes:
        settings = getattr(scheme, "tile_settings", None)
        if settings:
            return dict(settings)
    return {
        "tile_size": DEFAULT_TILE_SIZE,
        "overlap": DEFAULT_OVERLAP,
        "max_pixels": DEFAULT_MAX_PIXELS,
    }


def _pyramid(filepath: str):
    require_user()
    config = current_project().config
    found = safe_project_file(config, in_media_dir(project_root(config), filepath))
    if found is None or not found[1].startswith("image/"):
        raise NotFound("no such image")
    settings = tile_settings()
    try:
        width, height = image_size(found[0], settings["max_pixels"])
    except (TileError, UnreadableImage) as exc:
        raise Unsupported(str(exc)) from exc
    return found[0], Pyramid(width, height, settings["tile_size"], settings["overlap"])


@bp.get("/media/tiles/<path:filepath>.dzi")
def descriptor(filepath: str):
    _source, pyramid = _pyramid(filepath)
    if (request.args.get("format") or "dzi").lower() == "json":
        return pyramid.as_json()
    return Response(pyramid.dzi(), mimetype="application/xml")


@bp.get("/media/tiles/<path:filepath>_files/<int:level>/<int:column>_<int:row>.<ext>")
def tile(filepath: str, level: int, column: int, row: int, ext: str) -> Response:
    if ext != TILE_FORMAT:
        raise NotFound(f"tiles are .{TILE_FORMAT}")
    source, pyramid = _pyramid(filepath)
    try:
        path = tile_file(
            current_project().config.output_dir / TILE_DIR, source, pyramid, level, column, row
        )
    except TileError as exc:
        raise NotFound(str(exc)) from exc
    except UnreadableImage as exc:
        raise Unsupported(str(exc)) from exc
    response = send_file(path, mimetype="image/jpeg", conditional=True, max_age=86400)
    # named by the source's path, size and mtime: a changed image gets new tiles
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
