"""The questions page's models of the answers, as a table: every scheme with an
`analysis_title` (free-list salience, the triad test's dissimilarity matrix, conjoint
part-worths, ...), one row per cell, over the submitted annotations."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from ..store.assignments import DONE
from .cells import safe_cell
from .registry import Exporter, register

COLUMNS = ["schema", "table", "row", "column", "value"]


def analysis_cells(scheme, model: dict[str, Any]) -> Iterator[list[Any]]:
    """(schema, table, row, column, value) cells of one scheme's model."""
    for attr, values in (model.get("attributes") or {}).items():
        for level, value in values.items():
            yield [scheme.name, attr, level, "value", value]
    for table in model.get("tables") or []:
        columns = table["columns"]
        for row in table["rows"]:
            for column, value in zip(columns[1:], row[1:], strict=True):
                yield [
                    scheme.name,
                    table["caption"],
                    row[0],
                    column,
                    "" if value is None else value,
                ]


@register
class AnalysisCsv(Exporter):
    name = "analysis_csv"
    description = (
        "The dashboard's models of the answers (salience, dissimilarity matrices, "
        "part-worths): schema, table, row, column, value"
    )
    extension = "csv"
    mimetype = "text/csv"

    def stream(self, project):
        schemes = [s for s in project.config.schemes if s.analysis_title]
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\n")
        out.writerow(COLUMNS)
        yield buf.getvalue()
        for scheme in schemes:
            answers = (
                (row.fields, row.item_id, row.label_maps[scheme.name])
                for row in project.store.annotations.iter_annotated()
                if row.status == DONE and scheme.name in row.label_maps
            )
            for cells in analysis_cells(scheme, scheme.analysis(answers)):
                buf.seek(0)
                buf.truncate()
                out.writerow([safe_cell(c) for c in cells])
                yield buf.getvalue()
