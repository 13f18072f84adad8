"""Inter-annotator agreement: Krippendorff's alpha, Cohen's and Fleiss' kappa.

Pure computation (no SQL, no Flask): `project_agreement` takes the config and, per schema, an
iterable of (item, annotator, label map) rows and returns the `GET /admin/api/agreement` body.

Alpha for nominal / ordinal / interval / ratio data comes from the `krippendorff` library. The
library builds an (items x values x values) array, which is fine for labels but not for a
slider with 101 values over a million items; above `LIBRARY_CELLS` we compute the same
coincidence-matrix formula with one matrix product instead (tests check both paths against
Krippendorff's published example). Multiselect answers are sets and use MASI distance
(Passonneau 2006) in that same formula.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, groupby
from typing import Any

import krippendorff
import numpy as np

LIBRARY_METRICS = ("nominal", "ordinal", "interval", "ratio")
METRICS = (*LIBRARY_METRICS, "masi")
# Largest items x values x values array we let the library allocate (float64: 32 MB).
LIBRARY_CELLS = 4_000_000

CATEGORICAL = ("nominal", "ordinal")  # kappa needs categories
FREE_RESPONSE = "free_response"  # the "Other" box of choice schemes, one category

ALPHA_GOOD = 0.8
ALPHA_TENTATIVE = 0.667
# Landis & Koch (1977): upper bound of each band from 0 up, checked in order.
KAPPA_BANDS = (
    (0.20, "Slight agreement"),
    (0.40, "Fair agreement"),
    (0.60, "Moderate agreement"),
    (0.80, "Substantial agreement"),
)
UNDEFINED = "Undefined"
INSUFFICIENT = "Insufficient data"

Units = Mapping[Hashable, Sequence[Any]]


# -- interpretation ----------------------------------------------------------------------
def interpret_alpha(alpha: float | None) -> str:
    """Krippendorff's bands: >= .800 reliable, >= .667 tentative conclusions only."""
    if alpha is None:
        return UNDEFINED
    if alpha >= ALPHA_GOOD:
        return "Good agreement"
    if alpha >= ALPHA_TENTATIVE:
        return "Tentative agreement"
    return "Poor agreement"


def interpret_kappa(kappa: float | None) -> str:
    if kappa is None:
        return UNDEFINED
    if kappa < 0:
        return "Poor agreement"
    for upper, name in KAPPA_BANDS:
        if kappa <= upper:
            return name
    return "Almost perfect agreement"


# -- Krippendorff's alpha ----------------------------------------------------------------
def masi_distance(a: Iterable[Hashable], b: Iterable[Hashable]) -> float:
    """1 - Jaccard x monotonicity (1 equal, 2/3 subset, 1/3 overlapping, 0 disjoint)."""
    a, b = frozenset(a), frozenset(b)
    if a == b:
        return 0.0
    shared = len(a & b)
    if not shared:
        return 1.0
    monotonicity = 2 / 3 if (a <= b or b <= a) else 1 / 3
    return 1.0 - shared / len(a | b) * monotonicity


def pairable(units: Units) -> list[list[Any]]:
    """The units' present values, keeping only units with at least two of them."""
    out = []
    for values in units.values():
        present = [v for v in values if not _missing(v)]
        if len(present) >= 2:
            out.append(present)
    return out


