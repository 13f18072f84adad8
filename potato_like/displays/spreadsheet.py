"""`spreadsheet`: tabular data as a table.

The value is a list of row mappings (columns from the first row), a list of lists (no
header), or a mapping with `headers` and `rows`. Reading Excel or CSV files named by path is
not built yet: such a value is shown as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Display, Option, as_text, styles
from .registry import register

BORDER_STYLES = ("default", "bordered", "minimal", "rounded", "none")
HEADER_STYLES = ("default", "dark", "primary", "gradient", "light", "transparent")
MAX_ROWS = 2000  # a page stays usable; the rest is counted, not shown


@register("spreadsheet")
class Spreadsheet(Display):
    description = "A table from rows (mappings or lists) or {headers, rows}"
    options = {
        "show_headers": Option(True),
        "max_height": Option("400px", "length"),
        "max_width": Option(None, "length"),
        "striped": Option(True),
        "hoverable": Option(True),
        "compact": Option(False),
        "border_style": Option("default", "choice", BORDER_STYLES),
        "header_style": Option("default", "choice", HEADER_STYLES),
    }
    later = {
        "annotation_mode": "row and cell annotation",
        "sortable": "column sorting",
        "filterable": "column filtering",
        "selectable": "row selection",
        "custom_class": "custom table classes",
        "custom_css": "inline CSS (the Content-Security-Policy forbids it)",
    }

    def view(self, value: Any, options, context) -> dict:
        headers, rows = _table(value)
        return {
            "headers": headers if options["show_headers"] else [],
            "rows": rows[:MAX_ROWS],
            "hidden_rows": max(0, len(rows) - MAX_ROWS),
            "text": None if rows or headers else as_text(value),
            "classes": " ".join(
                name
                for name, on in (
                    ("striped", options["striped"]),
                    ("hoverable", options["hoverable"]),
                    ("compact", options["compact"]),
                    (f"border-{options['border_style']}", True),
                    (f"header-{options['header_style']}", True),
                )
                if on
            ),
            "styles": styles(maxHeight=options["max_height"], maxWidth=options["max_width"]),
        }


def _table(value: Any) -> tuple[list[str], list[list[str]]]:
    if isinstance(value, Mapping) and "rows" in value:
        headers = [as_text(h) for h in value.get("headers") or []]
        return headers, _rows(value.get("rows"), headers)
    if isinstance(value, list) and value and all(isinstance(r, Mapping) for r in value):
        headers: list[str] = []
        for row in value:  # every column that any row has, in first-seen order
            headers += [as_text(k) for k in row if as_text(k) not in headers]
        return headers, [[as_text(row.get(h, "")) for h in headers] for row in value]
    if isinstance(value, list) and value:
        return [], _rows(value, [])
    return [], []


def _rows(rows: Any, headers: list[str]) -> list[list[str]]:
    if not isinstance(rows, list):
        return []
    out = []
    for row in rows:
        if isinstance(row, Mapping):
            out.append([as_text(row.get(h, "")) for h in headers])
        elif isinstance(row, list):
            out.append([as_text(cell) for cell in row])
        else:
            out.append([as_text(row)])
    return out
