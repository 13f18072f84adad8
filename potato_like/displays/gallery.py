"""`gallery`: several images with captions, in a row or a grid.

The value is a list of URLs/paths or of mappings with `url` (or `src`/`image`) and
`caption`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Display, Option, as_text, styles
from .registry import register


@register("gallery")
class Gallery(Display):
    description = "Several images with captions, in a scrolling row or a grid"
    options = {
        "layout": Option("horizontal", "choice", ("horizontal", "grid")),
        "thumbnail_size": Option("300px", "length"),
        "show_captions": Option(True),
        "zoomable": Option(True),
        "max_height": Option("400px", "length"),
        "columns": Option(3, "int"),
    }

    def view(self, value: Any, options, context) -> dict:
        entries = value if isinstance(value, list) else [value]
        images = []
        for entry in entries:
            url, caption = entry, None
            if isinstance(entry, Mapping):
                url = entry.get("url", entry.get("src", entry.get("image")))
                caption = entry.get("caption")
            images.append(
                {
                    "src": context.media_url(url, image=True),
                    "raw": url if isinstance(url, str) else "",
                    "caption": as_text(caption) if caption is not None else None,
                }
            )
        return {
            "images": images,
            "grid": options["layout"] == "grid",
            "columns": max(1, min(options["columns"] or 3, 6)),
            "captions": options["show_captions"],
            "zoomable": options["zoomable"],
            "styles": styles(maxHeight=options["max_height"]),
            "thumb_styles": styles(maxWidth=options["thumbnail_size"]),
        }
