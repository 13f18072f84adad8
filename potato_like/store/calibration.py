"""Training questions made from seed-002 calibration batches (services/batches/tasks.py):
kept in the project's store, asked after the config's own training questions
(study/flow.py StudyFlow.training). They are never items, so never leased, annotated or
exported as annotations; answers to them are training answers like any other."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..config.study_model import TrainingItem
from .batch_tables import calibration_items

if TYPE_CHECKING:
    from . import Store

C = calibration_items.c


def add(store: Store, questions: list[dict[str, Any]]) -> None:
    """questions: {id, text, expected: {scheme: label map}, explanation}; an id already
    there is kept as it is."""
    now = time.time()
    with store.write() as conn:
        have = set(conn.execute(select(C.id)).scalars())
        rows = [
            {
                "id": q["id"],
                "text": q["text"],
                "expected": json.dumps(sorted(q["expected"].items())),
                "explanation": q.get("explanation") or None,
                "added_at": now + n * 1e-6,  # in the order given
            }
            for n, q in enumerate(questions)
            if q["id"] not in have
        ]
        if rows:
            conn.execute(calibration_items.insert(), rows)


def training_items(store: Store) -> tuple[TrainingItem, ...]:
    with store.read() as conn:
        rows = conn.execute(select(calibration_items).order_by(C.added_at, C.id)).all()
    out = []
    for row in rows:
        expected = tuple(
            (scheme, tuple(sorted(labels.items()))) for scheme, labels in json.loads(row.expected)
        )
        out.append(TrainingItem(row.id, row.text, expected, row.explanation))
    return tuple(out)
