"""`pairwise`: two (or more) things side by side, labelled A and B.

The value is a list, or a mapping with left/right, a/b or 1/2 (else all its values). Each
side is text, or a mapping with `text`/`content`, `image` or `html`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from .base import Display, Option, as_text
from .registry import register

_PAIRS = (("left", "right"), ("a", "b"), ("A", "B"), ("1", "2"))


@register("pairwise")
class Pairwise(Display):
    description = "Two or more items side by side (A / B), stacked on narrow screens"
    options = {
        "cell_width": Option(None, "length"),
        "show_labels": Option(True),
        "labels": Option((), "str_list"),
        "vertical_on_mobile": Option(True),
    }

    def view(self, value: Any, options, context) -> dict:
        items = _sides(value)
        labels = list(options["labels"])
        if len(labels) < len(items):
            labels = [f"Option {i + 1}" for i in range(len(items))]
            if len(items) == 2:
                labels = ["A", "B"]
        width = options["cell_width"]
        cells = [
            {"label": labels[i], "index": i, **_content(item, context)}
            for i, item in enumerate(items)
        ]
        return {
            "cells": cells,
            "show_labels": options["show_labels"],
            "stack_on_mobile": options["vertical_on_mobile"],
            "cell_styles": {"flexBasis": width} if width and width != "auto" else {},
        }


def _sides(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        for left, right in _PAIRS:
            if left in value and right in value:
                return [value[left], value[right]]
        return list(value.values())
    return [value]


def _content(item: Any, context) -> dict:
    if isinstance(item, Mapping):
        if "image" in item:
            return {"image": context.media_url(item["image"], image=True), "text": None}
        if "html" in item:
            return {"html": Markup(context.clean_html(as_text(item["html"]))), "text": None}  # noqa: S704
        if "text" in item or "content" in item:
            return {"text": as_text(item.get("text", item.get("content")))}
    return {"text": as_text(item)}
