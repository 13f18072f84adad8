"""`annotation_type: constant_sum` — spread `total_points` over the labels; the sum is
enforced on submit. Stored as `{"Politics": "60", "Sports": "40"}`; the answer is the
points per label."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from .points import PointsScheme
from .registry import register


@register("constant_sum")
class ConstantSum(PointsScheme):
    macro = "schemes/points.html"
    script = "js/points.js"
    option_keys = ("labels", "total_points", "min_per_item", "input_type")

    def parse_options(self, reader: ConfigReader) -> None:
        self.read_labels(reader)
        self.total = reader.number("total_points", 100, integer=True, minimum=1)
        self.minimum = reader.number("min_per_item", 0, integer=True, minimum=0)
        if self.minimum * max(len(self.labels), 1) > self.total:
            reader.problem(
                "min_per_item",
                f"{self.minimum} per label for {len(self.labels)} labels exceeds "
                f"total_points {self.total}",
            )
        self.input_type = reader.str("input_type", "number")
        if self.input_type not in ("number", "slider"):
            reader.problem("input_type", f"must be number or slider, got {self.input_type!r}")
            self.input_type = "number"
        self.step = 1

    def answer(self, label_map: Mapping[str, str]) -> Any:
        return {label: int(float(v)) for label, v in label_map.items()} or None
