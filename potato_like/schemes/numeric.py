"""Shared parsing of numeric answers (number and slider)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..errors import BadAnnotation
from .base import Scheme


class NumericScheme(Scheme):
    value_key = ""
    tallied = True
    summary_kind = "numbers"
    agreement_metric = "interval"
    min_value: float | None = None
    max_value: float | None = None

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        out = {}
        for label, value in label_map.items():
            if label != self.value_key:
                raise BadAnnotation(
                    f"{self.name}: unknown label {label!r}; a {self.type_name} answer is "
                    f"sent as '{self.name}:{self.value_key}'"
                )
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            out[label] = format_number(self.parse_number(value))
        return out

    def parse_number(self, value: Any) -> float:
        if isinstance(value, bool):
            raise BadAnnotation(f"{self.name}: expected a number, got {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise BadAnnotation(f"{self.name}: expected a number, got {value!r}") from None
        if not math.isfinite(number):
            raise BadAnnotation(f"{self.name}: expected a finite number, got {value!r}")
        if self.min_value is not None and number < self.min_value:
            raise BadAnnotation(f"{self.name}: {number:g} is below the minimum {self.min_value:g}")
        if self.max_value is not None and number > self.max_value:
            raise BadAnnotation(f"{self.name}: {number:g} is above the maximum {self.max_value:g}")
        return number

    def answer_map(self, value: Any) -> dict[str, Any]:
        return {self.value_key: value}

    def table_keys(self) -> list[str]:
        return [self.value_key]

    def answer(self, label_map: Mapping[str, str]) -> Any:
        raw = label_map.get(self.value_key)
        if raw is None:
            return None
        number = float(raw)
        return int(number) if number.is_integer() else number

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(min_value=self.min_value, max_value=self.max_value)
        return out


def format_number(number: float) -> str:
    return str(int(number)) if number.is_integer() else repr(number)
