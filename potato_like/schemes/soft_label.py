"""`annotation_type: soft_label` — a probability distribution over the labels.

Potato's page spreads `total` (100) points over the labels and sends them,
`"schema:Positive": "70"`; they are stored as sent and enforced to add up to `total` on
submit. The answer (exports, agreement) is the distribution: points / total, summing to 1.

Its distribution is drawn as bars (SVG, templates/_partials/distribution_chart.html): on the
annotation page as the annotator spreads the points (`show_distribution_chart`, points.js
sets the bars' widths), on the admin item page (each annotator's and their mean), and on the
questions dashboard (the mean over all submitted answers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from .points import PointsScheme
from .registry import register


@register("soft_label")
class SoftLabel(PointsScheme):
    macro = "schemes/points.html"
    script = "js/points.js"
    option_keys = ("labels", "total", "min_per_label", "show_distribution_chart")

    def parse_options(self, reader: ConfigReader) -> None:
        self.read_labels(reader)
        self.total = reader.number("total", 100, integer=True, minimum=1)
        self.minimum = reader.number("min_per_label", 0, integer=True, minimum=0)
        if self.minimum * max(len(self.labels), 1) > self.total:
            reader.problem(
                "min_per_label",
                f"{self.minimum} per label for {len(self.labels)} labels exceeds "
                f"total {self.total}",
            )
        self.show_chart = reader.bool("show_distribution_chart", True)
        self.input_type = "slider"
        self.step = 1

    def answer(self, label_map: Mapping[str, str]) -> Any:
        if not label_map:
            return None
        return {label: round(float(v) / self.total, 6) for label, v in label_map.items()}

    def distribution(self, answers: list[Mapping[str, float]]) -> dict[str, float]:
        """The mean distribution of some answers (a label not given points: 0)."""
        sums = dict.fromkeys(self.label_names, 0.0)
        for answer in answers:
            for label, p in answer.items():
                sums[label] = sums.get(label, 0.0) + p
        return {label: total / len(answers) for label, total in sums.items()} if answers else {}

    def chart(self, title: str, distribution: Mapping[str, float]) -> dict[str, Any]:
        bars = [
            {"label": label, "value": p, "text": f"{100 * p:.0f}%"}
            for label, p in ((label, distribution.get(label, 0.0)) for label in self.label_names)
        ]
        return {"title": title, "bars": bars}

    def item_charts(self, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
        given = {user: a for user, a in answers.items() if a}
        if not given:
            return []
        charts = [self.chart(f"{user}", a) for user, a in given.items()]
        if len(given) > 1:
            mean = self.distribution(list(given.values()))
            charts.insert(0, self.chart(f"Mean of {len(given)} annotators", mean))
        return charts

    def analysis(self, answers: Any) -> dict[str, Any]:
        """Mean points per label and, as a chart, the mean distribution of all answers."""
        maps = [label_map for _fields, _item, label_map in answers]
        out = super().analysis((None, None, m) for m in maps)
        if maps:
            mean = self.distribution([self.answer(m) or {} for m in maps])
            out["chart"] = self.chart(f"Mean distribution of {len(maps)} answers", mean)
        return out

    def answer_map(self, value: Any) -> dict[str, Any]:
        """A distribution from a file: probabilities (summing to 1) become points."""
        mapping = super().answer_map(value)
        numbers = [v for v in mapping.values() if isinstance(v, (int, float))]
        if numbers and len(numbers) == len(mapping) and abs(sum(numbers) - 1) < 1e-6:
            return {k: round(v * self.total) for k, v in mapping.items()}
        return mapping
