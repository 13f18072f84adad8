"""Potato's suspicion score and levels of the annotators list (quality/suspicion.py)."""

from __future__ import annotations

import pytest

from potato_like.quality.suspicion import level, summary, suspicion


@pytest.mark.parametrize(
    "score, name",
    [
        (0, "Normal"),
        (9.99, "Normal"),
        (10, "Low"),
        (29.9, "Low"),
        (30, "Medium"),
        (59.9, "Medium"),
        (60, "High"),
        (79.9, "High"),
        (80, "Very High"),
        (100, "Very High"),
    ],
)
def test_levels_at_potatos_thresholds(score, name):
    assert level(score) == name


def test_no_actions_is_normal():
    assert suspicion([]) == {
        "total_actions": 0,
        "actions_per_minute": 0.0,
        "fast_actions_count": 0,
        "burst_actions_count": 0,
        "suspicious_score": 0,
        "suspicious_level": "Normal",
    }


def test_paced_annotator_is_normal_and_a_clicker_is_very_high():
    paced = suspicion([0, 20, 45, 61, 90])
    assert paced["suspicious_score"] == 0 and paced["suspicious_level"] == "Normal"
    assert paced["actions_per_minute"] == round(5 / 1.5, 2)
    clicker = suspicion([0, 0.1, 0.2, 0.3, 0.4])
    # 4 of 5 fast and in a burst: 0.6 * 80 + 0.4 * 80
    assert clicker["fast_actions_count"] == 4 and clicker["burst_actions_count"] == 4
    assert clicker["suspicious_score"] == 80 and clicker["suspicious_level"] == "Very High"


def test_bursts_without_fast_actions_weigh_less():
    s = suspicion([0, 1, 2, 3, 100])  # 3 of 5 within 2 s, none within 0.5 s
    assert s["fast_actions_count"] == 0 and s["burst_actions_count"] == 3
    assert s["suspicious_score"] == 24 and s["suspicious_level"] == "Low"


def test_summary_counts_levels_like_potato():
    rows = [
        {"suspicious_level": lv, "suspicious_score": sc}
        for lv, sc in [("Very High", 90), ("High", 70), ("Medium", 40), ("Low", 20), ("Normal", 0)]
    ]
    assert summary(rows) == {
        "high_suspicious_count": 2,
        "medium_suspicious_count": 1,
        "low_suspicious_count": 1,
        "normal_count": 1,
        "average_suspicious_score": 44,
    }
    assert summary([])["average_suspicious_score"] == 0
