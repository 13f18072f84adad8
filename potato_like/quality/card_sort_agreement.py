"""Agreement of two card sorts ({group: [cards]}) of the same cards.

- `adjusted_rand`: the adjusted Rand index (Hubert & Arabie 1985, "Comparing partitions",
  Journal of Classification 2:193-218) of the two partitions of the cards both annotators
  placed, computed by scikit-learn's `adjusted_rand_score`. 1 = the same grouping, about 0 =
  no better than chance, negative = worse. Group names are ignored (open sorts name groups
  freely). Undefined (left out) when a card sits in several groups (`allow_multiple`), since
  the groups are then no partition, or when fewer than two cards are shared.
- `cooccurrence_agreement`: the Rand index over the co-occurrence matrices (card x card, 1
  when two cards share a group) that card-sorting analysis builds per participant: the share
  of card pairs on which both annotators agree (together in both, or apart in both). Defined
  for overlapping groups too.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations


def _groups_of(sort: Mapping[str, list[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for group, cards in sort.items():
        for card in cards:
            out.setdefault(card, set()).add(group)
    return out


def sort_pair_scores(a: Mapping[str, list[str]], b: Mapping[str, list[str]]) -> dict[str, float]:
    ga, gb = _groups_of(a), _groups_of(b)
    shared = sorted(set(ga) & set(gb))
    if len(shared) < 2:
        return {}
    agree = total = 0
    for x, y in combinations(shared, 2):
        total += 1
        agree += bool(ga[x] & ga[y]) == bool(gb[x] & gb[y])
    out = {"cooccurrence_agreement": agree / total}
    if all(len(ga[c]) == 1 and len(gb[c]) == 1 for c in shared):
        from sklearn.metrics import adjusted_rand_score

        labels_a = [next(iter(ga[c])) for c in shared]
        labels_b = [next(iter(gb[c])) for c in shared]
        out["adjusted_rand"] = float(adjusted_rand_score(labels_a, labels_b))
    return out
