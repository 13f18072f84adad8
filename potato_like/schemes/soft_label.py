"""`annotation_type: soft_label` — a probability distribution over the labels.

Potato's page spreads `total` (100) points over the labels and sends them,
`"schema:Positive": "70"`; they are stored as sent and enforced to add up to `total` on
submit. The answer (exports, agreement) is the distribution: points / total, summing to 1."""

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

    def answer_map(self, value: Any) -> dict[str, Any]:
        """A distribution from a file: probabilities (summing to 1) become points."""
        mapping = super().answer_map(value)
        numbers = [v for v in mapping.values() if isinstance(v, (int, float))]
        if numbers and len(numbers) == len(mapping) and abs(sum(numbers) - 1) < 1e-6:
            return {k: round(v * self.total) for k, v in mapping.items()}
        return mapping
