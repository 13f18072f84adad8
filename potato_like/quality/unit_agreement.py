"""Agreement for schemes whose one answer holds several judgements (`unit_values`): a
ranking (label -> place), a multirate (option -> rating), a best-worst tuple (best, worst).
Each (item, part) is one unit of Krippendorff's alpha; a ranking also gets Kendall's W
per item (Kendall & Babington Smith 1939, with the correction for tied ranks)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from itertools import groupby
from typing import Any

from .agreement import krippendorff_alpha, schema_entry

Row = tuple[Any, str, Mapping[str, str]]


def parts_agreement(
    scheme: Any, metric: str, rows: Iterable[Row], min_overlap: int
) -> tuple[dict[str, Any], float | None, list[str]]:
    units: dict[Hashable, list[Any]] = {}
    items = 0
    answers_counted = 0
    w_values: list[float] = []
    ranks_of = getattr(scheme, "ranks", None)
    for item, group in groupby(rows, key=lambda row: row[0]):
        answers = [(user, m) for _item, user, m in group if m]
        if len(answers) < 2:
            continue
        items += 1
        answers_counted += len(answers)
        for _user, label_map in answers:
            for part, value in scheme.unit_values(label_map).items():
                units.setdefault((item, part), []).append(value)
        if ranks_of is not None:
            w = kendalls_w([ranks_of(m) for _u, m in answers], scheme.label_names)
            if w is not None:
                w_values.append(w)
    units = {k: v for k, v in units.items() if len(v) >= 2}
    order = scheme.agreement_scale() if hasattr(scheme, "agreement_scale") else None
    if order is None and metric == "ordinal":
        order = scheme.scale_values()
    entry, alpha, notes = schema_entry(
        metric,
        evaluated=items,
        total_annotations=answers_counted,
        min_overlap=min_overlap,
        alpha_of=lambda: krippendorff_alpha(units, metric, order),
        fleiss=None,
        pairwise=None,
    )
    entry["units"] = "parts"  # one unit per (item, part of the answer)
    if ranks_of is not None:
        entry["kendall_w"] = {
            "mean": round(sum(w_values) / len(w_values), 4) if w_values else None,
            "items": len(w_values),
        }
    return entry, alpha, notes


def kendalls_w(rankings: list[Mapping[str, float]], labels: list[str]) -> float | None:
    """Kendall's coefficient of concordance of m rankings of n labels (1 = full agreement,
    0 = none), with the tie correction; None when undefined."""
    m, n = len(rankings), len(labels)
    if m < 2 or n < 2:
        return None
    totals = [sum(r.get(label, (n + 1) / 2) for r in rankings) for label in labels]
    mean = m * (n + 1) / 2
    s = sum((t - mean) ** 2 for t in totals)
    ties = 0.0
    for r in rankings:
        places = sorted(r.values())
        for _place, same in groupby(places):
            t = len(list(same))
            ties += t**3 - t
    denominator = m * m * (n**3 - n) - m * ties
    if denominator <= 0:
        return None
    return 12 * s / denominator
