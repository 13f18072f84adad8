"""`annotation_type: bws` — best-worst scaling: in a tuple of items, pick the best and the worst.

The items are tuples made from a pool by `bws_config` / `ibws_config` (comparisons/tuples.py):
each tuple item's field `_bws_items` lists `{source_id, text, position}`, positions being
the letters A, B, C, ... Stored as Potato's page sends it: `{"best": "A", "worst": "C"}`.
Best and worst must differ; both are needed for the answer to count. Keys: 1..9 pick the
best, q w e r t ... the worst.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Scheme
from .registry import register

ROLES = ("best", "worst")
POSITIONS = string.ascii_uppercase
WORST_KEYS = "qwertyuiopasdfghjklzxcvbnm"
BEST_KEYS = "123456789"


@dataclass(frozen=True)
class TupleItem:
    position: str
    text: str
    source_id: str
    best_key: str | None
    worst_key: str | None


@register("bws")
class Bws(Scheme):
    macro = "schemes/bws.html"
    option_keys = (
        "tuple_size",
        "best_description",
        "worst_description",
        "sequential_key_binding",
        "layout",
    )
    agreement_metric = "nominal"
    compares_tuples = True  # scored by comparisons/scoring.py
    tallied = True  # the questions page counts picks per position (a position-bias check)
    items: tuple[TupleItem, ...] = ()

    def parse_options(self, reader: ConfigReader) -> None:
        self.tuple_size = reader.number("tuple_size", 4, integer=True, minimum=2, maximum=26)
        self.best_description = reader.str("best_description", "Which is the best?")
        self.worst_description = reader.str("worst_description", "Which is the worst?")
        self.keys = reader.bool("sequential_key_binding", True)
        self.items = self._tuple_items([{"position": p} for p in self.positions])

    @property
    def positions(self) -> list[str]:
        return list(POSITIONS[: self.tuple_size])

    def _tuple_items(self, entries: list[Mapping[str, Any]]) -> tuple[TupleItem, ...]:
        out = []
        for i, entry in enumerate(entries):
            keyed = self.keys and i < len(BEST_KEYS)
            out.append(
                TupleItem(
                    position=str(entry.get("position") or POSITIONS[i]),
                    text=str(entry.get("text", "")),
                    source_id=str(entry.get("source_id", "")),
                    best_key=BEST_KEYS[i] if keyed else None,
                    worst_key=WORST_KEYS[i] if keyed else None,
                )
            )
        return tuple(out)

    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        entries = fields.get("_bws_items")
        if not isinstance(entries, list) or not entries:
            return self
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        view.items = self._tuple_items([e for e in entries if isinstance(e, Mapping)])
        return view

    # -- values -----------------------------------------------------------------------------
    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        return self.normalize({**(old or {}), **incoming})

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for role, value in label_map.items():
            if role not in ROLES:
                raise BadAnnotation(
                    f"{self.name}: unknown label {role!r}; send '{self.name}:best' and "
                    f"'{self.name}:worst' with a position letter"
                )
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            position = str(value).strip().upper()
            if position not in self.positions:
                raise BadAnnotation(
                    f"{self.name}: {role} {value!r} is not a position of this tuple "
                    f"({', '.join(self.positions)})"
                )
            out[role] = position
        if out.get("best") and out.get("best") == out.get("worst"):
            raise BadAnnotation(
                f"{self.name}: best and worst must be different items (both {out['best']})"
            )
        return {role: out[role] for role in ROLES if role in out}

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        if self.required:
            missing = [role for role in ROLES if role not in (label_map or {})]
            if missing:
                return f"choose the {' and the '.join(missing)} item"
        return None

    def answer(self, label_map: Mapping[str, str]) -> Any:
        if not label_map:
            return None
        return {role: label_map[role] for role in ROLES if role in label_map}

    def answer_map(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise BadAnnotation(f"{self.name}: a bws answer is {{'best': 'A', 'worst': 'C'}}")
        return dict(value)

    def unit_values(self, label_map: Mapping[str, str]) -> dict[str, Any]:
        """Agreement units inside one tuple: the best pick and the worst pick."""
        return dict(label_map)

    def agreement_scale(self) -> list[Any]:
        return self.positions

    def table_keys(self) -> list[str]:
        return list(ROLES)

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        """ "best A", "worst C": picks per position, so a position bias shows."""
        return [f"{role} {label_map[role]}" for role in ROLES if role in label_map]

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(
            labels=list(ROLES),
            tuple_size=self.tuple_size,
            positions=self.positions,
            best_description=self.best_description,
            worst_description=self.worst_description,
        )
        return out
