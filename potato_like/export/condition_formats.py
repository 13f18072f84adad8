"""Unblinded ratings of blinded tests: one CSV row per score, with the condition each
blinded slot stood for (a listening test's `s1` is `codec_b` for this annotator on this
item). Columns as Potato's `listening_ratings.csv`: user_id, instance_id, schema, method,
slot, condition, scale, score. Schemes offer it through `scored_rows`."""

from __future__ import annotations

import csv
import io

from ..store.comparison_rows import schema_answers
from .cells import safe_cell
from .registry import Exporter, register

COLUMNS = ("user_id", "instance_id", "schema", "method", "slot", "condition", "scale", "score")


@register
class ConditionRatings(Exporter):
    name = "listening_ratings"
    description = (
        "Blinded tests (listening_test) unblinded: one row per score with the condition "
        "behind each slot"
    )
    extension = "csv"
    mimetype = "text/csv"

    def stream(self, project):
        config = project.config
        escape = config.export_escape_formulas
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\n")
        out.writerow(COLUMNS)
        for scheme in config.schemes:
            if not hasattr(scheme, "scored_rows"):
                continue
            # the item as the page saw it (its text too: a stimulus may be the text field)
            text_key = config.item_properties.text_key
            answers = (
                ({text_key: text, **fields}, item_id, value, user)
                for item_id, text, fields, user, value in schema_answers(project.store, scheme.name)
            )
            for row in scheme.scored_rows(answers, config.random_seed):
                cells = [row["user"], row["item"], row["schema"], row["method"], row["slot"]]
                cells += [row["condition"], row["scale"], row["score"]]
                out.writerow([safe_cell(c) if escape else c for c in cells])
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()
