"""`depth_map`: a depth map coloured on the server (media/depth.py) with a near/far window,
a colormap, an optional RGB frame under it and a readout in metres.

The item value is a project path to a 16-bit PNG (`depth_scale` metres per unit, default
0.001) or a float `.npy` (metres). `rgb_field` names another display field whose image is
shown under the depth at `overlay_opacity`. The readout follows the pointer, or a crosshair
moved with the arrow keys when the map has focus.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from ..app_path import app_path
from ..media.depth import COLORMAPS
from ..media.paths import media_kind, relative_media_path
from .base import Display, Option, styles
from .registry import register


@register("depth_map")
class DepthMap(Display):
    description = "A depth map: colormap, near/far window, RGB overlay and a metre readout"
    options = {
        "depth_scale": Option(None, "raw"),
        "colormap": Option("turbo", "choice", COLORMAPS),
        "invert": Option(False),
        "rgb_field": Option(None, "str"),
        "overlay_opacity": Option(0.75, "raw"),
        "max_height": Option(None, "length"),
        "show_controls": Option(True),
    }

    def view(self, value: Any, options, context) -> dict:
        rel = relative_media_path(value.strip()) if isinstance(value, str) else None
        if rel is None and isinstance(value, str) and value.startswith("/media/"):
            rel = relative_media_path(value[len("/media/") :])
        if rel is None or media_kind(value) not in ("project", "site"):
            return {"src": None, "raw": value if isinstance(value, str) else ""}
        scale = options["depth_scale"]
        query = {"scale": scale} if isinstance(scale, (int, float)) and scale > 0 else {}
        opacity = options["overlay_opacity"]
        return {
            "src": app_path(f"/media/depth/{quote(rel)}"),
            "query": urlencode(query),
            "config": {
                "base": app_path(f"/media/depth/{quote(rel)}"),
                "scale": query.get("scale"),
                "colormap": options["colormap"],
                "invert": options["invert"],
                "rgb_field": options["rgb_field"],
                "opacity": opacity
                if isinstance(opacity, (int, float)) and 0 <= opacity <= 1
                else 0.75,
            },
            "colormaps": COLORMAPS,
            "controls": options["show_controls"],
            "raw": value,
            "styles": styles(maxHeight=options["max_height"]),
        }
