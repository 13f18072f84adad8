"""Agreement for the step-level agent-evaluation types (process_reward, trajectory_eval,
...): Krippendorff's alpha over steps (each step of each shared item is a unit, compared at
the scheme's `step_metric`), and, for types with a notion of the first wrong step, how
often two annotators pick the same first-error step (and how far apart they are).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import combinations, groupby
from typing import Any

from .agreement import Row, krippendorff_alpha, schema_entry


class StepSource:
    """What project_agreement needs for a step-level scheme: the rows."""

    def __init__(self, rows: Callable[[], Iterable[Row]]):
        self.rows = rows

    def agreement(
        self, scheme: Any, metric: str, min_overlap: int, max_pairs: int
    ) -> tuple[dict[str, Any], float | None, list[str]]:
        return step_agreement(scheme, self.rows(), min_overlap)


def step_agreement(
    scheme: Any, rows: Iterable[Row], min_overlap: int = 2
) -> tuple[dict[str, Any], float | None, list[str]]:
    units: dict[tuple, list[Any]] = {}
    same_first = pairs = 0
    distances: list[int] = []
    evaluated = annotations = 0
    for item, group in groupby(rows, key=lambda row: row[0]):
        answers = [scheme.answer(label_map) for _item, _user, label_map in group]
        answers = [a for a in answers if a]
        if len(answers) < 2:
            continue
        evaluated += 1
        annotations += len(answers)
        per_coder = [scheme.step_values(a) for a in answers]
        for step in sorted(set().union(*per_coder)):
            units[(item, step)] = [values.get(step) for values in per_coder]
        if scheme.has_first_error:
            firsts = [scheme.first_error(a) for a in answers]
            for a, b in combinations(firsts, 2):
                pairs += 1
                same_first += a == b
                if a is not None and b is not None:
                    distances.append(abs(a - b))
    metric = scheme.step_metric
    step_units = sum(1 for values in units.values() if sum(v is not None for v in values) >= 2)
    entry, alpha, notes = schema_entry(
        metric,
        evaluated=evaluated,
        total_annotations=annotations,
        min_overlap=min_overlap,
        alpha_of=lambda: krippendorff_alpha(units, metric) if units else None,
        fleiss=None,
        pairwise=([], None),
        undefined_note="per-step alpha is undefined: no step has two different answers",
    )
    entry["unit"] = "step"
    entry["steps_evaluated"] = step_units
    if scheme.has_first_error:
        entry["first_error_step"] = {
            "annotator_pairs": pairs,
            "exact_agreement": round(same_first / pairs, 4) if pairs else None,
            "mean_distance": round(sum(distances) / len(distances), 4) if distances else None,
        }
    return entry, alpha, notes
