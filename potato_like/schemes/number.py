"""`annotation_type: number` — a number, stored as `{"number": "3"}`."""

from __future__ import annotations

from ..config.reader import ConfigReader
from .numeric import NumericScheme
from .registry import register


@register("number")
class Number(NumericScheme):
    macro = "schemes/number.html"
    value_key = "number"
    option_keys = ("min_value", "max_value", "step", "min", "max")

    def parse_options(self, reader: ConfigReader) -> None:
        # The reference docs call them min/max; Potato's code reads min_value/max_value.
        self.min_value = reader.number("min_value", reader.number("min", None))
        self.max_value = reader.number("max_value", reader.number("max", None))
        self.step = reader.number("step", None, minimum=0)
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            reader.problem("min_value", "must not be greater than max_value")
