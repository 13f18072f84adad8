"""Shapes of exported rows, shared by the output files and the export formats."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..spans.output import annotation_fields

if TYPE_CHECKING:
    from ..config.model import ProjectConfig
    from ..store.annotations import AnnotatedItem


def potato_line(row: AnnotatedItem, config: ProjectConfig) -> dict[str, Any]:
    """One line of Potato's annotated_instances.jsonl."""
    return {
        "id": row.item_id,
        "displayed_text": row.text,
        **annotation_fields(config, row.label_maps),
        "behavioral_data": {},
    }


def export_record(row: AnnotatedItem, config: ProjectConfig) -> dict[str, Any]:
    """A Potato line plus who, when, whether finished, and the typed answer per scheme."""
    answers = {}
    for scheme in config.schemes:
        label_map = row.label_maps.get(scheme.name)
        answers[scheme.name] = scheme.answer(label_map) if label_map else None
    return {
        "id": row.item_id,
        "user": row.user,
        "status": row.status,
        "updated_at": row.updated_at,
        "displayed_text": row.text,
        **annotation_fields(config, row.label_maps),
        "answers": answers,
    }


def table_columns(config: ProjectConfig) -> list[tuple[str, str, str]]:
    """Potato's wide table columns: one `schema:::label` per label of each scheme (span,
    link and event schemes have only their `answer:<schema>` JSON column)."""
    cols = []
    for scheme in config.schemes:
        cols.extend((f"{scheme.name}:::{key}", scheme.name, key) for key in scheme.table_keys())
    return cols


def qc_records(project) -> Iterator[dict[str, Any]]:
    """Answers to attention checks and gold items, marked with `quality_control` so they are
    never mistaken for annotations of the data."""
    config = project.config
    for r in project.store.study.qc_rows():
        label_maps = json.loads(r.value)
        yield {
            "id": r.item_id,
            "user": r.username,
            "status": "quality_control",
            "updated_at": r.ts,
            "label_annotations": label_maps,
            "answers": {
                s: config.scheme(s).answer(m) for s, m in label_maps.items() if config.scheme(s)
            },
            "quality_control": {
                "type": r.kind,
                "correct": bool(r.correct),
                "seconds": r.seconds,
                "flags": [f for f in r.flags.split(",") if f],
            },
        }
