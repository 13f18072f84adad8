"""Potato 1.x's project-wide `<output_annotation_dir>/annotated_instances.<format>`.

Potato 1.x wrote, after every save, one file with every annotator's answers in the format
named by `output_annotation_format` (the per-user files were JSON Lines whatever it said;
Potato 2 ignores the key). When a config sets the key we write the same file, from the same
flush as the per-user files, atomically (temp file + rename) and 0600:

- `json` and `jsonl`: JSON Lines (Potato wrote lines for `json` too), one line per (user,
  item): `{"user_id", "instance_id", "displayed_text", "label_annotations",
  "span_annotations", "behavioral_data"}`;
- `csv` and `tsv`: one row per (user, item): `user`, `instance_id`, `displayed_text`, one
  `schema:::label` column per label, and one `span_annotation:::<label>` column per span label
  holding that label's spans as a JSON list. Potato made columns only for labels someone used
  (two passes over everything); we make them for every configured label, so the file streams
  in one pass. Cells go through the spreadsheet formula escaping of the exports
  (`export_escape_formulas`).
The file is rebuilt from the store each time (constant memory); the writer's duty factor
keeps a large project's rebuilds to a fraction of the server's time.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..spans.output import annotation_fields
from ..spans.updates import iter_entries
from .cells import safe_cell
from .rows import table_columns

if TYPE_CHECKING:
    from ..config.model import ProjectConfig
    from ..store import Store

BASE_NAME = "annotated_instances"


def file_name(fmt: str) -> str:
    return f"{BASE_NAME}.{fmt}"


def span_labels(config: ProjectConfig) -> list[str]:
    labels: list[str] = []
    for scheme in config.schemes:
        if getattr(scheme, "value_key", None) == "spans":
            labels.extend(x for x in scheme.label_names if x not in labels)
    return labels


def json_lines(store: Store, config: ProjectConfig) -> Iterator[str]:
    for row in store.annotations.iter_annotated():
        fields = annotation_fields(config, row.label_maps)
        line = {
            "user_id": row.user,
            "instance_id": row.item_id,
            "displayed_text": row.text,
            "label_annotations": fields["label_annotations"],
            "span_annotations": fields["span_annotations"],
            "behavioral_data": {},
        }
        yield json.dumps(line, ensure_ascii=False) + "\n"


def table_lines(store: Store, config: ProjectConfig, delimiter: str) -> Iterator[str]:
    cols = table_columns(config)
    spans = span_labels(config)
    escape = config.export_escape_formulas
    buf = io.StringIO()
    out = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    header = ["user", "instance_id", "displayed_text", *(c[0] for c in cols)]
    out.writerow(header + [f"span_annotation:::{label}" for label in spans])
    for row in store.annotations.iter_annotated():
        cells = [row.user, row.item_id, row.text]
        cells += [row.label_maps.get(schema, {}).get(key, "") for _c, schema, key in cols]
        by_label: dict[str, list] = {label: [] for label in spans}
        for scheme, span in iter_entries(config, row.label_maps, "spans"):
            entry = {
                "start": span["start"],
                "end": span["end"],
                "span": span["text"],
                "annotation": span["label"],
                "schema": scheme.name,
            }
            by_label.setdefault(span["label"], []).append(entry)
        cells += [
            json.dumps(by_label[label], ensure_ascii=False) if by_label[label] else ""
            for label in spans
        ]
        out.writerow([safe_cell(c) for c in cells] if escape else cells)
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()


def project_file_lines(store: Store, config: ProjectConfig) -> Iterator[str]:
    fmt = config.output_annotation_format
    if fmt in ("csv", "tsv"):
        return table_lines(store, config, "," if fmt == "csv" else "\t")
    return json_lines(store, config)
