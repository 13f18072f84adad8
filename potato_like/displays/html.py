"""`html`: the value as HTML, through the project's sanitiser (potato_like/html_sanitizer)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from .base import Display, Option, as_text, styles
from .registry import register


@register("html")
class Html(Display):
    description = "Sanitised HTML (images, audio, video, tables, lists, links kept; no script)"
    options = {
        "collapsible": Option(False),
        "max_height": Option(None, "length"),
    }

    def view(self, value: Any, options, context) -> dict:
        # Markup: the sanitiser's output is the only HTML a template marks safe.
        return {
            "html": Markup(context.clean_html(as_text(value))),  # noqa: S704
            "collapsible": options["collapsible"],
            "styles": styles(maxHeight=options["max_height"]),
        }
