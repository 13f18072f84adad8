"""`annotation_type: likert` — a scale of `size` points between `min_label` and `max_label`.

The labels are "1".."size" and the stored value is the point itself (`{"3": "3"}`), as in
Potato. With explicit `labels` it behaves like a radio scheme over those labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from .base import Label
from .choice import ChoiceScheme, free_response_prompt
from .registry import register


@register("likert")
class Likert(ChoiceScheme):
    macro = "schemes/choice.html"
    single_choice = True
    input_type = "radio"
    agreement_metric = "ordinal"
    learned_as = "classes"
    confusion_matrix = True
    option_keys = (*ChoiceScheme.option_keys, "size", "min_label", "max_label")

    def parse_options(self, reader: ConfigReader) -> None:
        self.horizontal = reader.bool("horizontal", True)
        self.min_label = reader.str("min_label", "", allow_empty=True)
        self.max_label = reader.str("max_label", "", allow_empty=True)
        self.free_response = free_response_prompt(reader)
        if reader.has("labels"):
            self.read_labels(reader)
            self.scale = False
        else:
            size = reader.number("size", None, integer=True, minimum=2, maximum=100)
            if size is None and not reader.has("size"):
                reader.problem("size", "is required when a likert scheme has no labels")
            self.labels = [Label(str(i)) for i in range(1, (size or 5) + 1)]
            self.scale = True
        self.sequential = reader.bool("sequential_key_binding", len(self.labels) <= 10)
        self.assign_keys(self.sequential)

    def chosen_value(self, label: str) -> str:
        return label if self.scale else "1"

    def answer(self, label_map: Mapping[str, str]) -> Any:
        picked = super().answer(label_map)
        return int(picked) if self.scale and picked is not None else picked

    def scale_values(self) -> list[Any]:
        return [int(n) for n in self.label_names] if self.scale else self.label_names

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(min_label=self.min_label, max_label=self.max_label)
        return out
