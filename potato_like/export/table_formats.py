"""CSV and TSV exports in Potato's wide layout: user, instance_id, displayed_text, then one
`schema:::label` column per label, then one typed `answer:<schema>` column per scheme."""

from __future__ import annotations

import csv
import io
import json

from . import ai_marks, gold_labels
from .cells import safe_cell
from .registry import Exporter, register
from .rows import table_columns


class _Table(Exporter):
    delimiter = ","
    # None: as the project's `export_escape_formulas` says; False: raw cells (run.py export
    # --raw-cells), for a reader that is not a spreadsheet.
    escape_formulas: bool | None = None

    def stream(self, project):
        config = project.config
        escape = self.escape_formulas
        if escape is None:
            escape = config.export_escape_formulas
        cols = table_columns(config)
        gold = gold_labels.uses_gold(project)
        marks = ai_marks.accepted_marks(project)
        buf = io.StringIO()
        out = csv.writer(buf, delimiter=self.delimiter, lineterminator="\n")
        out.writerow(
            ["user", "instance_id", "displayed_text", "status", "updated_at"]
            + [c[0] for c in cols]
            + [f"answer:{s.name}" for s in config.schemes]
            + (gold_labels.table_columns(project) if gold else [])
            + (["ai_accepted"] if marks is not None else [])
        )
        rows = project.store.annotations.iter_annotated()
        pairs = gold_labels.with_gold(project, rows) if gold else ((r, None) for r in rows)
        for row, item_gold in pairs:
            answers = []
            for scheme in config.schemes:
                label_map = row.label_maps.get(scheme.name)
                answers.append(scheme.answer(label_map) if label_map else None)
            if item_gold is not None:
                answers += gold_labels.table_cells(project, item_gold)
            if marks is not None:
                answers.append(ai_marks.cell(marks, row.item_id, row.user))
            cells = (
                [row.user, row.item_id, row.text, row.status, f"{row.updated_at:.3f}"]
                + [row.label_maps.get(schema, {}).get(key, "") for _c, schema, key in cols]
                + [_cell(value) for value in answers]
            )
            out.writerow([safe_cell(c) for c in cells] if escape else cells)
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()


def _cell(value):
    """A typed answer as a table cell: lists and mappings as JSON, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


@register
class Csv(_Table):
    name = "csv"
    description = "Comma-separated, one row per (item, annotator), Potato's schema:::label columns"
    extension = "csv"
    mimetype = "text/csv"


@register
class Tsv(_Table):
    name = "tsv"
    description = "Tab-separated, same columns as csv"
    extension = "tsv"
    mimetype = "text/tab-separated-values"
    delimiter = "\t"
