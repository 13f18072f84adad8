"""`annotation_type: confidence` — how sure the annotator is of their answer to another
scheme (`target_schema`).

`scale_type: likert` (default): points 1..`scale_points`, named by `labels`, sent as Potato
does, `"schema:3": "3"`, stored `{"3": "3"}`, ordinal agreement. `scale_type: slider`: a
number between `min_value` and `max_value` sent as `"schema:confidence_level"`, interval
agreement."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader, hint
from ..errors import BadAnnotation
from .base import Label
from .likert import Likert
from .numeric import NumericScheme
from .registry import register

DEFAULT_LABELS = (
    "Not at all confident",
    "Slightly confident",
    "Moderately confident",
    "Very confident",
    "Completely confident",
)
SLIDER_KEY = "confidence_level"


@register("confidence")
class Confidence(Likert):
    learned_as = None  # a rating of another answer, not something the item's text predicts
    option_keys = (
        "target_schema",
        "scale_type",
        "scale_points",
        "labels",
        "min_value",
        "max_value",
        "step",
        "left_label",
        "right_label",
    )

    def parse_options(self, reader: ConfigReader) -> None:
        self.target_schema = reader.str("target_schema", "", allow_empty=True)
        self.scale_type = reader.str("scale_type", "likert")
        if self.scale_type not in ("likert", "slider"):
            reader.problem("scale_type", f"must be likert or slider, got {self.scale_type!r}")
            self.scale_type = "likert"
        self.horizontal = True
        self.free_response = None
        self.min_label = self.max_label = ""
        self.scale = True
        self.sequential = False
        if self.scale_type == "slider":
            self._parse_slider(reader)
            return
        points = reader.number("scale_points", 5, integer=True, minimum=2, maximum=10)
        shown = reader.string_list("labels") if reader.has("labels") else []
        if shown and len(shown) != points:
            reader.problem("labels", f"has {len(shown)} labels but scale_points is {points}")
        if not shown and points == len(DEFAULT_LABELS):
            shown = list(DEFAULT_LABELS)
        self.labels = [
            Label(str(i), text=shown[i - 1] if i <= len(shown) else None)
            for i in range(1, points + 1)
        ]
        self.labels_configured = False  # the points are its labels; `labels` names them

    def _parse_slider(self, reader: ConfigReader) -> None:
        self.macro = "schemes/vas.html"
        self.agreement_metric = "interval"
        self.confusion_matrix = False
        self.summary_kind = "numbers"
        self.value_key = SLIDER_KEY
        self.min_value = reader.number("min_value", 0)
        self.max_value = reader.number("max_value", 100)
        if self.min_value >= self.max_value:
            reader.problem("max_value", f"must be greater than min_value ({self.min_value:g})")
            self.max_value = self.min_value + 1
        self.step = reader.number("step", 1, minimum=0) or 1
        self.left_label = reader.str("left_label", "Not confident", allow_empty=True)
        self.right_label = reader.str("right_label", "Very confident", allow_empty=True)
        self.show_value = True
        self.start = (self.min_value + self.max_value) / 2
        self.labels = [Label(SLIDER_KEY)]
        self.labels_configured = False

    def resolve_references(self, schemes, reader: ConfigReader) -> None:
        if not self.target_schema:
            return
        if self.target_schema not in schemes or self.target_schema == self.name:
            names = [n for n in schemes if n != self.name]
            reader.problem(
                "target_schema",
                f"{self.target_schema!r} is not another scheme of this project"
                f"{hint(self.target_schema, names)}",
            )

    # -- slider mode: a number, as NumericScheme stores it ----------------------------
    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        if self.scale_type == "slider":
            return NumericScheme.normalize(self, label_map)
        return super().normalize(label_map)

    def parse_number(self, value: Any) -> float:
        return NumericScheme.parse_number(self, value)

    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        if self.scale_type == "slider":
            return self.normalize({**(old or {}), **incoming})
        return super().merge(old, incoming)

    def answer(self, label_map: Mapping[str, str]) -> Any:
        if self.scale_type == "slider":
            return NumericScheme.answer(self, label_map)
        return super().answer(label_map)

    def answer_map(self, value: Any) -> dict[str, Any]:
        if self.scale_type == "slider":
            return {SLIDER_KEY: value}
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise BadAnnotation(
                f"{self.name}: a confidence answer is a point 1..{len(self.labels)}"
            )
        return {str(value): "1"}

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(target_schema=self.target_schema, scale_type=self.scale_type)
        return out
