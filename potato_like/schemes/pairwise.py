"""`annotation_type: pairwise` — which of two items is preferred.

`mode: binary` (default): pick A or B (keys 1 and 2), or a tie (key 0) with `allow_tie`;
stored as `{"selection": "A"}` (`"B"`, `"tie"`), as Potato's page sends it. `mode: scale`:
a number between `scale.min` and `scale.max` (below the middle leans to A), stored as
`{"scale_value": "-2"}`. The two items come from the item field `items_key` (a list, or a
mapping with a/b, left/right), and are shown on the page as the tiles to choose from.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Label, Scheme, is_chosen
from .registry import register

SIDES = ("A", "B")
TIE = "tie"
_PAIR_KEYS = (("a", "b"), ("A", "B"), ("left", "right"), ("1", "2"))


@dataclass(frozen=True)
class Side:
    position: str  # "A" or "B"
    label: str  # what the tile is called ("Response A")
    text: str  # the item's content for this side


MODES = ("binary", "scale", "multi_dimension")
JUSTIFICATION_KEYS = ("rationale",)


@dataclass(frozen=True)
class Dimension:
    name: str
    description: str
    choices: tuple[Label, ...]


@dataclass(frozen=True)
class Justification:
    required: bool
    reasons: tuple[str, ...]
    min_chars: int
    placeholder: str


def _read_justification(reader: ConfigReader) -> Justification | None:
    if not reader.has("justification"):
        return None
    j = reader.child("justification")
    j.warn_unknown(
        ("required", "reason_categories", "min_rationale_chars", "rationale_placeholder")
    )
    reasons = j.string_list("reason_categories")
    return Justification(
        required=j.bool("required", False),
        reasons=tuple(reasons),
        min_chars=j.number("min_rationale_chars", 0, integer=True, minimum=0),
        placeholder=j.str("rationale_placeholder", "Why?", allow_empty=True) or "",
    )


@register("pairwise")
class Pairwise(Scheme):
    macro = "schemes/pairwise.html"
    option_keys = (
        "mode",
        "items_key",
        "labels",
        "allow_tie",
        "tie_label",
        "show_labels",
        "sequential_key_binding",
        "scale",
        "dimensions",
        "justification",
        "layout",
    )
    tallied = True
    agreement_metric = "nominal"
    confusion_matrix = True
    compares_pairs = True  # scored by Bradley-Terry (comparisons/pairwise_scores.py)
    sides: tuple[Side, ...] = ()
    items_displayed = False  # an instance_display field shows the items (config/comparisons.py)

    def parse_options(self, reader: ConfigReader) -> None:
        self.mode = reader.str("mode", "binary", choices=MODES)
        self.items_key = reader.str("items_key", "text")
        names = reader.string_list("labels") if reader.has("labels") else ["A", "B"]
        if len(names) != 2:
            reader.problem("labels", f"a pairwise scheme names exactly 2 items, got {len(names)}")
            names = ["A", "B"]
        self.side_labels = tuple(names)
        self.show_labels = reader.bool("show_labels", True)
        self.allow_tie = reader.bool("allow_tie", False)
        self.tie_label = reader.str("tie_label", "No preference")
        keys = reader.bool("sequential_key_binding", True)
        if self.mode == "binary":
            self.labels = [
                Label(SIDES[0], key="1" if keys else None, text=names[0]),
                Label(SIDES[1], key="2" if keys else None, text=names[1]),
            ]
            if self.allow_tie:
                self.labels.append(Label(TIE, key="0" if keys else None, text=self.tie_label))
        elif self.mode == "scale":
            self._read_scale(reader.child("scale"))
            self.agreement_metric = "interval"
            self.summary_kind = "numbers"
            self.confusion_matrix = False
        else:
            self._read_dimensions(reader)
            self.tallied = False
            self.confusion_matrix = False
            self.unit_values = self._dimension_values  # alpha per (item, dimension)
        self.justification = _read_justification(reader)

    def _read_dimensions(self, reader: ConfigReader) -> None:
        self.dimensions: list[Dimension] = []
        for i, dim in reader.entries("dimensions", "a mapping with 'name'"):
            name = dim.str("name", f"dimension_{i}")
            dim.warn_unknown(("name", "description", "allow_tie", "tie_label"))
            if name in {d.name for d in self.dimensions} or name in JUSTIFICATION_KEYS:
                dim.problem("name", f"{name!r} is used twice (or is a reserved name)")
                continue
            choices = [
                Label(SIDES[0], text=self.side_labels[0]),
                Label(SIDES[1], text=self.side_labels[1]),
            ]
            if dim.bool("allow_tie", self.allow_tie):
                choices.append(Label(TIE, text=dim.str("tie_label", self.tie_label)))
            self.dimensions.append(
                Dimension(
                    name, dim.str("description", name, allow_empty=True) or name, tuple(choices)
                )
            )
        if not self.dimensions:
            reader.problem(
                "dimensions", "mode multi_dimension needs a non-empty list of dimensions"
            )

    def _read_scale(self, scale: ConfigReader) -> None:
        scale.warn_unknown(("min", "max", "step", "default", "labels"))
        self.min_value = scale.number("min", -3)
        self.max_value = scale.number("max", 3)
        if self.min_value >= self.max_value:
            scale.problem("max", f"must be greater than min ({self.min_value:g})")
            self.max_value = self.min_value + 1
        self.step = scale.number("step", 1, minimum=0) or 1
        middle = (self.min_value + self.max_value) / 2
        self.default_value = scale.number("default", middle)
        ends = scale.child("labels")
        ends.warn_unknown(("min", "max", "center"))
        self.min_label = ends.str("min", "", allow_empty=True)
        self.max_label = ends.str("max", "", allow_empty=True)
        self.center_label = ends.str("center", "", allow_empty=True)

    @property
    def value_key(self) -> str:
        return "selection" if self.mode == "binary" else "scale_value"

    @property
    def value_keys(self) -> list[str]:
        if self.mode == "multi_dimension":
            return [d.name for d in self.dimensions]
        return [self.value_key]

    def _justification_keys(self) -> list[str]:
        if self.justification is None:
            return []
        return ["rationale", *(f"reason:{r}" for r in self.justification.reasons)]

    # -- the page ---------------------------------------------------------------------------
    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        texts = item_sides(fields.get(self.items_key))
        if len(texts) != 2:
            return self
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        view.sides = tuple(Side(SIDES[i], self.side_labels[i], texts[i]) for i in range(len(SIDES)))
        return view

    # -- values -----------------------------------------------------------------------------
    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        return self.normalize({**(old or {}), **incoming})

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        allowed = [*self.value_keys, *self._justification_keys()]
        unknown = [k for k in label_map if k not in allowed]
        if unknown:
            raise BadAnnotation(
                f"{self.name}: unknown label {unknown[0]!r}; a {self.mode} pairwise answer is "
                f"sent as {', '.join(repr(f'{self.name}:{k}') for k in allowed)}"
            )
        out: dict[str, str] = {}
        for key in allowed:
            value = label_map.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if isinstance(value, (dict, list)):
                raise BadAnnotation(f"{self.name}:{key}: must be a string, got {value!r}")
            if key == "selection":
                out[key] = self._selection(value)
            elif key == "scale_value":
                out[key] = self._scale_value(value)
            elif key == "rationale":
                out[key] = str(value)
            elif key.startswith("reason:"):
                if is_chosen(value):
                    out[key] = "1"
            else:
                out[key] = self._dimension_choice(key, value)
        return out

    def _dimension_choice(self, key: str, value: Any) -> str:
        dim = next(d for d in self.dimensions if d.name == key)
        choice = str(value).strip()
        choice = TIE if choice.lower() == TIE else choice
        names = [c.name for c in dim.choices]
        if choice not in names:
            raise BadAnnotation(f"{self.name}:{key}: {choice!r} is not one of {', '.join(names)}")
        return choice

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        label_map = label_map or {}
        if self.required:
            missing = [k for k in self.value_keys if k not in label_map]
            if missing:
                return (
                    f"choose {', '.join(missing)}"
                    if len(self.value_keys) > 1
                    else "an answer is required"
                )
        j = self.justification
        if j is not None and j.required:
            rationale = label_map.get("rationale", "")
            if len(rationale.strip()) < max(j.min_chars, 1):
                return f"explain your choice (at least {max(j.min_chars, 1)} characters)"
        return None

    def _selection(self, value: Any) -> str:
        choice = str(value).strip()
        if choice.lower() == TIE:
            choice = TIE
        if choice not in self.label_names:
            expected = ", ".join(self.label_names)
            if choice == TIE:
                raise BadAnnotation(f"{self.name}: ties are not allowed here (allow_tie: false)")
            raise BadAnnotation(f"{self.name}: selection {choice!r} is not one of {expected}")
        return choice

    def _scale_value(self, value: Any) -> str:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise BadAnnotation(
                f"{self.name}: scale_value must be a number, got {value!r}"
            ) from None
        if isinstance(value, bool) or not math.isfinite(number):
            raise BadAnnotation(f"{self.name}: scale_value must be a number, got {value!r}")
        if not self.min_value <= number <= self.max_value:
            raise BadAnnotation(
                f"{self.name}: scale_value {number:g} is outside "
                f"{self.min_value:g}..{self.max_value:g}"
            )
        return str(int(number)) if number.is_integer() else repr(number)

    def answer(self, label_map: Mapping[str, str]) -> Any:
        if self.mode == "multi_dimension":
            return {k: label_map[k] for k in self.value_keys if k in label_map} or None
        raw = label_map.get(self.value_key)
        if raw is None or self.mode == "binary":
            return raw
        number = float(raw)
        return int(number) if number.is_integer() else number

    def answer_map(self, value: Any) -> dict[str, Any]:
        return {self.value_key: value}

    def preferred(self, label_map: Mapping[str, str]) -> str | None:
        """ "A", "B" or "tie" for a stored answer (a scale answer leans to the side of the
        middle it is on), None when unanswered: what scoring and preference exports use."""
        if self.mode == "multi_dimension":
            return None  # no overall preference to score
        value = self.answer(label_map)
        if value is None or self.mode == "binary":
            return value
        middle = (self.min_value + self.max_value) / 2
        return "A" if value < middle else "B" if value > middle else TIE

    def side_texts(self, fields: Mapping[str, Any]) -> list[str]:
        """The two compared texts of an item (A first)."""
        return item_sides(fields.get(self.items_key))

    def entities(self, fields: Mapping[str, Any]) -> list[str]:
        """What the two sides are, for scores across items: a side's `id`, `model` or
        `name` when it is a mapping, else its text."""
        value = fields.get(self.items_key)
        if isinstance(value, str) and value.lstrip().startswith(("[", "{")):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        if isinstance(value, list) and len(value) == 2:
            return [entity_name(v) for v in value]
        return item_sides(value)

    def scale_values(self) -> list[Any]:
        return self.label_names if self.mode == "binary" else []

    def _dimension_values(self, label_map: Mapping[str, str]) -> dict[str, Any]:
        return {k: label_map[k] for k in self.value_keys if k in label_map}

    def agreement_scale(self) -> list[Any]:
        return [*SIDES, TIE]

    def table_keys(self) -> list[str]:
        return [*self.value_keys, *self._justification_keys()]

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        return [label_map.get(k) for k in self.value_keys if k in label_map]

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(mode=self.mode, items_key=self.items_key, item_labels=list(self.side_labels))
        if self.mode == "binary":
            out.update(allow_tie=self.allow_tie, keys=self.key_bindings)
        elif self.mode == "multi_dimension":
            out["dimensions"] = [
                {
                    "name": d.name,
                    "description": d.description,
                    "choices": [c.name for c in d.choices],
                }
                for d in self.dimensions
            ]
        else:
            out.update(min_value=self.min_value, max_value=self.max_value, step=self.step)
        return out


def item_sides(value: Any) -> list[str]:
    """The two things compared, as text, from an item field (a list, a JSON list in a
    string, or a mapping with a/b, left/right or 1/2); each side a string or a mapping with
    `text`/`content`/`response`."""
    if isinstance(value, str) and value.lstrip().startswith(("[", "{")):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    if isinstance(value, Mapping):
        for a, b in _PAIR_KEYS:
            if a in value and b in value:
                value = [value[a], value[b]]
                break
        else:
            value = list(value.values())
    if not isinstance(value, list):
        return [] if value is None else [str(value)]
    return [side_text(v) for v in value]


def side_text(value: Any) -> str:
    if isinstance(value, Mapping):
        for key in ("text", "content", "response"):
            if key in value:
                return str(value[key])
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def entity_name(value: Any) -> str:
    if isinstance(value, Mapping):
        for key in ("id", "model", "name"):
            if key in value:
                return str(value[key])
    return side_text(value)
