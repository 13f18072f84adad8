"""MACE, Multi-Annotator Competence Estimation (Hovy, Berg-Kirkpatrick, Vaswani and Hovy,
NAACL 2013), trained by variational Bayes EM, the reference implementation's default.

Pure computation (no SQL, no Flask). The model: each item has a true label T (uniform
prior); annotator j either knows it and answers T, or guesses from their own strategy xi_j.
Priors as in the reference implementation (github.com/dirkhovy/MACE): Beta(alpha, beta) on
guessing vs knowing (alpha > beta: most annotators are assumed unreliable; both 0.5 by
default) and a Dirichlet(10) on each guessing strategy. An annotator's competence is their
variational weight of knowing, as the reference reports it. Several random restarts; the one
with the best log-likelihood wins. tests/unit/test_mace.py checks the results against the
reference implementation's output.

Everything is vectorised over the flat list of annotations (item, annotator, label): one
E-step is a handful of `np.bincount` calls (docs/performance.md has the figures for
100,000 annotations, bench/mace.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import digamma

DEFAULT_ALPHA = 0.5  # Beta prior, guessing side
DEFAULT_BETA = 0.5  # Beta prior, knowing side
STRATEGY_PRIOR = 10.0  # symmetric Dirichlet on each guessing strategy
INIT_NOISE = 0.5  # random starts: weights 1 + U(0, noise), normalised


@dataclass(frozen=True)
class MaceFit:
    """The winning restart: per annotator competence (the weight of knowing), per item
    the posterior over labels, its argmax and its entropy (nats)."""

    competence: np.ndarray  # (annotators,)
    posterior: np.ndarray  # (items, labels)
    predicted: np.ndarray  # (items,) label index
    entropy: np.ndarray  # (items,)
    log_likelihood: float


def fit_mace(
    item: np.ndarray,
    annotator: np.ndarray,
    label: np.ndarray,
    *,
    num_items: int,
    num_annotators: int,
    num_labels: int,
    num_restarts: int = 10,
    num_iters: int = 50,
    alpha: float = DEFAULT_ALPHA,
    beta: float = DEFAULT_BETA,
    seed: int = 0,
    tolerance: float = 1e-9,
) -> MaceFit:
    """Fit MACE to annotations given as three equal-length integer arrays (item index,
    annotator index, label index). A restart stops early when the log-likelihood changes by
    less than `tolerance` (relative) between iterations. Raises ValueError on inconsistent
    input."""
    item = np.asarray(item, dtype=np.int64)
    annotator = np.asarray(annotator, dtype=np.int64)
    label = np.asarray(label, dtype=np.int64)
    if not (item.shape == annotator.shape == label.shape) or item.ndim != 1:
        raise ValueError("item, annotator and label must be 1-d arrays of one length")
    if num_labels < 2 or num_items < 1 or num_annotators < 1 or item.size == 0:
        raise ValueError("MACE needs annotations, items, annotators and two or more labels")
    if item.max() >= num_items or annotator.max() >= num_annotators or label.max() >= num_labels:
        raise ValueError("an index is out of range")
    if min(item.min(), annotator.min(), label.min()) < 0:
        raise ValueError("indexes must not be negative")
    if alpha <= 0 or beta <= 0:
        raise ValueError("alpha and beta must be positive")
    rng = np.random.default_rng(seed)
    shape = _Shape(item, annotator, label, num_items, num_annotators, num_labels)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for _ in range(max(1, num_restarts)):
        # A random start: knowing/guessing and strategy weights near uniform.
        split = 1.0 + INIT_NOISE * rng.random((num_annotators, 2))
        split /= split.sum(axis=1, keepdims=True)
        xi = 1.0 + INIT_NOISE * rng.random((num_annotators, num_labels))
        xi /= xi.sum(axis=1, keepdims=True)
        know, guess = split[:, 0], split[:, 1]
        posterior, ll, matched = shape.posterior(know, guess, xi)
        for _ in range(max(1, num_iters)):
            know, guess, xi = shape.m_step(posterior, know, matched, alpha, beta)
            previous = ll
            posterior, ll, matched = shape.posterior(know, guess, xi)
            if abs(ll - previous) <= tolerance * abs(ll):
                break  # converged: further iterations change nothing that is reported
        if best is None or ll > best[0]:
            best = (ll, posterior, know)
    assert best is not None
    ll, posterior, know = best
    return MaceFit(
        competence=know,
        posterior=posterior,
        predicted=posterior.argmax(axis=1),
        entropy=label_entropy(posterior),
        log_likelihood=float(ll),
    )


def label_entropy(posterior: np.ndarray) -> np.ndarray:
    """Entropy (nats) of each row of a (items, labels) probability matrix."""
    safe = np.where(posterior > 0, posterior, 1.0)
    return -(posterior * np.log(safe)).sum(axis=1)


def majority_vote(item: np.ndarray, label: np.ndarray, num_items: int, num_labels: int):
    """The most common label per item (ties: the lowest label index), for comparison."""
    counts = np.bincount(
        np.asarray(item) * num_labels + np.asarray(label), minlength=num_items * num_labels
    ).reshape(num_items, num_labels)
    return counts.argmax(axis=1)


class _Shape:
    """The fixed index arrays of one fit and the two steps of variational EM.

    Everything per annotation depends only on its (annotator, label) pair, so the steps
    compute small (annotators x labels) tables and gather from them: per iteration, two
    `bincount`s over the annotations and two gathers."""

    def __init__(self, item, annotator, label, num_items, num_annotators, num_labels) -> None:
        self.item, self.annotator, self.label = item, annotator, label
        self.items, self.annotators, self.labels = num_items, num_annotators, num_labels
        # label-major (labels x items) layout: reductions over labels run along rows
        self.label_item = label * num_items + item
        self.annotator_label = annotator * num_labels + label
        # answers per (annotator, label): fixed, so guessed counts are n - knew
        self.pair_counts = np.bincount(
            self.annotator_label, minlength=num_annotators * num_labels
        ).astype(float)

    def posterior(self, know: np.ndarray, guess: np.ndarray, xi: np.ndarray):
        """P(T_i = t | answers) for per-annotator weights of knowing, of guessing and of
        each guessed label: proportional to the product over the item's answers a_j of
        know_j [a_j = t] + guess_j xi_j(a_j). Also the log-likelihood and the
        (annotators x labels) table of the answer's probability when it is the truth."""
        guessed = guess[:, None] * xi  # the answer's probability if T != a
        matched = know[:, None] + guessed  # ... if T == a
        log_guessed = np.log(guessed).ravel()
        log_ratio = np.log(matched).ravel() - log_guessed
        base = np.bincount(
            self.item, weights=log_guessed[self.annotator_label], minlength=self.items
        )
        bonus = np.bincount(
            self.label_item, weights=log_ratio[self.annotator_label],
            minlength=self.items * self.labels,
        ).reshape(self.labels, self.items)  # fmt: skip
        log_joint = bonus + (base - np.log(self.labels))
        top = log_joint.max(axis=0)
        norm = top + np.log(np.exp(log_joint - top).sum(axis=0))
        posterior = np.exp(log_joint - norm)
        return posterior.T, float(norm.sum()), matched

    def m_step(self, posterior, know, matched, alpha: float, beta: float):
        """Expected counts of knowing / guessing per annotator and of guessed labels, plus
        the priors, turned into the new variational weights exp(E[log p])."""
        share = (know[:, None] / matched).ravel()  # P(knew | T == a) per (annotator, label)
        p_true = posterior.T.ravel()[self.label_item]  # P(T = the given answer)
        knew = np.bincount(
            self.annotator_label, weights=p_true * share[self.annotator_label],
            minlength=self.annotators * self.labels,
        )  # fmt: skip
        guessed = (self.pair_counts - knew).reshape(self.annotators, self.labels)
        knew_j = knew.reshape(self.annotators, self.labels).sum(axis=1) + beta
        guessed_j = guessed.sum(axis=1) + alpha
        total = digamma(knew_j + guessed_j)
        strategy = guessed + STRATEGY_PRIOR
        xi = np.exp(digamma(strategy) - digamma(strategy.sum(axis=1, keepdims=True)))
        return np.exp(digamma(knew_j) - total), np.exp(digamma(guessed_j) - total), xi
