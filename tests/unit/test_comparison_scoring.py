"""Scoring of comparisons against hand-computed and known values."""

from __future__ import annotations

import math

import choix
import numpy as np
import pytest

from potato_like.comparisons import choice_mle, pairwise_scores, scoring, tuples
from potato_like.comparisons.scoring import Judgement, judgement
from potato_like.errors import DataError
from potato_like.quality.unit_agreement import kendalls_w

# Three judgements over items a..e, worked out by hand:
#   (a b c d) best a, worst d;  (a b c e) best b, worst e;  (b c d e) best c, worst d
# a: best 1, worst 0, shown 2 -> 0.5      b: 1, 0, 3 -> 1/3     c: 1, 0, 3 -> 1/3
# d: best 0, worst 2, shown 2 -> -1       e: 0, 1, 2 -> -0.5
JUDGEMENTS = [
    judgement(["a", "b", "c", "d"], "A", "D"),
    judgement(["a", "b", "c", "e"], "B", "D"),
    judgement(["b", "c", "d", "e"], "B", "C"),
]


def test_counting_matches_hand_computed_values():
    scores = scoring.score(JUDGEMENTS, "counting")
    assert scores["a"] == {"score": 0.5, "best_count": 1, "worst_count": 0, "appearances": 2}
    assert scores["b"]["score"] == pytest.approx(1 / 3)
    assert scores["c"]["score"] == pytest.approx(1 / 3)
    assert scores["d"]["score"] == -1.0
    assert scores["e"]["score"] == -0.5
    ranked = scoring.ranked(scores)
    assert [r["item_id"] for r in ranked] == ["a", "b", "c", "e", "d"]
    assert [r["rank"] for r in ranked] == [1, 2, 3, 4, 5]


def test_judgement_refuses_incomplete_or_equal_picks():
    assert judgement(["a", "b"], "A", "A") is None
    assert judgement(["a", "b"], "A", None) is None
    assert judgement(["a", "b"], "C", "A") is None
    assert judgement(["a", "b", "c"], "C", "A") == Judgement(("a", "b", "c"), 2, 0)


def test_unknown_method_is_an_error():
    with pytest.raises(ValueError, match="unknown scoring method 'elo'"):
        scoring.score(JUDGEMENTS, "elo")


def test_bradley_terry_of_two_items_recovers_the_log_odds():
    # 2-item tuples are plain pairs: x beats y 30 times of 40, so the MLE of
    # theta_x - theta_y is ln 3 (the light regularisation moves it by < 1% at this size).
    data = [judgement(["x", "y"], "A", "B")] * 30 + [judgement(["x", "y"], "B", "A")] * 10
    s = scoring.score(data, "bradley_terry")
    assert s["x"]["score"] - s["y"]["score"] == pytest.approx(math.log(3), rel=0.01)
    assert s["x"]["score"] == pytest.approx(-s["y"]["score"])


def test_models_recover_a_known_order_from_simulated_judges():
    # Items with known strengths; judges follow the max-diff model. Both models rank the
    # items in the true order (Spearman > 0.95) with enough judgements.
    rng = np.random.default_rng(1)
    truth = np.linspace(2, -2, 12)
    ids = [f"i{n:02d}" for n in range(12)]
    data = []
    for _ in range(1500):
        members = rng.choice(12, size=4, replace=False)
        u = truth[members]
        pairs = [(b, w) for b in range(4) for w in range(4) if b != w]
        weights = np.array([math.exp(u[b] - u[w]) for b, w in pairs])
        b, w = pairs[rng.choice(len(pairs), p=weights / weights.sum())]
        data.append(Judgement(tuple(ids[m] for m in members), b, w))
    for method in ("counting", "bradley_terry", "plackett_luce"):
        scores = scoring.score(data, method)
        got = np.array([scores[i]["score"] for i in ids])
        rho = np.corrcoef(np.argsort(np.argsort(-got)), np.arange(12))[0, 1]
        assert rho > 0.95, (method, rho)


