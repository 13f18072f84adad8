"""`annotation_type: vas` — a visual analogue scale: a continuous line between two anchors
(`left_label`, `right_label`) without ticks. Potato sends `"schema:schema": "37.5"`; stored
as `{"<schema name>": "37.5"}`, rounded to `precision` decimals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from .numeric import NumericScheme, format_number
from .registry import register


@register("vas")
class Vas(NumericScheme):
    stylesheet = "css/scales.css"
    macro = "schemes/vas.html"
    option_keys = ("left_label", "right_label", "min_value", "max_value", "show_value", "precision")

    def parse_options(self, reader: ConfigReader) -> None:
        self.value_key = self.name
        self.left_label = reader.str("left_label", "", allow_empty=True)
        self.right_label = reader.str("right_label", "", allow_empty=True)
        self.min_value = reader.number("min_value", 0)
        self.max_value = reader.number("max_value", 100)
        if self.min_value >= self.max_value:
            reader.problem("max_value", f"must be greater than min_value ({self.min_value:g})")
            self.max_value = self.min_value + 1
        self.show_value = reader.bool("show_value", False)
        self.precision = reader.number("precision", 1, integer=True, minimum=0, maximum=6)
        self.step = 10**-self.precision if self.precision else 1
        self.start = (self.min_value + self.max_value) / 2

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        out = super().normalize(label_map)
        return {k: format_number(round(float(v), self.precision)) for k, v in out.items()}

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(left_label=self.left_label, right_label=self.right_label)
        return out
