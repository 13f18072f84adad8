"""`annotation_type: multirate` — several items (`options`) rated on one scale (`labels`).

Stored as Potato's page sends it: `{"Option 1": "Agree", "Option 2": "Neutral"}`, one rating
per option. `label_requirement: {required: true}` asks for a rating of every option. On the
page each option is a row of radio buttons (arrow keys move along a row, Tab between rows).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Scheme
from .registry import register


@register("multirate")
class Multirate(Scheme):
    macro = "schemes/multirate.html"
    option_keys = (
        "options",
        "labels",
        "option_randomization",
        "sequential_key_binding",
        "arrangement",
        "display_config",
    )
    agreement_metric = "ordinal"
    tallied = True  # the questions page counts each option's ratings

    def parse_options(self, reader: ConfigReader) -> None:
        self.read_labels(reader)
        self.options: list[str] = []
        self.option_texts: dict[str, str] = {}
        raw = reader.raw.get("options")
        if not isinstance(raw, list) or not raw:
            reader.problem("options", "must be a non-empty list of the items to rate")
            raw = []
        for i, entry in enumerate(raw):
            name = entry.get("name") if isinstance(entry, Mapping) else entry
            if isinstance(name, (int, float)) and not isinstance(name, bool):
                name = str(name)
            if not isinstance(name, str) or not name.strip():
                reader.problem("options", f"[{i}] must be a name or a mapping with 'name'")
                continue
            if name in self.option_texts:
                reader.problem("options", f"[{i}] duplicate option {name!r}")
                continue
            self.options.append(name)
            shown = entry.get("label", name) if isinstance(entry, Mapping) else name
            self.option_texts[name] = str(shown)
        self.randomize = reader.bool("option_randomization", False)
        reader.bool("sequential_key_binding", False)  # Potato binds no keys for multirate
        self.arrangement = reader.str(
            "arrangement", "horizontal", choices=("horizontal", "vertical")
        )

    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        if not self.randomize:
            return self
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        order = list(self.options)
        random.Random(f"{seed}:{annotator}:{item_id}:{self.name}").shuffle(order)
        view.options = order
        return view

    @property
    def option_order(self) -> list[str] | None:
        return list(self.options) if self.randomize else None

    # -- values -----------------------------------------------------------------------------
    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        return self.normalize({**(old or {}), **incoming})

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for option, rating in label_map.items():
            if option not in self.option_texts:
                raise BadAnnotation(
                    f"{self.name}: unknown option {option!r}; expected one of "
                    f"{', '.join(self.options)}"
                )
            if rating is None or (isinstance(rating, str) and not rating.strip()):
                continue
            if isinstance(rating, bool) or not isinstance(rating, (str, int, float)):
                raise BadAnnotation(f"{self.name}:{option}: a rating is a label, got {rating!r}")
            rating = str(rating).strip()
            if rating not in self.label_names:
                raise BadAnnotation(
                    f"{self.name}:{option}: rating {rating!r} is not one of "
                    f"{', '.join(self.label_names)}"
                )
            out[option] = rating
        return {o: out[o] for o in self.options if o in out}

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        if self.required:
            missing = [o for o in self.options if o not in (label_map or {})]
            if missing:
                return f"rate every option (missing: {', '.join(missing)})"
        return None

    def answer(self, label_map: Mapping[str, str]) -> Any:
        return {o: label_map[o] for o in self.options if o in label_map} or None

    def answer_map(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise BadAnnotation(f"{self.name}: a multirate answer is a mapping option -> rating")
        return dict(value)

    def unit_values(self, label_map: Mapping[str, str]) -> dict[str, Any]:
        """Agreement units inside one item: option -> its rating."""
        return dict(label_map)

    def table_keys(self) -> list[str]:
        return list(self.options)

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        """ "option: rating" per rated option (the questions page)."""
        return [f"{option}: {rating}" for option, rating in label_map.items()]

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["options"] = list(self.options)
        return out