def krippendorff_alpha(
    units: Units,
    metric: str,
    order: Sequence[Any] | None = None,
    *,
    library_cells: int = LIBRARY_CELLS,
) -> float | None:
    """Alpha over `units` (unit -> the values its coders gave; None or NaN for missing).

    `metric` is nominal, ordinal, interval, ratio or masi (values are sets of labels).
    For ordinal data `order` lists the scale from low to high (else the values are sorted).
    None when alpha is undefined: no unit has two values, or every value is the same."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; use one of {', '.join(METRICS)}")
    rows = pairable(units)
    if metric == "masi":
        rows = [[frozenset(v) for v in row] for row in rows]
    domain = _domain(rows, metric, order)
    if len(domain) < 2:
        return None
    index = {value: i for i, value in enumerate(domain)}
    counts = _value_counts(rows, index)
    if metric != "masi" and counts.shape[0] * len(domain) ** 2 <= library_cells:
        numeric = metric in ("interval", "ratio")
        value_domain = np.asarray(domain, dtype=float) if numeric else np.arange(len(domain))
        result = krippendorff.alpha(
            value_counts=counts, value_domain=value_domain, level_of_measurement=metric
        )
        return None if math.isnan(result) else float(result)
    return _alpha_from_counts(counts, lambda n_v: _delta(metric, domain, n_v))


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _domain(rows: list[list[Any]], metric: str, order: Sequence[Any] | None) -> list[Any]:
    seen = list(dict.fromkeys(v for row in rows for v in row))
    if metric == "ordinal" and order is not None:
        rank = {value: i for i, value in enumerate(order)}
        unknown = [v for v in seen if v not in rank]
        if unknown:
            raise ValueError(f"values {unknown!r} are not on the ordinal scale {list(order)!r}")
        return sorted(seen, key=rank.__getitem__)
    if metric in ("ordinal", "interval", "ratio"):
        return sorted(seen)
    return seen


def _value_counts(rows: list[list[Any]], index: Mapping[Any, int]) -> np.ndarray:
    """units x values: how many coders gave each value to each unit."""
    counts = np.zeros((len(rows), len(index)), dtype=np.int64)
    unit_ix = np.fromiter((u for u, row in enumerate(rows) for _ in row), dtype=np.int64)
    value_ix = np.fromiter((index[v] for row in rows for v in row), dtype=np.int64)
    np.add.at(counts, (unit_ix, value_ix), 1)
    return counts


def _alpha_from_counts(
    counts: np.ndarray, delta_for: Callable[[np.ndarray], np.ndarray]
) -> float | None:
    """alpha = 1 - (n - 1) * sum(o_ck d_ck) / sum(n_c n_k d_ck) from the coincidence matrix.

    o = sum over units of (n_u n_u' - diag n_u) / (m_u - 1), computed as one product."""
    counts = counts.astype(float)
    weights = counts / (counts.sum(axis=1) - 1)[:, None]
    coincidences = weights.T @ counts - np.diag(weights.sum(axis=0))
    return alpha_from_coincidences(coincidences, delta_for)


def alpha_from_coincidences(
    coincidences: np.ndarray, delta_for: Callable[[np.ndarray], np.ndarray]
) -> float | None:
    """alpha from a values x values coincidence matrix (None when undefined)."""
    n_v = coincidences.sum(axis=0)
    delta = delta_for(n_v)
    expected = float((np.outer(n_v, n_v) * delta).sum())
    if expected <= 0:
        return None
    return 1.0 - (n_v.sum() - 1) * float((coincidences * delta).sum()) / expected


def _delta(metric: str, domain: list[Any], n_v: np.ndarray) -> np.ndarray:
    """Squared difference function d_ck for each pair of domain values."""
    size = len(domain)
    if metric == "nominal":
        return 1.0 - np.eye(size)
    if metric == "masi":
        return np.array([[masi_distance(a, b) for b in domain] for a in domain])
    if metric == "ordinal":
        # (sum of n_g for g from c to k, minus half of n_c and n_k) squared.
        cum = np.concatenate(([0.0], np.cumsum(n_v)))
        lo = np.minimum.outer(np.arange(size), np.arange(size))
        hi = np.maximum.outer(np.arange(size), np.arange(size))
        between = cum[hi + 1] - cum[lo]
        return (between - (n_v[lo] + n_v[hi]) / 2) ** 2
    values = np.asarray(domain, dtype=float)
    diff = np.subtract.outer(values, values)
    if metric == "interval":
        return diff**2
    total = np.add.outer(values, values)
    ratio = np.divide(diff, total, out=np.zeros_like(diff), where=total != 0)
    return ratio**2


# -- kappa -------------------------------------------------------------------------------
def cohen_kappa(pairs: Iterable[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa of two raters from (rater A's value, rater B's value) per shared item.
    None when there are no items or chance agreement is already perfect (p_e = 1)."""
    return _kappa_from_table(Counter(pairs))


def _kappa_from_table(table: Mapping[tuple[Hashable, Hashable], int]) -> float | None:
    total = sum(table.values())
    if not total:
        return None
    rows: Counter = Counter()
    cols: Counter = Counter()
    agree = 0
    for (a, b), count in table.items():
        rows[a] += count
        cols[b] += count
        if a == b:
            agree += count
    p_o = agree / total
    p_e = sum(rows[c] * cols[c] for c in rows) / total**2
    if p_e >= 1 - 1e-12:
        return None
    return (p_o - p_e) / (1 - p_e)


@dataclass(frozen=True)
class FleissResult:
    kappa: float | None
    raters_per_item: int | None  # the rater count the used items share
    used: list[Hashable]  # the units included (those with exactly raters_per_item values)
    skipped: int  # units with two or more values but a different count

    def as_json(self) -> dict[str, Any]:
        return fleiss_json(self.kappa, self.raters_per_item, len(self.used), self.skipped)


def fleiss_json(
    kappa: float | None, raters_per_item: int | None, items: int, skipped: int
) -> dict[str, Any]:
    return {
        "kappa": _round(kappa),
        "interpretation": interpret_kappa(kappa),
        "raters_per_item": raters_per_item,
        "items": items,
        "items_skipped": skipped,
    }


def fleiss_kappa(units: Units) -> FleissResult:
    """Fleiss' kappa over the units rated by the most common number (>= 2) of raters.

    Fleiss' formula needs the same number of raters per item; the rest are skipped and counted.
    Ties between rater counts go to the larger count."""
    by_size: dict[int, list[tuple[Hashable, list[Any]]]] = defaultdict(list)
    for key, values in units.items():
        present = [v for v in values if not _missing(v)]
        if len(present) >= 2:
            by_size[len(present)].append((key, present))
    if not by_size:
        return FleissResult(None, None, [], 0)
    m = max(by_size, key=lambda size: (len(by_size[size]), size))
    chosen = by_size[m]
    skipped = sum(len(v) for size, v in by_size.items() if size != m)
    totals: Counter = Counter()
    agreement = 0.0
    for _key, values in chosen:
        counts = Counter(values)
        totals.update(counts)
        agreement += (sum(c * c for c in counts.values()) - m) / (m * (m - 1))
    p_bar = agreement / len(chosen)
    p_e = sum((t / (len(chosen) * m)) ** 2 for t in totals.values())
    kappa = None if p_e >= 1 - 1e-12 else (p_bar - p_e) / (1 - p_e)
    return FleissResult(kappa, m, [key for key, _ in chosen], skipped)


# -- the admin API body ------------------------------------------------------------------
Row = tuple[Hashable, str, Mapping[str, str]]  # (item, annotator, label map)


def project_agreement(
    config: Any,
    rows_by_schema: Mapping[str, Iterable[Row]],
    min_overlap: int = 2,
    max_pairs: int = 50,
) -> dict[str, Any]:
    """The `GET /admin/api/agreement` body for the schemas in `rows_by_schema` (config order).

    Rows must come grouped by item. A schema needs `min_overlap` items with two or more
    annotators to get an alpha; otherwise, and when alpha is undefined, it is null with a
    warning."""
    by_schema: dict[str, dict[str, Any]] = {}
    warnings: list[str] = []
    alphas: list[float] = []
    for scheme in config.schemes:
        if scheme.name not in rows_by_schema:
            continue
        metric = scheme.agreement_metric  # each scheme type says which level fits it
        if metric is None:
            reason = scheme.agreement_skip_reason
            warnings.append(f"{scheme.name}: skipped ({scheme.type_name}): {reason}")
            continue
        source = rows_by_schema[scheme.name]
        if hasattr(scheme, "unit_values"):  # several judgements per answer (rankings, ...)
            from .unit_agreement import parts_agreement

            rows = source.rows() if hasattr(source, "agreement") else source
            entry, alpha, notes = parts_agreement(scheme, metric, rows, min_overlap)
        elif hasattr(source, "agreement"):  # kept aggregates (agreement_cells.CellSource)
            entry, alpha, notes = source.agreement(scheme, metric, min_overlap, max_pairs)
        else:
            entry, alpha, notes = schema_agreement(scheme, metric, source, min_overlap, max_pairs)
        by_schema[scheme.name] = entry
        warnings += [f"{scheme.name}: {note}" for note in notes]
        if alpha is not None:
            alphas.append(alpha)
    average = sum(alphas) / len(alphas) if alphas else None
    return {
        "enabled": True,
        "overall": {
            "average_krippendorff_alpha": _round(average),
            "schemas_evaluated": len(alphas),
            "interpretation": interpret_alpha(average) if alphas else INSUFFICIENT,
        },
        "by_schema": by_schema,
        "warnings": warnings,
    }


def schema_agreement(
    scheme: Any, metric: str, rows: Iterable[Row], min_overlap: int, max_pairs: int
) -> tuple[dict[str, Any], float | None, list[str]]:
    """One `by_schema` entry, its alpha unrounded (for the average), and its warnings."""
    convert, order = value_reader(scheme, metric)
    units: dict[Hashable, list[Any]] = {}
    pair_tables: dict[tuple[str, str], Counter] = defaultdict(Counter)
    categorical = metric in CATEGORICAL
    for item, group in groupby(rows, key=lambda row: row[0]):
        answers = sorted(
            (user, value)
            for _item, user, label_map in group
            if (value := convert(label_map)) is not None
        )
        if len(answers) < 2:
            continue
        units[item] = [value for _user, value in answers]
        if categorical:
            for (user_a, a), (user_b, b) in combinations(answers, 2):
                pair_tables[(user_a, user_b)][(a, b)] += 1
    return schema_entry(
        metric,
        evaluated=len(units),
        total_annotations=sum(len(v) for v in units.values()),
        min_overlap=min_overlap,
        alpha_of=lambda: krippendorff_alpha(units, metric, order),
        fleiss=fleiss_kappa(units).as_json() if categorical else None,
        pairwise=pairwise_kappas(pair_tables, min_overlap, max_pairs) if categorical else None,
    )


def schema_entry(
    metric: str,
    *,
    evaluated: int,
    total_annotations: int,
    min_overlap: int,
    alpha_of: Callable[[], float | None],
    fleiss: dict[str, Any] | None,
    pairwise: tuple[list[dict[str, Any]], str | None] | None,
    undefined_note: str = (
        "alpha is undefined: every annotation has the same value, "
        "so there is no variation to agree on"
    ),
) -> tuple[dict[str, Any], float | None, list[str]]:
    """A `by_schema` entry from its parts (alpha is only computed with enough overlap)."""
    notes = []
    alpha = None
    if evaluated < min_overlap:
        notes.append(
            f"too few overlapping items ({evaluated} with 2 or more annotators; "
            f"need {min_overlap}): alpha not computed"
        )
    else:
        alpha = alpha_of()
        if alpha is None:
            notes.append(undefined_note)
    entry: dict[str, Any] = {
        "krippendorff_alpha": _round(alpha),
        "metric_type": metric,
        "items_evaluated": evaluated,
        "total_annotations": total_annotations,
        "interpretation": interpret_alpha(alpha) if evaluated >= min_overlap else INSUFFICIENT,
        "fleiss_kappa": fleiss,
        "pairwise_cohen_kappa": [],
    }
    if pairwise is not None:
        entry["pairwise_cohen_kappa"], note = pairwise
        if note:
            notes.append(note)
    return entry, alpha, notes


def pairwise_kappas(
    pair_tables: Mapping[tuple[str, str], Counter], min_items: int, max_pairs: int
) -> tuple[list[dict[str, Any]], str | None]:
    """Cohen's kappa per annotator pair sharing `min_items` or more items, most shared first."""
    sizes = {pair: sum(table.values()) for pair, table in pair_tables.items()}
    eligible = sorted((p for p, n in sizes.items() if n >= min_items), key=lambda p: (-sizes[p], p))
    out = [
        {
            "a": a,
            "b": b,
            "kappa": _round(_kappa_from_table(pair_tables[(a, b)])),
            "items": sizes[(a, b)],
        }
        for a, b in eligible[:max_pairs]
    ]
    return out, pairs_note(len(eligible), max_pairs)


def pairs_note(eligible: int, max_pairs: int) -> str | None:
    if eligible <= max_pairs:
        return None
    return (
        f"{eligible} annotator pairs share items; pairwise_cohen_kappa lists the "
        f"{max_pairs} sharing the most"
    )


def value_reader(scheme: Any, metric: str) -> tuple[Callable[[Mapping[str, str]], Any], Any]:
    """(label map -> the value agreement compares, or None; the ordinal scale or None)."""
    names = list(scheme.label_names)  # what a multiselect answers with
    if metric == "masi":

        def as_set(label_map: Mapping[str, str]) -> frozenset | None:
            picked = scheme.agreement_value(label_map) or []
            chosen = frozenset(x if x in names else FREE_RESPONSE for x in picked)
            return chosen or None

        return as_set, None
    if metric == "interval":

        def as_number(label_map: Mapping[str, str]) -> float | None:
            value = scheme.agreement_value(label_map)
            return None if value is None else float(value)

        return as_number, None
    # The answers its labels stand for (a sized likert answers with the point as an int).
    scale: list[Any] = scheme.scale_values()
    known = set(scale)

    def as_category(label_map: Mapping[str, str]) -> Any:
        value = scheme.agreement_value(label_map)
        if value is None or value in known:
            return value
        # Free text in the "Other" box: one nominal category, not a point on a scale.
        return FREE_RESPONSE if metric == "nominal" else None

    return as_category, (scale if metric == "ordinal" else None)


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def confusion(rows: Iterable[tuple[int, str, Mapping[str, str]]], scheme: Any) -> dict[str, Any]:
    """Which labels annotators pair with which on the same item: every unordered pair of
    annotators of an item adds one to (label_a, label_b) and one to (label_b, label_a), so the
    matrix is symmetric and its diagonal holds agreements. Rows come ordered by item."""
    read, _scale = value_reader(scheme, "nominal")
    labels = [*scheme.scale_values()]
    counts: dict[tuple[Any, Any], int] = {}
    item_values: list[Any] = []
    current = None

    def flush() -> None:
        for i, a in enumerate(item_values):
            for b in item_values[i + 1 :]:
                counts[(a, b)] = counts.get((a, b), 0) + 1
                counts[(b, a)] = counts.get((b, a), 0) + 1

    for item_seq, _user, label_map in rows:
        if item_seq != current:
            flush()
            item_values, current = [], item_seq
        value = read(label_map)
        if value is not None:
            item_values.append(value)
            if value not in labels:
                labels.append(value)
    flush()
    peak = max(counts.values(), default=0)
    return {
        "labels": [str(x) for x in labels],
        "matrix": [[counts.get((a, b), 0) for b in labels] for a in labels],
        "max": peak,
    }
