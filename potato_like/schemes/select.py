"""`annotation_type: select` — one option from a drop-down, stored as `{"select-one": option}`.

`labels` is a list or a path (relative to task_dir) to a file with one option per line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from . import item_labels
from .base import Label, Scheme, is_chosen
from .registry import register

SELECT_KEY = "select-one"


@register("select")
class Select(item_labels.ItemLabels, Scheme):
    macro = "schemes/select.html"
    option_keys = ("labels", "sequential_key_binding", "horizontal", *item_labels.KEYS)
    tallied = True
    agreement_metric = "nominal"
    learned_as = "classes"
    confusion_matrix = True
    survey_names = ("dropdown",)

    def parse_options(self, reader: ConfigReader) -> None:
        raw = reader.raw.get("labels")
        if isinstance(raw, str):
            self._read_label_file(reader, raw)
        else:
            self.read_labels(reader)
        reader.bool("sequential_key_binding", False)
        reader.bool("horizontal", False)
        self.read_item_label_options(reader)

    def _read_label_file(self, reader: ConfigReader, raw: str) -> None:
        path = (self.task_dir / raw).resolve()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            reader.problem("labels", f"cannot read label file {path}: {exc.strerror or exc}")
            return
        names = list(dict.fromkeys(line.strip() for line in lines if line.strip()))
        if not names:
            reader.problem("labels", f"label file {path} has no labels")
        self.labels = [Label(name) for name in names]

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        value = None
        for key, raw in label_map.items():
            if key == SELECT_KEY:
                value = raw if is_chosen(raw) else None
            elif key in self.label_names:  # frontend style "schema:option": "1"
                if is_chosen(raw):
                    if value is not None and value != key:
                        raise BadAnnotation(f"{self.name}: choose one option, got {value}, {key}")
                    value = key
            else:
                raise self.unknown_label(key)
        if value is None:
            return {}
        if not isinstance(value, str):
            raise BadAnnotation(f"{self.name}: option must be a string, got {value!r}")
        if value not in self.label_names:
            raise self.unknown_label(value)
        return {SELECT_KEY: value}

    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        # A select holds one value: any incoming entry replaces the old choice.
        return self.normalize(incoming) if incoming else dict(old or {})

    def answer_map(self, value: Any) -> dict[str, Any]:
        return {SELECT_KEY: value}

    def answer(self, label_map: Mapping[str, str]) -> Any:
        return label_map.get(SELECT_KEY)

    def table_keys(self) -> list[str]:
        return [SELECT_KEY]

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        return [self.answer(label_map)]  # stored as {"select-one": option}
