"""`image`: one picture from a URL or a file in the project directory."""

from __future__ import annotations

from typing import Any

from .base import Display, Option, styles
from .registry import register

OBJECT_FIT = ("contain", "cover", "fill", "none", "scale-down")


@register("image")
class Image(Display):
    description = "An image (http(s) URL, site path or project file); click to zoom"
    options = {
        "max_width": Option(None, "length"),
        "max_height": Option(None, "length"),
        "zoomable": Option(True),
        "alt_text": Option("", "str"),
        "object_fit": Option(None, "choice", OBJECT_FIT),
    }

    def view(self, value: Any, options, context) -> dict:
        return {
            "src": context.media_url(value, image=True),
            "raw": value if isinstance(value, str) else "",
            "alt": options["alt_text"],
            "zoomable": options["zoomable"],
            "styles": styles(
                maxWidth=options["max_width"],
                maxHeight=options["max_height"],
                objectFit=options["object_fit"],
            ),
        }
