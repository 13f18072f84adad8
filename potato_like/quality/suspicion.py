"""Potato's suspicion score and level of an annotator (its admin annotators list).

Potato scores the share of "fast" actions (weight 0.6) and "burst" actions (weight 0.4) out of
all of a user's actions, 0..100, and names levels at 10, 30, 60 and 80. Potato times an
action by its server processing time, which says nothing about the person; here an action is
a submit, "fast" is a submit less than FAST_SECONDS after the user's previous one and "burst"
one less than BURST_SECONDS after it (Potato's burst threshold), so the score measures the
annotator's pace. Our own flags (`suspicious_activity`) are separate and unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

FAST_SECONDS = 0.5
BURST_SECONDS = 2.0
FAST_WEIGHT, BURST_WEIGHT = 0.6, 0.4
# (score below which, level), Potato's names
LEVELS = ((10, "Normal"), (30, "Low"), (60, "Medium"), (80, "High"))
TOP_LEVEL = "Very High"


def level(score: float) -> str:
    for below, name in LEVELS:
        if score < below:
            return name
    return TOP_LEVEL


def suspicion(times: Sequence[float]) -> dict[str, Any]:
    """Potato's per-annotator fields from the times of the user's submits (oldest first)."""
    gaps = [b - a for a, b in pairwise(times)]
    fast = sum(1 for g in gaps if g < FAST_SECONDS)
    burst = sum(1 for g in gaps if g < BURST_SECONDS)
    total = len(times)
    fast_pct = 100 * fast / total if total else 0.0
    burst_pct = 100 * burst / total if total else 0.0
    score = round(min(100.0, FAST_WEIGHT * fast_pct + BURST_WEIGHT * burst_pct), 2)
    minutes = (times[-1] - times[0]) / 60 if total > 1 else 0
    return {
        "total_actions": total,
        "actions_per_minute": round(total / minutes, 2) if minutes else 0.0,
        "fast_actions_count": fast,
        "burst_actions_count": burst,
        "suspicious_score": score,
        "suspicious_level": level(score),
    }


def summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Potato's `summary` of the annotators list: how many at each level, the mean score."""
    levels = [r["suspicious_level"] for r in rows]
    scores = [r["suspicious_score"] for r in rows]
    return {
        "high_suspicious_count": sum(lv in ("High", TOP_LEVEL) for lv in levels),
        "medium_suspicious_count": levels.count("Medium"),
        "low_suspicious_count": levels.count("Low"),
        "normal_count": levels.count("Normal"),
        "average_suspicious_score": round(sum(scores) / len(scores), 2) if scores else 0,
    }
