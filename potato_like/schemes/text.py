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
    option_keys = (
        "labels",
        "textarea",
        "multiline",
        "rows",
        "placeholder",
        "min_chars",
        "show_char_count",
        "allow_paste",
        "collapsible",
    )
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
        # Potato's text box options: a minimum length checked on submit (drafts may be
        # shorter), a character counter, paste blocking, a box that starts folded away.
        self.min_chars = reader.number("min_chars", 0, integer=True, minimum=0, maximum=MAX_TEXT)
        self.show_char_count = reader.bool("show_char_count", False)
        self.allow_paste = reader.bool("allow_paste", True)
        self.collapsible = reader.bool("collapsible", False)
        if self.show_char_count or self.min_chars or not self.allow_paste:
            self.script = "js/text-box.js"  # counter and paste blocking, only when asked

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

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        why = super().missing_requirement(label_map)
        if why or not self.min_chars:
            return why
        for label, text in (label_map or {}).items():
            if len(text.strip()) < self.min_chars:
                box = "" if label == TEXT_KEY else f" ({label})"
                return f"write at least {self.min_chars} characters{box}, not {len(text.strip())}"
        return None

    def answer_map(self, value: Any) -> dict[str, Any]:
        if len(self.label_names) != 1:  # one box, whatever its name: a plain text is its text
            raise BadAnnotation(f"{self.name}: give the answer as {{label: text}}")
        return {self.label_names[0]: value}

    def answer(self, label_map: Mapping[str, str]) -> Any:
        if self.label_names == [TEXT_KEY]:
            return label_map.get(TEXT_KEY)
        return dict(label_map)
