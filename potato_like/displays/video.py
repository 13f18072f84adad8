"""`video`: an HTML5 video player (project files are served with Range support)."""

from __future__ import annotations

from typing import Any

from .base import Display, Option, styles
from .registry import register


@register("video")
class Video(Display):
    description = "A video player for an http(s) URL, site path or project file"
    options = {
        "max_width": Option(None, "length"),
        "max_height": Option(None, "length"),
        "controls": Option(True),
        "autoplay": Option(False),
        "loop": Option(False),
        "muted": Option(False),
    }

    def view(self, value: Any, options, context) -> dict:
        return {
            "src": context.media_url(value),
            "raw": value if isinstance(value, str) else "",
            "controls": options["controls"],
            # Browsers play automatically only when muted.
            "autoplay": options["autoplay"],
            "muted": options["muted"] or options["autoplay"],
            "loop": options["loop"],
            "styles": styles(maxWidth=options["max_width"], maxHeight=options["max_height"]),
        }
