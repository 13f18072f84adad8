"""The judge's break-points against the annotators' (`GET /admin/api/rollout/alignment`).

Human consensus per (item, stream): more annotators marked it clean than marked a violation
-> "no break"; otherwise the median of each annotator's earliest mark and the most common
category. A stream nobody answered about is left out (silence is not "clean"). Errored
predictions are left out and counted. A tolerance finer than the coarsest prediction's
resolution is refused: a contact sheet cannot localise below half its sampling interval.
"""

from __future__ import annotations

from collections import Counter
from statistics import median
from typing import Any


def human_consensus(rows: dict[str, dict[str, dict]]) -> dict[str, dict[str, Any]]:
    """`rows` = {item id: {annotator: stored rollout value}} ->
    {"<item>::<stream>": {t, type, n_marked, n_clean}}."""
    out: dict[str, dict[str, Any]] = {}
    for item_id, per_user in rows.items():
        streams: set[str] = set()
        for value in per_user.values():
            streams |= {v["stream"] for v in value.get("violations", [])}
            streams |= set(value.get("clean", []))
        for stream in sorted(streams):
            times, kinds, clean = [], [], 0
            for value in per_user.values():
                marks = [v for v in value.get("violations", []) if v["stream"] == stream]
                if marks:
                    first = min(marks, key=lambda m: m["t"])  # where it *stops* making sense
                    times.append(float(first["t"]))
                    kinds.append(first["type"])
                elif stream in value.get("clean", []):
                    clean += 1
            if len(times) > clean:
                found = {"t": median(times), "type": Counter(kinds).most_common(1)[0][0]}
            else:
                found = {"t": None, "type": ""}
            out[f"{item_id}::{stream}"] = {**found, "n_marked": len(times), "n_clean": clean}
    return out


def align(predictions: list[dict], human: dict[str, dict], tolerance: float) -> dict[str, Any]:
    usable = [p for p in predictions if not p.get("error")]
    excluded = len(predictions) - len(usable)
    coarsest = max((float(p.get("resolution") or 0) for p in usable), default=0.0)
    if usable and tolerance < coarsest:
        return {
            "error": f"a tolerance of {tolerance:g} s is finer than the judge's own resolution "
            f"({coarsest:g} s, half the frame-sampling interval); raise the tolerance",
            "n_predictions": len(predictions),
            "n_excluded_errors": excluded,
        }
    both = hit = judge_only = human_only = neither = 0
    offsets: list[float] = []
    category_hits = category_total = 0
    for p in usable:
        truth = human.get(f"{p['instance_id']}::{p['stream_id']}")
        if truth is None:
            continue
        if p["t"] is None and truth["t"] is None:
            neither += 1
        elif p["t"] is None:
            human_only += 1
        elif truth["t"] is None:
            judge_only += 1
        else:
            both += 1
            offset = abs(float(p["t"]) - float(truth["t"]))
            offsets.append(offset)
            if offset <= tolerance:
                hit += 1
                if truth["type"]:
                    category_total += 1
                    category_hits += p.get("violation_type") == truth["type"]
    compared = both + judge_only + human_only + neither
    return {
        "tolerance": tolerance,
        "judge_resolution": coarsest,
        "n_predictions": len(predictions),
        "n_excluded_errors": excluded,
        "n_compared": compared,
        "detection": {
            "both_found": both,
            "judge_only": judge_only,
            "human_only": human_only,
            "neither_found": neither,
            "agreement_rate": (both + neither) / compared if compared else None,
        },
        "localization": {
            "n_pairs": len(offsets),
            "mean_offset": sum(offsets) / len(offsets) if offsets else None,
            "within_tolerance": hit,
            "hit_rate": hit / both if both else None,
        },
        "category": {
            "n_compared": category_total,
            "matched": category_hits,
            "match_rate": category_hits / category_total if category_total else None,
        },
    }
