"""JSON and JSON Lines exports: one record per (item, annotator)."""

from __future__ import annotations

import json

from .ai_marks import accepted_marks
from .gold_labels import uses_gold, with_gold
from .registry import Exporter, register
from .rows import export_record, qc_records


def _records(project):
    """The export records, with gold and final labels when the project has them, and the
    answers taken from accepted AI suggestions when it has AI assistance."""
    rows = project.store.annotations.iter_annotated()
    marks = accepted_marks(project)
    if not uses_gold(project):
        for row in rows:
            yield _marked(export_record(row, project.config), marks)
        return
    for row, gold in with_gold(project, rows):
        yield _marked({**export_record(row, project.config), **gold.as_json()}, marks)


def _marked(record: dict, marks: dict | None) -> dict:
    if marks is not None:
        record["ai_accepted"] = marks.get((record["id"], record["user"]), {})
    return record


@register
class JsonLines(Exporter):
    name = "jsonl"
    description = "One JSON object per line per (item, annotator), Potato fields plus typed answers"
    extension = "jsonl"
    mimetype = "application/x-ndjson"

    def stream(self, project):
        for record in _records(project):
            yield json.dumps(record, ensure_ascii=False) + "\n"
        for record in qc_records(project):
            yield json.dumps(record, ensure_ascii=False) + "\n"


@register
class JsonArray(Exporter):
    name = "json"
    description = "A JSON array of the same records as jsonl"
    extension = "json"
    mimetype = "application/json"

    def stream(self, project):
        yield "["
        first = True
        for record in _records(project):
            yield ("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False)
            first = False
        for record in qc_records(project):
            yield ("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False)
            first = False
        yield "\n]\n"
