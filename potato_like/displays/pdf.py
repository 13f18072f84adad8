"""`pdf`: a PDF from the project directory in the browser's own viewer.

Only PDFs served by this site can be framed under the Content-Security-Policy; a remote
(https) PDF is offered as a link instead.
"""

from __future__ import annotations

from typing import Any

from .base import Display, Option, styles
from .registry import register


@register("pdf")
class Pdf(Display):
    description = "A PDF of the project (browser viewer; remote PDFs as a link)"
    options = {
        "max_height": Option("700px", "length"),
        "max_width": Option(None, "length"),
        "initial_page": Option(1, "int"),
    }
    later = {
        "view_mode": "page modes",
        "text_layer": "the text layer",
        "show_page_controls": "custom page controls",
        "zoom": "zoom levels",
        "thumbnail_sidebar": "thumbnails",
        "annotation_mode": "annotation in PDFs",
        "bbox_min_size": "box annotation in PDFs",
        "show_bbox_labels": "box annotation in PDFs",
        "anchor_labels": "PDF anchors",
        "anchor_schema": "PDF anchors",
        "enable_region_anchors": "PDF anchors",
        "enable_text_anchors": "PDF anchors",
        "link_schema": "PDF links",
        "link_types": "PDF links",
    }

    def view(self, value: Any, options, context) -> dict:
        src = context.media_url(value)
        local = src is not None and src.startswith("/")
        page = options["initial_page"] or 1
        return {
            "src": src,
            "frame_src": f"{src}#page={page}" if local and page > 1 else src,
            "local": local,
            "raw": value if isinstance(value, str) else "",
            # the frame needs a height: max_height sets it
            "styles": styles(height=options["max_height"], maxWidth=options["max_width"]),
        }
