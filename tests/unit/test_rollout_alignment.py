"""The rollout judge's pure parts: sampling times, verdict parsing and the human consensus
it is scored against (ties, earliest marks, silence)."""

from __future__ import annotations

import pytest

from potato_like.rollouts.alignment import align, human_consensus
from potato_like.rollouts.judge import parse_verdict, resolution, sample_times


def v(stream, t, kind="gravity_violation"):
    return {"stream": stream, "t": t, "type": kind, "severity": 1}


def test_sampling_stays_off_the_edges_and_resolution_is_half_a_step():
    assert sample_times(6.0, 12) == pytest.approx([0.25 + 0.5 * i for i in range(12)])
    assert resolution(6.0, 12) == 0.25
    assert sample_times(0, 12) == [] and resolution(0, 12) == 0.0


def test_verdicts_are_revalidated():
    times = [0.5, 1.5, 2.5]
    assert parse_verdict('```json\n{"break_tile": "2", "violation_type": "X"}\n```', times,
                         ["x"])["t"] == 1.5  # fmt: skip
    assert (
        parse_verdict('{"break_tile": 2, "violation_type": "other"}', times, ["x"])[
            "violation_type"
        ]
        == ""
    )
    assert parse_verdict('{"break_tile": 0, "confidence": 7}', times, [])["confidence"] == 1.0
    assert "tile 4 of 3" in parse_verdict('{"break_tile": 4}', times, [])["error"]


def test_consensus_ties_earliest_marks_and_silence():
    rows = {
        "i1": {
            "a": {"violations": [v("s1", 3.0), v("s1", 1.0, "appearance_drift")]},
            "b": {"violations": [], "clean": ["s1", "s2"]},
            "c": {"violations": [v("s1", 2.0, "appearance_drift")]},
        },
        "i2": {"a": {"violations": [v("s1", 1.0)]}, "b": {"clean": ["s1"]}},
    }
    out = human_consensus(rows)
    # i1/s1: two marks (earliest 1.0 and 2.0) against one clean -> median 1.5
    assert out["i1::s1"] == {"t": 1.5, "type": "appearance_drift", "n_marked": 2, "n_clean": 1}
    assert out["i1::s2"]["t"] is None  # cleared, never marked
    assert out["i2::s1"]["t"] is None  # a tie is "no break"
    assert "i1::s3" not in out  # nobody answered about it


def test_alignment_counts_and_refuses_a_tolerance_below_resolution():
    human = {"i::a": {"t": 1.0, "type": "x"}, "i::b": {"t": None, "type": ""}}
    preds = [
        {"instance_id": "i", "stream_id": "a", "t": 1.2, "violation_type": "y", "resolution": 0.1},
        {"instance_id": "i", "stream_id": "b", "t": 2.0, "resolution": 0.1},
        {"instance_id": "i", "stream_id": "c", "t": None, "resolution": 0.1, "error": "boom"},
    ]
    out = align(preds, human, 0.5)
    assert out["detection"]["both_found"] == 1 and out["detection"]["judge_only"] == 1
    assert out["category"] == {"n_compared": 1, "matched": 0, "match_rate": 0.0}
    assert out["n_excluded_errors"] == 1 and out["n_compared"] == 2
    assert "finer than" in align(preds, human, 0.05)["error"]
