"""`text`: the value as escaped text (the span annotation target when it shows text_key)."""

from __future__ import annotations

from typing import Any

from .base import Display, Option, as_text, styles
from .registry import register


@register("text")
class Text(Display):
    description = "Plain text, whitespace kept; optionally collapsible or height-limited"
    supports_span_target = True
    options = {
        "collapsible": Option(False),
        "collapsed_by_default": Option(False),
        "max_height": Option(None, "length"),
        "preserve_whitespace": Option(True),
    }

    def view(self, value: Any, options, context) -> dict:
        return {
            "text": as_text(value),
            "collapsible": options["collapsible"] or options["collapsed_by_default"],
            "open": not options["collapsed_by_default"],
            "preserve_whitespace": options["preserve_whitespace"],
            "styles": styles(maxHeight=options["max_height"]),
        }
