"""`document`: a rich document written inline as HTML or Markdown, sanitised.

A string starting with `<` is HTML, any other string Markdown; a mapping gives
`rendered_html` (or `html`), else `markdown`, else `text`. Reading .docx/.md files named by
path is not built yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import markdown
from markupsafe import Markup

from .base import Display, Option, as_text, styles
from .registry import register

THEMES = ("default", "minimal", "print")


@register("document")
class Document(Display):
    description = "A document written as HTML or Markdown, sanitised, with headings and tables"
    supports_span_target = True  # in Potato; spans here work on the text_key text only
    options = {
        "collapsible": Option(False),
        "max_height": Option(None, "length"),
        "style_theme": Option("default", "choice", THEMES),
    }
    later = {
        "show_outline": "document outline",
        "preserve_structure": "structure flattening",
        "annotation_mode": "span and box annotation in documents",
        "bbox_min_size": "box annotation in documents",
        "show_bbox_labels": "box annotation in documents",
    }

    def view(self, value: Any, options, context) -> dict:
        return {
            "html": Markup(context.clean_html(_as_html(value))),  # noqa: S704 (sanitised)
            "collapsible": options["collapsible"],
            "theme": options["style_theme"],
            "styles": styles(maxHeight=options["max_height"]),
        }


def _as_html(value: Any) -> str:
    if isinstance(value, Mapping):
        for key in ("rendered_html", "html"):
            if isinstance(value.get(key), str):
                return value[key]
        if isinstance(value.get("markdown"), str):
            return _markdown(value["markdown"])
        return _markdown(as_text(value.get("text", value)))
    text = as_text(value)
    return text if text.lstrip().startswith("<") else _markdown(text)


def _markdown(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", "sane_lists"])
