"""`annotation_type: range_slider` — an interval on a scale, two handles.

Potato sends `"schema:range_low"` and `"schema:range_high"`; stored as
`{"range_low": "20", "range_high": "70"}`. A handle never moved stands where the page shows
it (`min_value` / `max_value`), so a map with one bound gets the other from there. The low
bound may not exceed the high one; both lie on the `step` grid from `min_value`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Label
from .numeric import NumericScheme, format_number
from .registry import register

LOW, HIGH = "range_low", "range_high"


@register("range_slider")
class RangeSlider(NumericScheme):
    stylesheet = "css/scales.css"
    macro = "schemes/range_slider.html"
    option_keys = ("min_value", "max_value", "step", "left_label", "right_label", "show_values")
    tallied = False  # an interval: the dashboard counts answers; exports carry both bounds

    def parse_options(self, reader: ConfigReader) -> None:
        self.min_value = reader.number("min_value", 0)
        self.max_value = reader.number("max_value", 100)
        if self.min_value >= self.max_value:
            reader.problem("max_value", f"must be greater than min_value ({self.min_value:g})")
            self.max_value = self.min_value + 1
        self.step = reader.number("step", 1, minimum=0)
        if self.step == 0:
            reader.problem("step", "must be greater than 0")
            self.step = 1
        self.left_label = reader.str("left_label", "", allow_empty=True)
        self.right_label = reader.str("right_label", "", allow_empty=True)
        self.show_values = reader.bool("show_values", True)
        self.labels = [Label(LOW), Label(HIGH)]

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        bounds: dict[str, float] = {}
        for key, value in label_map.items():
            if key not in (LOW, HIGH):
                raise BadAnnotation(
                    f"{self.name}: unknown label {key!r}; a range is sent as "
                    f"'{self.name}:{LOW}' and '{self.name}:{HIGH}'"
                )
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            number = self.parse_number(value)
            offset = (number - self.min_value) / self.step
            if not math.isclose(offset, round(offset), abs_tol=1e-6):
                raise BadAnnotation(
                    f"{self.name}:{key}: {number:g} is not on the step {self.step:g} "
                    f"from {self.min_value:g}"
                )
            bounds[key] = number
        if not bounds:
            return {}
        low = bounds.get(LOW, float(self.min_value))
        high = bounds.get(HIGH, float(self.max_value))
        if low > high:
            raise BadAnnotation(f"{self.name}: range_low {low:g} is above range_high {high:g}")
        return {LOW: format_number(low), HIGH: format_number(high)}

    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        return self.normalize({**(old or {}), **incoming})

    def answer(self, label_map: Mapping[str, str]) -> Any:
        if LOW not in label_map:
            return None
        return {"low": _plain(label_map[LOW]), "high": _plain(label_map[HIGH])}

    def answer_map(self, value: Any) -> dict[str, Any]:
        if isinstance(value, (list, tuple)) and len(value) == 2:
            return {LOW: value[0], HIGH: value[1]}
        if isinstance(value, Mapping) and set(value) == {"low", "high"}:
            return {LOW: value["low"], HIGH: value["high"]}
        raise BadAnnotation(f"{self.name}: give a range as [low, high]")

    def agreement_value(self, label_map: Mapping[str, str]) -> Any:
        """the range's midpoint."""
        if LOW not in label_map:
            return None
        return (float(label_map[LOW]) + float(label_map[HIGH])) / 2

    def table_keys(self) -> list[str]:
        return [LOW, HIGH]


def _plain(raw: str) -> int | float:
    number = float(raw)
    return int(number) if number.is_integer() else number