def test_plackett_luce_of_pairs_equals_bradley_terry():
    # With 2-item tuples the best is a top-1 choice from a pair: Plackett-Luce and
    # Bradley-Terry are the same model and must agree.
    data = [judgement(["x", "y"], "A", "B")] * 2 + [
        judgement(["y", "z"], "A", "B"),
        judgement(["x", "z"], "B", "A"),
        judgement(["x", "z"], "A", "B"),
    ]
    pl = scoring.score(data, "plackett_luce")
    bt = scoring.score(data, "bradley_terry")
    for item in "xyz":
        assert pl[item]["score"] == pytest.approx(bt[item]["score"], abs=1e-6)


def test_pairwise_bradley_terry_intervals():
    rows = pairwise_scores.bradley_terry([("x", "y", "A")] * 3 + [("x", "y", "B")])
    x, y = rows
    assert x["item_id"] == "x" and x["rank"] == 1
    assert x["score"] - y["score"] == pytest.approx(math.log(3), rel=0.01)
    # Fisher information of the difference is n p (1 - p) = 4 * 3/4 * 1/4 = 0.75, so each
    # centred strength has SE sqrt(1 / 0.75) / 2 = 0.577.
    assert x["se"] == pytest.approx(math.sqrt(1 / 0.75) / 2, rel=0.01)
    assert x["ci_low"] == pytest.approx(x["score"] - 1.96 * x["se"], abs=1e-3)
    assert (x["wins"], x["losses"], x["ties"]) == (3, 1, 0)


def test_pairwise_ties_count_half_each_way():
    rows = pairwise_scores.bradley_terry([("x", "y", "tie")] * 4)
    assert rows[0]["score"] == pytest.approx(0, abs=1e-9) and rows[0]["ties"] == 4
    assert pairwise_scores.bradley_terry([]) == []


def test_our_fitter_matches_choix_on_pairs_and_choices():
    # choice_mle.fit minimises choix's penalised objective; on small data choix's own
    # (pure-Python) optimisers must give the same estimates.
    rng = np.random.default_rng(3)
    pairs = [tuple(int(x) for x in rng.choice(6, 2, replace=False)) for _ in range(60)]
    ours = choice_mle.fit(6, [(w, [l_]) for w, l_ in pairs], penalty=0.01)
    theirs = choix.opt_pairwise(6, pairs, alpha=0.01)
    np.testing.assert_allclose(ours, theirs - np.mean(theirs), atol=1e-4)
    top1 = []
    for _ in range(60):
        members = [int(x) for x in rng.choice(6, 4, replace=False)]
        top1.append((members[0], members[1:]))
    ours = choice_mle.fit(6, top1, penalty=0.01)
    theirs = choix.opt_top1(6, top1, alpha=0.01)
    np.testing.assert_allclose(ours, theirs - np.mean(theirs), atol=1e-4)


def test_kendalls_w_hand_computed():
    # two raters, ranks (1,2,3) and (2,1,3): rank sums 3, 3, 6; mean 4; S = 6;
    # W = 12 S / (m^2 (n^3 - n)) = 72 / 96
    w = kendalls_w([{"a": 1, "b": 2, "c": 3}, {"a": 2, "b": 1, "c": 3}], ["a", "b", "c"])
    assert w == pytest.approx(0.75)
    same = {"a": 1, "b": 2, "c": 3}
    assert kendalls_w([same, same, same], ["a", "b", "c"]) == pytest.approx(1.0)
    assert kendalls_w([same], ["a", "b", "c"]) is None


def test_tuples_are_balanced_distinct_and_reproducible():
    pool = [tuples.PoolItem(f"p{i}", f"t{i}") for i in range(10)]
    made = tuples.make_tuples(pool, 4, seed=5, min_appearances=4)
    assert len(made) == 10  # ceil(10 * 4 / 4)
    counts = {}
    for t in made:
        assert len({p.id for p in t}) == 4
        for p in t:
            counts[p.id] = counts.get(p.id, 0) + 1
    assert set(counts.values()) == {4}
    assert made == tuples.make_tuples(pool, 4, seed=5, min_appearances=4)
    assert made != tuples.make_tuples(pool, 4, seed=6, min_appearances=4)
    assert len(tuples.make_tuples(pool, 4, seed=5, num_tuples=3)) == 3
    with pytest.raises(DataError, match="larger than the pool"):
        tuples.make_tuples(pool[:3], 4, seed=1)
