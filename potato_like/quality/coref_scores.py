"""Coreference agreement: MUC (Vilain et al. 1995), B³ (Bagga & Baldwin 1998) and entity-based
CEAF (φ4, Luo 2005) between two clusterings of mentions, and their mean (the CoNLL-2012
score), following the definitions of the reference scorer (Pradhan et al. 2014). A mention is
any hashable (here the (start, end) offsets of a span); a clustering is a list of chains.
Precision and recall swap when the two clusterings swap, so each F1 is symmetric: between two
annotators it is an agreement measure."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

Chains = list[frozenset[Hashable]]


def as_chains(chains: Iterable[Iterable[Hashable]]) -> Chains:
    return [frozenset(c) for c in chains if c]


def f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


def muc_recall(key: Chains, response: Chains) -> float | None:
    """Σ(|k| - partitions of k by the response) / Σ(|k| - 1); a key mention the response
    leaves out is a partition of its own."""
    where = {m: i for i, chain in enumerate(response) for m in chain}
    num = den = 0
    for chain in key:
        parts = {where.get(m, ("alone", m)) for m in chain}
        num += len(chain) - len(parts)
        den += len(chain) - 1
    return _ratio(num, den)


def b_cubed_recall(key: Chains, response: Chains) -> float | None:
    """Σ_k Σ_r |k∩r|² / |k|, over the number of key mentions."""
    num = sum(len(k & r) ** 2 / len(k) for k in key for r in response)
    return _ratio(num, sum(len(k) for k in key))


def ceaf_e(key: Chains, response: Chains) -> tuple[float | None, float | None]:
    """(precision, recall) of entity CEAF: the best one-to-one alignment of chains by
    φ4(k, r) = 2|k∩r| / (|k| + |r|)."""
    if not key or not response:
        return (None if not response else 0.0), (None if not key else 0.0)
    import numpy as np  # loaded on first use
    from scipy.optimize import linear_sum_assignment

    sim = np.array([[2 * len(k & r) / (len(k) + len(r)) for r in response] for k in key])
    rows, cols = linear_sum_assignment(sim, maximize=True)
    total = float(sim[rows, cols].sum())
    return total / len(response), total / len(key)


def scores(a: Iterable[Iterable[Hashable]], b: Iterable[Iterable[Hashable]]) -> dict[str, float]:
    """F1 of MUC, B³ and CEAF-e between clusterings `a` and `b`, and their mean (`conll_f1`).
    A measure undefined for these two (e.g. MUC when every chain is a singleton) is left out;
    two empty clusterings agree fully."""
    key, response = as_chains(a), as_chains(b)
    if not key and not response:
        return {"muc_f1": 1.0, "b_cubed_f1": 1.0, "ceafe_f1": 1.0, "conll_f1": 1.0}
    out: dict[str, float] = {}
    recall, precision = muc_recall(key, response), muc_recall(response, key)
    # MUC counts links: undefined when neither side links two mentions; when only one side
    # does, the other side's share is 0.
    muc = None if recall is None and precision is None else f1(precision or 0.0, recall or 0.0)
    b3 = f1(b_cubed_recall(response, key), b_cubed_recall(key, response))
    ceaf = f1(*ceaf_e(key, response))
    for name, value in (("muc_f1", muc), ("b_cubed_f1", b3), ("ceafe_f1", ceaf)):
        out[name] = 0.0 if value is None else value
    if muc is None:
        del out["muc_f1"]
    out["conll_f1"] = sum(out.values()) / len(out)
    return out
