"""Scores of an instrument from a respondent's stored answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Instrument, Score


def score(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, Any]:
    """{score name: {"value", "band"?}} from answers {item id: chosen label}. A score with an
    unanswered (or unknown) item is None: a partial sum would read as a real, lower score."""
    by_id = {item.id: item for item in instrument.items}
    out: dict[str, Any] = {}
    for s in instrument.scores:
        values = [
            instrument.item_value(by_id[i], answers[i]) if isinstance(answers.get(i), str) else None
            for i in s.items
        ]
        if any(v is None for v in values):
            out[s.name] = None
            continue
        value = _combine(s, values)
        entry: dict[str, Any] = {"value": value}
        band = next((b.label for b in s.bands if b.low <= value <= b.high), None)
        if band is not None:
            entry["band"] = band
        out[s.name] = entry
    return out


def _combine(s: Score, values: list) -> float | int:
    total = sum(values) if s.method == "sum" else sum(values) / len(values)
    total *= s.multiplier
    return int(total) if float(total).is_integer() else round(total, 4)
