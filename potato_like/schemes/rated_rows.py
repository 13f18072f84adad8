"""Rows each rated on the same points 1..N (a rubric's criteria, bipolar adjective pairs).

Potato sends one answer per row, `"schema:row": "3"`; the stored map is `{row: "3"}` for
the rated rows only. The typed answer is `{row: 3}`; agreement compares the mean point of
an annotator's rated rows at the interval level (the rows share one scale)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import BadAnnotation
from .base import Scheme, is_chosen


class RatedRows(Scheme):
    analysis_title = "Mean point per row"
    stylesheet = "css/scales.css"
    tallied = True
    agreement_metric = "interval"
    points = 5

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        out = {}
        for row, value in label_map.items():
            if row not in self.label_names:
                raise self.unknown_label(row)
            if value is None:
                continue
            if isinstance(value, bool):
                raise BadAnnotation(f"{self.name}:{row}: expected a point 1..{self.points}")
            text = str(value).strip()
            if not text:
                continue
            if not text.isdigit() or not 1 <= int(text) <= self.points:
                raise BadAnnotation(
                    f"{self.name}:{row}: {value!r} is not a point of the scale 1..{self.points}"
                )
            out[row] = str(int(text))
        return {row: out[row] for row in self.label_names if row in out}

    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        merged: dict[str, Any] = dict(old or {})
        for row, value in incoming.items():
            if is_chosen(value):
                merged[row] = value
            else:
                merged.pop(row, None)  # "" or "0": the row was cleared
        return self.normalize(merged)

    def answer(self, label_map: Mapping[str, str]) -> Any:
        return {row: int(v) for row, v in label_map.items()} or None

    def answer_map(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise BadAnnotation(f"{self.name}: give the answer as {{row: point}}")
        return dict(value)

    def agreement_value(self, label_map: Mapping[str, str]) -> Any:
        """the mean point of the rated rows."""
        scores = [int(v) for v in label_map.values()]
        return sum(scores) / len(scores) if scores else None

    def analysis(self, answers: Any) -> dict[str, Any]:
        """The mean point of each row over all submitted answers."""
        return {"attributes": {"Mean point": _means(m for _f, _i, m in answers)}}

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        if self.required:
            missing = [r for r in self.label_names if r not in (label_map or {})]
            if missing:
                return f"rate every row (missing: {', '.join(missing)})"
        return super().missing_requirement(label_map)

    def point_values(self) -> list[str]:
        return [str(i) for i in range(1, self.points + 1)]

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["scale_points"] = self.points
        return out


def _means(maps: Any) -> dict[str, float]:
    """key -> mean of its numeric values over stored maps."""
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for label_map in maps:
        for key, value in label_map.items():
            sums[key] = sums.get(key, 0.0) + float(value)
            counts[key] = counts.get(key, 0) + 1
    return {key: round(sums[key] / counts[key], 4) for key in sums}
