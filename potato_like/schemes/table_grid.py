"""`annotation_type: table_grid` — the structure of a table (its image is the item's
`image_key` field): the grid's size, starting from the item's `rows_key`/`cols_key` fields,
and the role of each cell (`roles`; the first is the default and is not stored).

Wire format (Potato's): `"<schema>:<schema>": "{\\"rows\\": 3, \\"cols\\": 3, \\"cells\\":
{\\"0,1\\": \\"col_header\\"}}"`. Cells outside the grid, unknown roles and sizes beyond 40
are refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .record import RecordScheme, counts, field_text, mean
from .registry import register

MAX_SIDE = 40
_SAFE_IMAGE = re.compile(r"^(data:image/|https?://|/|[\w.-]+(/|$))", re.IGNORECASE)
_CELL = re.compile(r"^(\d{1,2}),(\d{1,2})$")
DEFAULT_ROLES = ("data", "col_header", "row_header", "empty")


@register("table_grid")
class TableGrid(RecordScheme):
    macro = "schemes/table_grid.html"
    script = "js/table-grid.js"
    option_keys = (
        "image_key",
        "rows_key",
        "cols_key",
        "default_rows",
        "default_cols",
        "roles",
    )
    pair_score_names = ("cell_agreement", "same_shape")
    image = ""
    start_rows = start_cols = 3

    def parse_options(self, reader: ConfigReader) -> None:
        self.image_key = reader.str("image_key", "image") or "image"
        self.rows_key = reader.str("rows_key", "rows") or "rows"
        self.cols_key = reader.str("cols_key", "cols") or "cols"
        self.default_rows = reader.number("default_rows", 3, integer=True, minimum=1, maximum=40)
        self.default_cols = reader.number("default_cols", 3, integer=True, minimum=1, maximum=40)
        roles = reader.string_list("roles") if reader.has("roles") else list(DEFAULT_ROLES)
        if len(set(roles)) != len(roles) or not roles:
            reader.problem("roles", "must be a non-empty list of distinct role names")
        self.roles = tuple(roles) or DEFAULT_ROLES

    def for_page(self, fields, annotator, item_id, seed) -> TableGrid:
        image = field_text(fields, self.image_key).strip()
        if not _SAFE_IMAGE.match(image):  # no javascript: or other schemes in an <img src>
            image = ""
        return self.page_view(
            image=image,
            start_rows=_side(fields.get(self.rows_key), self.default_rows),
            start_cols=_side(fields.get(self.cols_key), self.default_cols),
        )

    def check_record(self, record: dict[str, Any]) -> dict[str, Any] | None:
        rows, cols = record.get("rows"), record.get("cols")
        for name, value in (("rows", rows), ("cols", cols)):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIDE:
                raise BadAnnotation(f"{self.name}: {name!r} must be a whole number 1-{MAX_SIDE}")
        cells = record.get("cells") or {}
        if not isinstance(cells, Mapping):
            raise BadAnnotation(f"{self.name}: 'cells' must be an object of 'row,col': role")
        out: dict[str, str] = {}
        for key, role in cells.items():
            match = _CELL.match(str(key))
            if not match:
                raise BadAnnotation(f"{self.name}: cell {key!r} must be written 'row,col'")
            r, c = int(match[1]), int(match[2])
            if r >= rows or c >= cols:
                raise BadAnnotation(
                    f"{self.name}: cell {key!r} is outside the {rows}x{cols} grid (0-based)"
                )
            if role not in self.roles:
                raise BadAnnotation(
                    f"{self.name}: cell {key!r}: unknown role {role!r}; expected one of "
                    f"{', '.join(self.roles)}"
                )
            if role != self.roles[0]:
                out[f"{r},{c}"] = role
        ordered = dict(sorted(out.items(), key=lambda kv: tuple(map(int, kv[0].split(",")))))
        return {"rows": rows, "cols": cols, "cells": ordered}

    def role_of(self, record: Mapping[str, Any], r: int, c: int) -> str | None:
        if r >= record["rows"] or c >= record["cols"]:
            return None
        return record["cells"].get(f"{r},{c}", self.roles[0])

    def pair_scores(self, a: Mapping[str, str], b: Mapping[str, str]) -> dict[str, float]:
        ra, rb = self.answer(a), self.answer(b)
        rows, cols = max(ra["rows"], rb["rows"]), max(ra["cols"], rb["cols"])
        same = sum(
            self.role_of(ra, r, c) == self.role_of(rb, r, c)
            for r in range(rows)
            for c in range(cols)
        )
        shape = (ra["rows"], ra["cols"]) == (rb["rows"], rb["cols"])
        return {"cell_agreement": same / (rows * cols), "same_shape": float(shape)}

    def dashboard_summary(self, label_maps):
        records = [self.answer(m) for m in label_maps if m]
        roles = counts(role for r in records for role in r["cells"].values())
        return {
            "mean_cells": mean([r["rows"] * r["cols"] for r in records]),
            "cells_by_role": roles,
        }

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["roles"] = list(self.roles)
        return out


def _side(value: Any, default: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return n if 1 <= n <= MAX_SIDE else default
