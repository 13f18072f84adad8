"""Points spread over labels with a fixed total (constant_sum, soft_label).

Potato sends one number per label, `"schema:Label": "30"`; the stored map keeps the labels
given points. A save may hold a partial spread (at most the total, so drafts save), a
submit needs the exact total. Agreement is nominal, on the label given the most points
(a tie has no such label)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..errors import BadAnnotation
from .base import Scheme
from .numeric import format_number


class PointsScheme(Scheme):
    analysis_title = "Mean points per label"
    stylesheet = "css/scales.css"
    tallied = True
    agreement_metric = "nominal"
    total: float = 100
    minimum: float = 0
    whole_numbers = True

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        out: dict[str, float] = {}
        for label, value in label_map.items():
            if label not in self.label_names:
                raise self.unknown_label(label)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            out[label] = self._points(label, value)
        if not out:
            return {}
        spent = sum(out.values())
        if spent > self.total + 1e-9:
            raise BadAnnotation(
                f"{self.name}: the points add up to {spent:g}, more than the total {self.total:g}"
            )
        return {label: format_number(out[label]) for label in self.label_names if label in out}

    def _points(self, label: str, value: Any) -> float:
        where = f"{self.name}:{label}"
        if isinstance(value, bool):
            raise BadAnnotation(f"{where}: expected a number of points, got {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise BadAnnotation(f"{where}: expected a number of points, got {value!r}") from None
        if not math.isfinite(number):
            raise BadAnnotation(f"{where}: expected a finite number, got {value!r}")
        if self.whole_numbers and not number.is_integer():
            raise BadAnnotation(f"{where}: points are whole numbers, got {value!r}")
        if number < self.minimum:
            raise BadAnnotation(f"{where}: {number:g} is below the minimum {self.minimum:g}")
        if number > self.total:
            raise BadAnnotation(f"{where}: {number:g} is above the total {self.total:g}")
        return number

    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        return self.normalize({**(old or {}), **incoming})

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        if label_map:
            spent = sum(float(v) for v in label_map.values())
            if not math.isclose(spent, self.total, abs_tol=1e-6):
                return f"the points must add up to {self.total:g} (now {spent:g})"
        return super().missing_requirement(label_map)

    def points_of(self, label_map: Mapping[str, str]) -> dict[str, float]:
        return {label: float(v) for label, v in label_map.items()}

    def answer_map(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise BadAnnotation(f"{self.name}: give the answer as {{label: points}}")
        return dict(value)

    def agreement_value(self, label_map: Mapping[str, str]) -> Any:
        """the label given the most points (none on a tie)."""
        points = self.points_of(label_map)
        if not points:
            return None
        top = max(points.values())
        leaders = [label for label, p in points.items() if p == top]
        return leaders[0] if len(leaders) == 1 else None

    def analysis(self, answers: Any) -> dict[str, Any]:
        """The mean points of each label over all submitted answers (unlisted: 0)."""
        sums = dict.fromkeys(self.label_names, 0.0)
        n = 0
        for _fields, _item, label_map in answers:
            n += 1
            for label, value in label_map.items():
                sums[label] = sums.get(label, 0.0) + float(value)
        means = {label: round(total / n, 4) for label, total in sums.items()} if n else {}
        return {"attributes": {"Mean points": means}} if n else {"attributes": {}}

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        return [label for label, v in label_map.items() if float(v) > 0]

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(total=self.total, min_per_label=self.minimum)
        return out
