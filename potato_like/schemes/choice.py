"""Shared behaviour of the label-picking types (radio, likert, multiselect)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Scheme, is_chosen

FREE_RESPONSE = "free_response"


class ChoiceScheme(Scheme):
    """Labels chosen by click or key; optional free-text "Other" box (`has_free_response`)."""

    option_keys = ("labels", "sequential_key_binding", "horizontal", "has_free_response")
    tallied = True
    input_type = "radio"  # or "checkbox": the HTML input each label gets

    def parse_options(self, reader: ConfigReader) -> None:
        self.read_labels(reader)
        self.horizontal = reader.bool("horizontal", False)
        self.sequential = reader.bool("sequential_key_binding", False)
        self.free_response = free_response_prompt(reader)
        self.assign_keys(self.sequential)

    def chosen_value(self, label: str) -> str:
        """The canonical stored string for a chosen label."""
        return "1"

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for label, value in label_map.items():
            if label == FREE_RESPONSE and self.free_response is not None:
                text = "" if value is None else str(value)
                if text.strip():
                    out[FREE_RESPONSE] = text
                continue
            if not isinstance(value, (str, int, float, bool)) and value is not None:
                raise BadAnnotation(f"{self.name}:{label}: value must be a string, got {value!r}")
            if label not in self.label_names:
                raise self.unknown_label(label)
            if is_chosen(value):
                out[label] = self.chosen_value(label)
        picked = [k for k in out if k != FREE_RESPONSE]
        if self.single_choice and len(picked) > 1:
            raise BadAnnotation(f"{self.name}: choose one label, got {', '.join(picked)}")
        return out

    def form_answers(self, form: Mapping[str, Any]) -> dict[str, Any]:
        # A radio group is named after the scheme; an unticked box is absent from a form, so
        # each label is sent explicitly.
        out: dict[str, Any] = {}
        if self.input_type == "radio":
            chosen = form.get(self.name)
            for label in self.label_names:
                out[f"{self.name}:{label}"] = "1" if label == chosen else "0"
        else:
            for label in self.label_names:
                out[f"{self.name}:{label}"] = form.get(f"{self.name}:{label}", "0")
        for key, value in super().form_answers(form).items():
            out.setdefault(key, value)
        return out

    def table_keys(self) -> list[str]:
        return self.label_names + ([FREE_RESPONSE] if self.free_response is not None else [])

    def answer_map(self, value: Any) -> dict[str, Any]:
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(not isinstance(v, (str, int, float)) or isinstance(v, bool) for v in values):
            raise BadAnnotation(f"{self.name}: an answer is a label or a list of labels")
        return {str(v): "1" for v in values}

    def answer(self, label_map: Mapping[str, str]) -> Any:
        picked = [k for k in label_map if k != FREE_RESPONSE]
        if self.single_choice:
            return picked[0] if picked else label_map.get(FREE_RESPONSE)
        return picked + ([label_map[FREE_RESPONSE]] if FREE_RESPONSE in label_map else [])

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["keys"] = self.key_bindings
        if self.free_response is not None:
            out["free_response"] = self.free_response
        return out


def free_response_prompt(reader: ConfigReader) -> str | None:
    raw = reader.raw.get("has_free_response")
    if raw is None or raw is False:
        return None
    if raw is True:
        return "Other"
    if isinstance(raw, Mapping):
        sub = reader.child("has_free_response")
        sub.warn_unknown(("instruction",))
        return sub.str("instruction", "Other", allow_empty=True) or "Other"
    if isinstance(raw, str):
        return raw
    reader.problem("has_free_response", "must be true/false or a mapping with 'instruction'")
    return None
