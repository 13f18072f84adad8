"""Agreement from the aggregates the save keeps (store/aggregates.py) instead of every row.

A cell counts ordered pairs of two different annotators' stored values (value_a, value_b) in
items with `unit_size` finished annotators. Everything agreement.py computes from the rows
is a sum over such pairs:

- Krippendorff's coincidence o_ck = sum over cells with values (c, k) of n / (unit_size - 1);
- items of size m = pairs of size m / (m (m - 1)); annotations = m x items;
- Fleiss' kappa at the most common size m: P_bar = same-value pairs / (m (m - 1) items),
  category totals = pairs starting with that category / (m - 1);
- the confusion view = pairs summed over sizes.

Stored values are mapped through the scheme as in agreement.value_reader. An answer the
scheme cannot place (free text on a Likert scale, a value that is no number) drops out of
its unit in the row-by-row computation and changes the unit's size, which cells cannot
express: then the schema is computed from the rows (`CellSource.rows`), as before.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .agreement import (
    CATEGORICAL,
    Row,
    _delta,
    _domain,
    _kappa_from_table,
    _round,
    alpha_from_coincidences,
    confusion,
    fleiss_json,
    pairs_note,
    schema_agreement,
    schema_entry,
    value_reader,
)

CellRow = tuple[int, str, str, int]  # unit_size, value_a, value_b, n


@dataclass
class CellSource:
    """One schema's aggregates, and the exact rows to fall back on."""

    cells: list[CellRow]
    # (least shared items, limit) -> (pairs with name_a, name_b, shared and their table of
    # stored values -> items; how many pairs share `least` or more)
    top_pairs: Callable[[int, int], tuple[list[Any], int]]
    rows: Callable[[], Iterable[Row]]

    def agreement(self, scheme: Any, metric: str, min_overlap: int, max_pairs: int):
        read = _reader(scheme, metric)
        converted = _convert_cells(self.cells, read)
        if converted is None:
            return schema_agreement(scheme, metric, self.rows(), min_overlap, max_pairs)
        _convert, order = value_reader(scheme, metric)
        units = Counter()  # unit size -> items
        for size, _a, _b, n in converted:
            units[size] += n
        units = Counter({m: pairs // (m * (m - 1)) for m, pairs in units.items()})
        categorical = metric in CATEGORICAL
        pairwise = None
        if categorical:
            pairs, eligible = self.top_pairs(min_overlap, max_pairs)
            pairwise = (_pair_kappas(pairs, read), pairs_note(eligible, max_pairs))
        return schema_entry(
            metric,
            evaluated=sum(units.values()),
            total_annotations=sum(m * k for m, k in units.items()),
            min_overlap=min_overlap,
            alpha_of=lambda: _alpha(converted, metric, order),
            fleiss=_fleiss(converted, units) if categorical else None,
            pairwise=pairwise,
        )

    def confusion(self, scheme: Any) -> dict[str, Any]:
        read = _reader(scheme, "nominal")
        converted = _convert_cells(self.cells, read)
        if converted is None:
            return confusion(self.rows(), scheme)
        counts: Counter = Counter()
        for _size, a, b, n in converted:
            counts[(a, b)] += n
        labels = [*scheme.label_names]
        extra = sorted({str(v) for pair in counts for v in pair} - {str(x) for x in labels})
        labels += extra
        by_text = Counter({(str(a), str(b)): n for (a, b), n in counts.items()})
        return {
            "labels": [str(x) for x in labels],
            "matrix": [[by_text[(str(a), str(b))] for b in labels] for a in labels],
            "max": max(counts.values(), default=0),
        }


def _reader(scheme: Any, metric: str) -> Callable[[str], Any]:
    convert, _order = value_reader(scheme, metric)
    cache: dict[str, Any] = {}

    def read(raw: str) -> Any:
        if raw not in cache:
            cache[raw] = convert(json.loads(raw))
        return cache[raw]

    return read


def _convert_cells(cells: list[CellRow], read: Callable[[str], Any]) -> list | None:
    """Cells in the scheme's values, merged; None when some stored value has no place."""
    merged: Counter = Counter()
    for size, a, b, n in cells:
        va, vb = read(a), read(b)
        if va is None or vb is None:
            return None
        merged[(size, va, vb)] += n
    return [(size, a, b, n) for (size, a, b), n in merged.items() if n]


def _alpha(converted: list, metric: str, order: Any) -> float | None:
    seen = [[a for _size, a, _b, _n in converted]]
    if metric == "masi":
        seen = [[frozenset(v) for v in seen[0]]]
    domain = _domain(seen, metric, order)
    if len(domain) < 2:
        return None
    index = {value: i for i, value in enumerate(domain)}
    key = frozenset if metric == "masi" else (lambda v: v)
    coincidences = np.zeros((len(domain), len(domain)))
    for size, a, b, n in converted:
        coincidences[index[key(a)], index[key(b)]] += n / (size - 1)
    return alpha_from_coincidences(coincidences, lambda n_v: _delta(metric, domain, n_v))


def _fleiss(converted: list, units: Counter) -> dict[str, Any]:
    if not units:
        return fleiss_json(None, None, 0, 0)
    m = max(units, key=lambda size: (units[size], size))
    items = units[m]
    same = 0
    totals: Counter = Counter()
    for size, a, b, n in converted:
        if size != m:
            continue
        totals[a] += n
        if a == b:
            same += n
    p_bar = same / (m * (m - 1) * items)
    p_e = sum((t / (m - 1) / (items * m)) ** 2 for t in totals.values())
    kappa = None if p_e >= 1 - 1e-12 else (p_bar - p_e) / (1 - p_e)
    return fleiss_json(kappa, m, items, sum(units.values()) - items)


def _pair_kappas(pairs: list[Any], read: Callable[[str], Any]) -> list[dict[str, Any]]:
    out = []
    for pair in pairs:
        table: dict = defaultdict(int)
        for (a, b), n in pair.table.items():
            table[(read(a), read(b))] += n
        out.append(
            {
                "a": pair.name_a,
                "b": pair.name_b,
                "kappa": _round(_kappa_from_table(table)),
                "items": pair.shared,
            }
        )
    return out


__all__ = ["CellSource"]
