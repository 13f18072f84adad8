"""Agreement on span schemes.

Two measures per span scheme, over items that two or more annotators finished:
- `krippendorff_alpha` (metric `unitizing`): every character of the item text is a unit whose
  value, per annotator, is the label of the innermost span covering it, or "O" outside spans;
  nominal alpha over those units. This is the character-level reading of Krippendorff's
  unitizing alpha: boundaries that differ by one character cost one character. It is computed
  segment by segment (runs of characters with the same values), not character by character.
- `pairwise_f1`: for each pair of annotators of an item, the F1 of exact span matches (same
  start, end and label), averaged over pairs: the usual NER-style agreement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from itertools import combinations, groupby, pairwise
from typing import Any

from .agreement import schema_entry

OUTSIDE = "O"
MAX_ITEMS = 20_000  # items used for alpha (the first ones, in item order); noted when reached

Row = tuple[Hashable, str, Mapping[str, Any]]


def spans_of(value: Mapping[str, Any], field: str | None = None) -> list[tuple[int, int, str]]:
    """(start, end, label) of the spans on one text: the item text, or in Potato's
    multi-span mode the field named by their `target_field`."""
    out = []
    for span in value.get("spans", []) if isinstance(value, Mapping) else []:
        if (span.get("target_field") or None) != field:
            continue
        try:
            out.append((int(span["start"]), int(span["end"]), str(span["label"])))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def fields_of(values: list[Mapping[str, Any]]) -> list[str | None]:
    """The texts an item's answers mark spans on: the item text (None) first."""
    named = {
        span.get("target_field")
        for value in values
        if isinstance(value, Mapping)
        for span in value.get("spans", [])
        if isinstance(span, Mapping) and span.get("target_field")
    }
    return [None, *sorted(named)]


def label_runs(spans: list[tuple[int, int, str]], cuts: list[int]) -> list[str]:
    """The value of each segment [cuts[i], cuts[i+1]): the innermost covering span's label."""
    values = []
    for start, end in pairwise(cuts):
        covering = [(e - s, label) for s, e, label in spans if s <= start and end <= e]
        values.append(min(covering)[1] if covering else OUTSIDE)
    return values


def add_item(coincidences: Counter, length: int, answers: list[list[tuple[int, int, str]]]) -> None:
    """Add one item's character units to the coincidence counts (weighted by run length)."""
    m = len(answers)
    cuts = sorted(
        {0, length}
        | {p for spans in answers for s, e, _ in spans for p in (s, e) if 0 <= p <= length}
    )
    per_annotator = [label_runs(spans, cuts) for spans in answers]
    for i, (start, end) in enumerate(pairwise(cuts)):
        weight = (end - start) / (m - 1)
        values = [runs[i] for runs in per_annotator]
        for a, b in combinations(values, 2):
            coincidences[(a, b)] += weight
            coincidences[(b, a)] += weight


def nominal_alpha(coincidences: Counter) -> float | None:
    totals: Counter = Counter()
    for (a, _b), n in coincidences.items():
        totals[a] += n
    n = sum(totals.values())
    if n <= 1 or len([v for v in totals.values() if v > 0]) < 2:
        return None
    observed = sum(v for (a, b), v in coincidences.items() if a != b) / n
    expected = sum(totals[a] * totals[b] for a in totals for b in totals if a != b) / (n * (n - 1))
    return 1.0 - observed / expected if expected else None


def pair_f1(a: list[tuple[int, int, str]], b: list[tuple[int, int, str]]) -> float | None:
    if not a and not b:
        return None
    return 2 * len(set(a) & set(b)) / (len(set(a)) + len(set(b)))


class SpanSource:
    """What project_agreement needs for a span scheme: the rows, and item text lengths."""

    def __init__(
        self, rows: Callable[[], Iterable[Row]], text_length: Callable[[Any, str | None], int]
    ):
        self.rows = rows
        self.text_length = text_length  # (item, target_field or None) -> characters

    def agreement(
        self, scheme: Any, metric: str, min_overlap: int, max_pairs: int
    ) -> tuple[dict[str, Any], float | None, list[str]]:
        coincidences: Counter = Counter()
        f1s: list[float] = []
        evaluated = annotations = 0
        for item, group in groupby(self.rows(), key=lambda row: row[0]):
            values = [value for _item, _user, value in group]
            if len(values) < 2:
                continue
            evaluated += 1
            annotations += len(values)
            whole: list[list] = [[] for _ in values]
            for field in fields_of(values):  # each text is its own continuum
                answers = [spans_of(value, field) for value in values]
                if evaluated <= MAX_ITEMS:
                    add_item(coincidences, self.text_length(item, field), answers)
                for mine, spans in zip(whole, answers, strict=True):
                    mine.extend((field, *span) for span in spans)
            f1s += [f for a, b in combinations(whole, 2) if (f := pair_f1(a, b)) is not None]
        entry, alpha, notes = schema_entry(
            "unitizing",
            evaluated=evaluated,
            total_annotations=annotations,
            min_overlap=min_overlap,
            alpha_of=lambda: nominal_alpha(coincidences),
            fleiss=None,
            pairwise=([], None),
            undefined_note="alpha is undefined: nobody marked any span on the shared items",
        )
        if evaluated > MAX_ITEMS:
            notes.insert(0, f"alpha uses the first {MAX_ITEMS} of {evaluated} items")
        entry["pairwise_f1"] = round(sum(f1s) / len(f1s), 4) if f1s else None
        entry["annotator_pairs"] = len(f1s)
        return entry, alpha, notes
