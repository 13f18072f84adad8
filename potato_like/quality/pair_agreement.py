"""Agreement of types whose answers are records (a post-edit, MQM errors, a QA answer): no
alpha, but the type's own scores (`scheme.pair_scores`, e.g. SQuAD's exact match and F1) of
every two annotators of an item, averaged over all such pairs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import combinations, groupby
from typing import Any

from .agreement import Row, schema_entry

METRIC = "pair_scores"


class PairSource:
    """What project_agreement needs for a `pairwise` scheme: its rows, grouped by item."""

    def __init__(self, rows: Callable[[], Iterable[Row]]):
        self.rows = rows

    def agreement(
        self, scheme: Any, metric: str, min_overlap: int, max_pairs: int
    ) -> tuple[dict[str, Any], float | None, list[str]]:
        return pair_agreement(scheme, self.rows(), min_overlap)


def pair_agreement(
    scheme: Any, rows: Iterable[Row], min_overlap: int
) -> tuple[dict[str, Any], float | None, list[str]]:
    sums: dict[str, float] = dict.fromkeys(scheme.pair_score_names, 0.0)
    counts: dict[str, int] = dict.fromkeys(scheme.pair_score_names, 0)
    pairs = evaluated = annotations = 0
    for _item, group in groupby(rows, key=lambda row: row[0]):
        maps = [label_map for _item, _user, label_map in group if label_map]
        if len(maps) < 2:
            continue
        evaluated += 1
        annotations += len(maps)
        for a, b in combinations(maps, 2):
            pairs += 1
            for name, value in scheme.pair_scores(a, b).items():
                # a score undefined for a pair is left out of the pair's scores
                sums[name] = sums.get(name, 0.0) + value
                counts[name] = counts.get(name, 0) + 1
    entry, _alpha, notes = schema_entry(
        METRIC,
        evaluated=evaluated,
        total_annotations=annotations,
        min_overlap=min_overlap,
        alpha_of=lambda: None,
        fleiss=None,
        pairwise=([], None),
        undefined_note="no alpha for this type: see pairwise_scores",
    )
    entry["pairwise_scores"] = {
        name: (round(total / counts[name], 4) if counts[name] else None)
        for name, total in sums.items()
    }
    entry["annotator_pairs"] = pairs
    if evaluated < min_overlap:
        entry["pairwise_scores"] = dict.fromkeys(sums)
    return entry, None, [n for n in notes if not n.startswith("no alpha")]
