"""MUC, B³ and CEAF-e against values computed by hand (the worked example of Pradhan et al.
2014, "Scoring coreference partitions of predicted mentions"), edge cases, and against the
`scorch` reference implementation on random clusterings when it is installed."""

from __future__ import annotations

import random

import pytest

from potato_like.quality.coref_scores import (
    as_chains,
    b_cubed_recall,
    ceaf_e,
    muc_recall,
    scores,
)

KEY = as_chains([{"a", "b", "c"}, {"d", "e", "f", "g"}])
RESPONSE = as_chains([{"a", "b"}, {"c", "d"}, {"f", "g", "h", "i"}])


def test_muc_by_hand():
    # key {a,b,c} is cut in 2 by the response, {d,e,f,g} in 3 ({d}, {e} missing, {f,g}):
    # recall (3-2 + 4-3) / (2 + 3) = 0.4; precision (2-1 + 2-2 + 4-3) / (1 + 1 + 3) = 0.4
    assert muc_recall(KEY, RESPONSE) == pytest.approx(0.4)
    assert muc_recall(RESPONSE, KEY) == pytest.approx(0.4)


def test_b_cubed_by_hand():
    # recall (4/3 + 1/3 + 1/4 + 4/4) / 7; precision (4/2 + 1/2 + 1/2 + 4/4) / 8
    assert b_cubed_recall(KEY, RESPONSE) == pytest.approx((4 / 3 + 1 / 3 + 1 / 4 + 1) / 7)
    assert b_cubed_recall(RESPONSE, KEY) == pytest.approx(0.5)


def test_ceaf_e_by_hand():
    # best alignment {a,b,c}-{a,b} (φ4 = 4/5) and {d,e,f,g}-{f,g,h,i} (φ4 = 4/8): 1.3
    precision, recall = ceaf_e(KEY, RESPONSE)
    assert recall == pytest.approx(1.3 / 2) and precision == pytest.approx(1.3 / 3)


def test_scores_are_symmetric_f1s_and_their_mean():
    got = scores(KEY, RESPONSE)
    b3 = 2 * (0.5 * 0.41666666) / (0.5 + 0.41666666)
    assert got["muc_f1"] == pytest.approx(0.4)
    assert got["b_cubed_f1"] == pytest.approx(b3, abs=1e-6)
    assert got["ceafe_f1"] == pytest.approx(0.52)
    assert got["conll_f1"] == pytest.approx((0.4 + b3 + 0.52) / 3, abs=1e-6)
    assert scores(RESPONSE, KEY) == pytest.approx(got)


def test_identical_and_empty_clusterings():
    assert scores(KEY, KEY) == pytest.approx(
        {"muc_f1": 1, "b_cubed_f1": 1, "ceafe_f1": 1, "conll_f1": 1}
    )
    assert scores([], []) == {"muc_f1": 1.0, "b_cubed_f1": 1.0, "ceafe_f1": 1.0, "conll_f1": 1.0}
    one_sided = scores(KEY, [])
    assert one_sided["b_cubed_f1"] == 0 and one_sided["ceafe_f1"] == 0 and one_sided["muc_f1"] == 0


def test_muc_is_left_out_when_nobody_links_two_mentions():
    got = scores([{"a"}, {"b"}], [{"a"}, {"c"}])
    assert "muc_f1" not in got  # MUC counts links: undefined with singletons only
    assert got["b_cubed_f1"] == pytest.approx(0.5)
    assert got["conll_f1"] == pytest.approx((got["b_cubed_f1"] + got["ceafe_f1"]) / 2)


def random_clustering(rng: random.Random, mentions: list[str]) -> list[set[str]]:
    chosen = [m for m in mentions if rng.random() < 0.8]
    chains: list[set[str]] = []
    for m in chosen:
        if chains and rng.random() < 0.6:
            rng.choice(chains).add(m)
        else:
            chains.append({m})
    return chains


def test_agrees_with_the_scorch_reference_scorer():
    reference = pytest.importorskip("scorch.scores")
    rng = random.Random(7)
    mentions = [f"m{i}" for i in range(12)]
    for _ in range(200):
        key, response = random_clustering(rng, mentions), random_clustering(rng, mentions)
        if not key or not response:
            continue
        got = scores(key, response)
        assert got["b_cubed_f1"] == pytest.approx(reference.b_cubed(key, response)[2])
        assert got["ceafe_f1"] == pytest.approx(float(reference.ceaf_e(key, response)[2]))
        if "muc_f1" in got and any(len(c) > 1 for c in key) and any(len(c) > 1 for c in response):
            assert got["muc_f1"] == pytest.approx(reference.muc(key, response)[2])
