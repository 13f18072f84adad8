"""3-D volumes of project files, at Potato's URL (`GET /media/volume/<path>`).

`?info=1`: `{shape: [nI, nJ, nK], spacing, kind, window: {center, width}}`;
`?axis=axial|coronal|sagittal&index=N&wc=&ww=`: one slice as an 8-bit PNG after the window
(centre `wc`, width `ww`; the volume's 1st-99th percentile by default). The path names a
NIfTI file or a DICOM series directory in the project directory (or its `media/` folder),
under the project media guard (no `..`, nothing outside, nothing hidden, not the output
folder). Signed-in users only: slices are patient images. Unreadable volumes are a 422; a
server without nibabel/pydicom answers 501 naming the `volume` extra.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..errors import BadRequest, NotFound
from ..media.paths import project_root
from ..media.volumes import (
    VolumeCache,
    VolumeError,
    default_window,
    find_volume,
    missing_libraries,
    render_png,
)
from .security import current_project, require_user

bp = Blueprint("volume_media", __name__)


class Unprocessable(BadRequest):
    status = 422


class NotInstalled(BadRequest):
    status = 501


@bp.get("/media/volume/<path:filepath>")
def volume(filepath: str):
    require_user()
    missing = missing_libraries()
    if missing:
        raise NotInstalled(f"volumes need {', '.join(missing)}: pip install 'potato-like[volume]'")
    project = current_project()
    path = find_volume(project_root(project.config), filepath, project.config.output_dir)
    if path is None:
        raise NotFound("no such volume")
    try:
        vol = project.cache("volumes", VolumeCache).get(path)
        window = default_window(vol)
        if request.args.get("info") in ("1", "true", "yes"):
            return jsonify(
                shape=list(vol.shape), spacing=list(vol.spacing), kind=vol.kind, window=window
            )
        axis = request.args.get("axis", "axial")
        try:
            index = int(request.args.get("index", "0"))
        except ValueError:
            raise BadRequest("'index' must be a whole number") from None
        center = _number("wc", window["center"])
        width = _number("ww", window["width"])
        if width <= 0:
            raise BadRequest("'ww' (window width) must be more than 0")
        png = render_png(vol, axis, index, center, width)
    except VolumeError as exc:
        raise Unprocessable(str(exc)) from None
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _number(name: str, default: float) -> float:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a number") from None
    if value != value or abs(value) == float("inf"):
        raise BadRequest(f"'{name}' must be a finite number")
    return value
