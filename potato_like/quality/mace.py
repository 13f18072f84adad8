"""MACE, Multi-Annotator Competence Estimation (Hovy, Berg-Kirkpatrick, Vaswani and Hovy,
NAACL 2013), trained by variational Bayes as in the paper's prior-smoothed variant.

Pure computation (no SQL, no Flask). The model: each item has a true label T (uniform
prior); annotator j either knows it (probability theta_j) and answers T, or guesses from
their own strategy xi_j. Priors: Beta(alpha, alpha) on knowing vs guessing and a symmetric
Dirichlet(beta) on each guessing strategy (the names Potato's `mace.alpha` / `mace.beta`
use). Several random restarts; the one with the best log-likelihood wins.

Everything is vectorised over the flat list of annotations (item, annotator, label): one
E-step is a handful of `np.bincount` calls (docs/performance.md has the figures for
100,000 annotations, bench/mace.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import digamma

DEFAULT_ALPHA = 0.5
DEFAULT_BETA = 0.5


@dataclass(frozen=True)
class MaceFit:
    """The winning restart: per annotator competence (posterior mean of theta), per item
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
    tolerance: float = 1e-7,
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
    best: tuple[float, np.ndarray, np.ndarray, np.ndarray] | None = None
    for _ in range(max(1, num_restarts)):
        # Random start around the priors, as in the reference implementation.
        knowing = np.stack(
            [alpha + rng.random(num_annotators), alpha + rng.random(num_annotators)], axis=1
        )
        strategy = beta + rng.random((num_annotators, num_labels))
        previous = None
        for _ in range(max(1, num_iters)):
            posterior, ll = shape.e_step(knowing, strategy)
            if previous is not None and abs(ll - previous) <= tolerance * abs(ll):
                break  # converged: further iterations change nothing that is reported
            previous = ll
            knowing, strategy = shape.m_step(posterior, knowing, strategy, alpha, beta)
        posterior, ll = shape.e_step(knowing, strategy)
        if best is None or ll > best[0]:
            best = (ll, posterior, knowing, strategy)
    assert best is not None
    ll, posterior, knowing, _strategy = best
    competence = knowing[:, 0] / knowing.sum(axis=1)
    return MaceFit(
        competence=competence,
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

    def _weights(self, knowing: np.ndarray, strategy: np.ndarray):
        """exp E[log theta], exp E[log(1 - theta)], exp E[log xi] under the variational
        Beta/Dirichlet distributions (the "sub-normalised" weights of VB)."""
        total = digamma(knowing.sum(axis=1))
        know = np.exp(digamma(knowing[:, 0]) - total)
        guess = np.exp(digamma(knowing[:, 1]) - total)
        xi = np.exp(digamma(strategy) - digamma(strategy.sum(axis=1, keepdims=True)))
        return know, guess, xi

    def e_step(self, knowing: np.ndarray, strategy: np.ndarray):
        """Posterior over each item's true label, and the log-likelihood (up to VB's
        normalisation)."""
        know, guess, xi = self._weights(knowing, strategy)
        posterior, ll, matched = self.posterior(know, guess, xi)
        self._cache = (know, matched)
        return posterior, ll

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

    def m_step(self, posterior, knowing, strategy, alpha: float, beta: float):
        """Expected counts of knowing / guessing per annotator and of guessed labels, plus
        the priors: the new variational parameters."""
        know, matched = self._cache
        share = (know[:, None] / matched).ravel()  # P(knew | T == a) per (annotator, label)
        p_true = posterior.T.ravel()[self.label_item]  # P(T = the given answer)
        knew = np.bincount(
            self.annotator_label, weights=p_true * share[self.annotator_label],
            minlength=self.annotators * self.labels,
        )  # fmt: skip
        guessed = (self.pair_counts - knew).reshape(self.annotators, self.labels)
        knew_j = knew.reshape(self.annotators, self.labels).sum(axis=1)
        knowing = np.stack([knew_j + alpha, guessed.sum(axis=1) + alpha], axis=1)
        return knowing, guessed + beta
