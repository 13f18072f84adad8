"""`annotation_type: triage` — keep, discard or mark unsure, one key each (1, 2, 3 by
default), moving on to the next item at once (`auto_advance`).

Stored as `{"decision": "accept"}` (or `reject`, `skip`), Potato's `schema:decision`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Label, Scheme
from .registry import register

DECISION = "decision"
CHOICES = (("accept", "Keep", "1"), ("reject", "Discard", "2"), ("skip", "Unsure", "3"))


@register("triage")
class Triage(Scheme):
    stylesheet = "css/scales.css"
    macro = "schemes/triage.html"
    script = "js/triage.js"
    option_keys = (
        *(f"{choice}_label" for choice, _, _ in CHOICES),
        *(f"{choice}_key" for choice, _, _ in CHOICES),
        "auto_advance",
        "show_progress",
    )
    tallied = True
    agreement_metric = "nominal"
    confusion_matrix = True

    def parse_options(self, reader: ConfigReader) -> None:
        for choice, shown, key in CHOICES:
            text = reader.str(f"{choice}_label", shown)
            bound = reader.str(f"{choice}_key", key)
            if len(bound) != 1 or bound.isspace():
                reader.problem(f"{choice}_key", f"must be a single key, got {bound!r}")
                bound = key
            self.labels.append(Label(choice, key=bound.lower(), text=text))
        self.auto_advance = reader.bool("auto_advance", True)
        self.show_progress = reader.bool("show_progress", True)

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        extra = set(label_map) - {DECISION}
        if extra:
            raise BadAnnotation(
                f"{self.name}: unknown label {sorted(extra)[0]!r}; a triage answer is sent "
                f"as '{self.name}:{DECISION}'"
            )
        value = label_map.get(DECISION)
        if value is None or value == "":
            return {}
        if value not in self.label_names:
            raise BadAnnotation(
                f"{self.name}: decision {value!r} is not one of {', '.join(self.label_names)}"
            )
        return {DECISION: value}

    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        return self.normalize({**(old or {}), **incoming})

    def answer(self, label_map: Mapping[str, str]) -> Any:
        return label_map.get(DECISION)

    def answer_map(self, value: Any) -> dict[str, Any]:
        return {DECISION: value}

    def table_keys(self) -> list[str]:
        return [DECISION]

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        return [label_map.get(DECISION)]
