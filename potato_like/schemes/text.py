"""`annotation_type: text` — free text, stored as `{"text_box": "..."}` (or one box per label)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Label, Scheme
from .registry import register

TEXT_KEY = "text_box"
MAX_TEXT = 100_000


@register("text")
class Text(Scheme):
    macro = "schemes/text.html"
    option_keys = ("labels", "textarea", "multiline", "rows", "placeholder")
    agreement_skip_reason = "free text has no agreement measure"
    survey_names = ("textbox",)

    def parse_options(self, reader: ConfigReader) -> None:
        raw_labels = reader.raw.get("labels")
        if (
            isinstance(raw_labels, list)
            and raw_labels
            and not any(isinstance(x, str) and x.strip() for x in raw_labels)
        ):
            # Potato's `labels: [""]`: one box without a label, the same as no labels.
            self.labels = [Label(TEXT_KEY)]
        elif reader.has("labels"):
            self.read_labels(reader)
        else:
            self.labels = [Label(TEXT_KEY)]
        legacy = reader.raw.get("textarea")
        multiline = reader.bool("multiline", False)
        rows = reader.number("rows", 3, integer=True, minimum=1, maximum=50)
        if isinstance(legacy, Mapping):
            if True in legacy:  # YAML 1.1 reads the key `on` as the boolean true
                reader.raw["textarea"] = {("on" if k is True else k): v for k, v in legacy.items()}
            sub = reader.child("textarea")
            sub.warn_unknown(("on", "rows", "cols"))
            multiline = sub.bool("on", False) or multiline
            rows = sub.number("rows", rows, integer=True, minimum=1, maximum=50)
        elif legacy is not None:
            multiline = reader.bool("textarea", False) or multiline
        self.multiline = multiline
        self.rows = rows
        self.placeholder = reader.str("placeholder", "", allow_empty=True)

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        out = {}
        for label, value in label_map.items():
            if label not in self.label_names:
                raise self.unknown_label(label)
            if value is None:
                continue
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise BadAnnotation(f"{self.name}:{label}: text must be a string, got {value!r}")
            text = str(value)
            if len(text) > MAX_TEXT:
                raise BadAnnotation(f"{self.name}:{label}: text longer than {MAX_TEXT} characters")
            if text.strip():
                out[label] = text
        return out

    def answer_map(self, value: Any) -> dict[str, Any]:
        if len(self.label_names) != 1:  # one box, whatever its name: a plain text is its text
            raise BadAnnotation(f"{self.name}: give the answer as {{label: text}}")
        return {self.label_names[0]: value}

    def answer(self, label_map: Mapping[str, str]) -> Any:
        if self.label_names == [TEXT_KEY]:
            return label_map.get(TEXT_KEY)
        return dict(label_map)
