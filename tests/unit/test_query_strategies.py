"""BADGE (gradient-embedding k-means++ on the linear model) and BALD (bootstrap-ensemble
mutual information) on small made-up pools whose right answers are known."""

from __future__ import annotations

import random

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from potato_like.assign.query_strategies import badge_order, bald_scores


def clustered_pool():
    """Three clusters of identical rows (equally uncertain) and two confident rows."""
    X = sparse.csr_matrix(np.array(
        [[1, 0, 0, 0]] * 4 + [[0, 1, 0, 0]] * 4 + [[0, 0, 1, 0]] * 4 + [[0, 0, 0, 1]] * 2,
        dtype=float,
    ))  # fmt: skip
    probs = np.array([[0.5, 0.5]] * 12 + [[0.99, 0.01]] * 2)
    return X, probs


def test_badge_never_picks_a_duplicate_and_prefers_uncertain_items():
    X, probs = clustered_pool()
    uncertain = 0
    for seed in range(200):
        order = badge_order(probs, X, 3, random.Random(seed))
        clusters = [min(i // 4, 3) for i in order]  # rows 12-13: the confident "cluster"
        assert len(set(clusters)) == 3  # a duplicate of a chosen row is never chosen
        uncertain += sum(i < 12 for i in order)
    # k-means++ samples by squared distance: after the first pick an uncertain row of
    # another cluster weighs 1.0, a confident row about 0.5 (about 0.9 expected).
    assert uncertain / 600 > 0.8


def test_badge_starts_with_the_largest_gradient_and_ranks_everything():
    X, probs = clustered_pool()
    probs = probs.copy()
    X = X.tolil()
    X[9, 2] = 3.0  # a longer feature row: a longer gradient embedding
    order = badge_order(probs, X.tocsr(), 50, random.Random(0))
    assert order[0] == 9
    assert sorted(order) == list(range(14))  # head beyond the pool: every item once
    assert badge_order(probs, X.tocsr(), 0, random.Random(0)) == []


def test_bald_scores_disagreement_highest_on_mixed_items():
    rng = random.Random(3)
    pos, neg = ["great", "love", "superb"], ["awful", "hate", "broken"]
    texts, labels = [], []
    for i in range(40):
        words = pos if i % 2 == 0 else neg
        texts.append(" ".join([*rng.sample(words, 2), "movie"]))
        labels.append("pos" if i % 2 == 0 else "neg")
    vec = TfidfVectorizer().fit([*texts, "great awful", "love hate"])
    pool = ["great love superb movie", "awful hate broken movie", "great awful", "love hate"]
    scores = bald_scores(vec.transform(texts), labels, vec.transform(pool),
                         n_estimators=10, fraction=0.5, seed=1)  # fmt: skip
    assert scores.shape == (4,) and (scores >= -1e-9).all()
    assert min(scores[2], scores[3]) > max(scores[0], scores[1])


def test_bald_needs_two_labels():
    vec = TfidfVectorizer().fit(["ab cd", "ef gh"])
    X = vec.transform(["ab cd", "ef gh"])
    assert bald_scores(X, ["x", "x"], X) is None
