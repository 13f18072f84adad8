"""`annotation_type: slider` — a number on a range, stored as `{"slider": "40"}`."""

from __future__ import annotations

from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .numeric import NumericScheme
from .registry import register


@register("slider")
class Slider(NumericScheme):
    macro = "schemes/slider.html"
    value_key = "slider"
    option_keys = ("min_value", "max_value", "starting_value", "step", "labels")

    def parse_options(self, reader: ConfigReader) -> None:
        self.min_value = reader.number("min_value", 0)
        self.max_value = reader.number("max_value", 100)
        if self.min_value >= self.max_value:
            reader.problem("max_value", f"must be greater than min_value ({self.min_value:g})")
            self.max_value = self.min_value + 1
        self.starting_value = reader.number("starting_value", self.min_value)
        if not self.min_value <= self.starting_value <= self.max_value:
            reader.problem(
                "starting_value",
                f"must lie between min_value and max_value "
                f"({self.min_value:g}..{self.max_value:g}), got {self.starting_value:g}",
            )
            self.starting_value = self.min_value
        self.step = reader.number("step", 1, minimum=0)
        if self.step == 0:
            reader.problem("step", "must be greater than 0")
            self.step = 1
        if reader.has("labels"):
            reader.warn("labels", "ignored for sliders (use min_value/max_value)")

    def parse_number(self, value: Any) -> float:
        """A value on the slider's grid: min_value + k * step (as the browser's range input
        allows), within a rounding error."""
        number = super().parse_number(value)
        steps = (number - self.min_value) / self.step
        if abs(steps - round(steps)) > 1e-9 * max(1.0, abs(steps)):
            raise BadAnnotation(
                f"{self.name}: {number:g} is not on the slider's steps (min_value "
                f"{self.min_value:g} + a multiple of step {self.step:g})"
            )
        return number

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(starting_value=self.starting_value, step=self.step)
        return out
