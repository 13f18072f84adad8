"""BADGE and BALD for active learning (Potato's `query_strategy: badge | bald`), on the
builtin model (a linear model over TF-IDF features) with scikit-learn and numpy only.

- BADGE (Ash et al., 2020): each pool item's gradient embedding for the last layer of a
  softmax model is `(p - onehot(argmax p)) ⊗ x`, the outer product of the residual of its
  predicted label and its feature row. Its length grows with uncertainty; k-means++ seeding
  on these embeddings picks items that are uncertain and unlike each other. The embeddings
  are never built: inner products factor as `(r_i · r_j)(x_i · x_j)`, so each pick costs
  one sparse product over the pool.
- BALD (Houlsby et al., 2011), approximated by a bootstrap ensemble: `n_estimators`
  logistic regressions, each fit on a bootstrap sample (`bootstrap_fraction` of the
  answers, drawn with replacement); an item's score is the mutual information between its
  label and the ensemble member, H(mean p) - mean H(p).
"""

from __future__ import annotations

import random

import numpy as np


def badge_order(probs: np.ndarray, X, head: int, rng: random.Random) -> list[int]:
    """Up to `head` pool indexes in BADGE's order. `probs`: n x classes; `X`: n feature
    rows (sparse or dense)."""
    n = probs.shape[0]
    head = min(head, n)
    if head == 0:
        return []
    residual = probs.copy()
    residual[np.arange(n), probs.argmax(axis=1)] -= 1.0
    gram_x = _row_norms(X)
    norms = (residual**2).sum(axis=1) * gram_x  # |g_i|^2 = |r_i|^2 |x_i|^2
    first = int(np.argmax(norms))
    picked = [first]
    closest = _sq_dist(residual, X, norms, first)
    np_rng = np.random.default_rng(rng.randrange(2**32))
    while len(picked) < head:
        weights = np.clip(closest, 0, None)
        weights[picked] = 0
        total = weights.sum()
        if total <= 1e-12:  # the rest coincide with chosen centres: most uncertain next
            rest = [i for i in np.argsort(-norms, kind="stable") if i not in set(picked)]
            picked.extend(int(i) for i in rest[: head - len(picked)])
            break
        j = int(np_rng.choice(n, p=weights / total))
        picked.append(j)
        closest = np.minimum(closest, _sq_dist(residual, X, norms, j))
    return picked


def _row_norms(X) -> np.ndarray:
    if hasattr(X, "multiply"):
        return np.asarray(X.multiply(X).sum(axis=1)).ravel()
    return (np.asarray(X) ** 2).sum(axis=1)


def _sq_dist(residual: np.ndarray, X, norms: np.ndarray, j: int) -> np.ndarray:
    """|g_i - g_j|^2 for every pool item i."""
    dot_x = X @ X[j].T
    dot_x = dot_x.toarray().ravel() if hasattr(dot_x, "toarray") else np.asarray(dot_x).ravel()
    inner = (residual @ residual[j]) * dot_x
    return norms + norms[j] - 2 * inner


def bald_scores(
    train_X, train_y: list[str], pool_X, *, n_estimators: int = 5, fraction: float = 0.8,
    seed: int = 0,
) -> np.ndarray | None:  # fmt: skip
    """Mutual information per pool row from a bootstrap ensemble; None when fewer than two
    labels or two members could be fit."""
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(train_y, dtype=object)
    classes = sorted(set(train_y))
    if len(classes) < 2:
        return None
    rng = np.random.default_rng(seed)
    size = max(2, round(fraction * len(y)))
    members = []
    for _ in range(n_estimators):
        rows = rng.integers(0, len(y), size=size)
        if len(set(y[rows])) < 2:
            continue
        model = LogisticRegression(max_iter=300).fit(train_X[rows], y[rows])
        probs = np.zeros((pool_X.shape[0], len(classes)))
        cols = [classes.index(c) for c in model.classes_]
        probs[:, cols] = model.predict_proba(pool_X)
        members.append(probs)
    if len(members) < 2:
        return None
    stack = np.stack(members)  # members x n x classes
    mean = stack.mean(axis=0)
    return _entropy(mean) - _entropy(stack).mean(axis=0)


def _entropy(p: np.ndarray) -> np.ndarray:
    return -(p * np.log(np.clip(p, 1e-12, 1.0))).sum(axis=-1)
