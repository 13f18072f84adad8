"""Item disagreement for the `max_diversity` strategy (Potato's): per scheme, the share of
distinct answers among the item's annotators, (distinct - 1) / (annotators - 1); the item's
score is the highest over its schemes, 0 with fewer than two annotators. Items with the most
disagreement are offered first (more annotators where people disagree).

Answers are compared as stored, except that ids inside structured answers (span, link and
event ids, which every annotator's own spans get) are left out, so two annotators marking the
same span with the same label agree, as in Potato.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

SCALE = 1000  # keys are thousandths, lower served first (as the priority strategy's)


def _comparable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(
            sorted(
                (k, _comparable(v))
                for k, v in value.items()
                if not (k == "id" or k.endswith("_id") or k.endswith("_ids"))
            )
        )
    if isinstance(value, list):
        return tuple(sorted((_comparable(v) for v in value), key=repr))
    return value


def disagreement(rows: Iterable[tuple[int, str, str]]) -> float:
    """rows: (user id, schema, stored JSON value) of one item."""
    by_schema: dict[str, dict[int, Any]] = {}
    for user_id, schema, value in rows:
        by_schema.setdefault(schema, {})[user_id] = _comparable(json.loads(value))
    scores = [
        (len(set(values.values())) - 1) / (len(values) - 1)
        for values in by_schema.values()
        if len(values) >= 2
    ]
    return max(scores, default=0.0)


def queue_key(score: float) -> int:
    return -round(score * SCALE)
