"""`code`: source code in a monospaced block with line numbers (no syntax colouring yet)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Display, Option, as_text, styles
from .registry import register


@register("code")
class Code(Display):
    description = "Source code with line numbers, highlighted lines and a copy button"
    supports_span_target = True
    options = {
        "language": Option(None, "str"),
        "show_line_numbers": Option(True),
        "max_height": Option("500px", "length"),
        "max_width": Option(None, "length"),
        "wrap_lines": Option(False),
        "highlight_lines": Option((), "int_list"),  # shown line numbers
        "start_line": Option(1, "int"),
        "copy_button": Option(True),
    }
    later = {"theme": "syntax colour themes"}

    def view(self, value: Any, options, context) -> dict:
        language = options["language"]
        if isinstance(value, Mapping):  # {"code": "...", "language": "python"}
            language = language or value.get("language")
            value = value.get("code", value.get("content", value))
        text = as_text(value)
        if text.endswith("\n"):  # a final newline ends the last line; it is not another line
            text = text[:-1]
        start = options["start_line"] or 1
        marked = set(options["highlight_lines"])
        lines = [
            {"number": start + i, "text": line, "highlight": start + i in marked}
            for i, line in enumerate(text.split("\n"))
        ]
        return {
            "code": text,
            "lines": lines,
            "language": str(language) if language else None,
            "line_numbers": options["show_line_numbers"],
            "wrap": options["wrap_lines"],
            "copy_button": options["copy_button"],
            "styles": styles(maxHeight=options["max_height"], maxWidth=options["max_width"]),
        }
