"""Time-frequency boxes as a table: one CSV row per box of every scheme that has them
(`time_frequency_boxes`, e.g. spectrogram_annotation): user_id, instance_id, schema,
start_s, end_s, low_hz, high_hz (empty for a time-only box), label."""

from __future__ import annotations

import csv
import io

from ..store.comparison_rows import schema_answers
from .cells import safe_cell
from .registry import Exporter, register

COLUMNS = ("user_id", "instance_id", "schema", "start_s", "end_s", "low_hz", "high_hz", "label")


@register
class SpectrogramBoxes(Exporter):
    name = "spectrogram_boxes"
    description = "Time-frequency boxes (spectrogram_annotation), one CSV row per box"
    extension = "csv"
    mimetype = "text/csv"

    def stream(self, project):
        config = project.config
        escape = config.export_escape_formulas
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\n")
        out.writerow(COLUMNS)
        for scheme in config.schemes:
            if not hasattr(scheme, "time_frequency_boxes"):
                continue
            for item_id, _text, _fields, user, value in schema_answers(project.store, scheme.name):
                for box in scheme.time_frequency_boxes(value):
                    cells = [user, item_id, scheme.name, box["start_s"], box["end_s"]]
                    cells += [box["low_hz"], box["high_hz"], box["label"]]
                    out.writerow(
                        ["" if c is None else safe_cell(c) if escape else c for c in cells]
                    )
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()
