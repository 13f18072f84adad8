"""`annotation_type: card_sort` — sort the item's cards (the list in its `items_field`)
into `groups` (`mode: closed`), or into groups the annotator names too (`mode: open`).

Potato sends the groups as JSON, `"schema:schema": '{"Science": ["card a"], ...}'`; stored
as `{"<schema name>": "<that JSON, canonical>"}`; the answer is the mapping.

Agreement (quality/card_sort_agreement.py): for every two annotators of an item, the
adjusted Rand index of their two partitions of the cards both placed (Hubert & Arabie 1985),
and the co-occurrence agreement: the share of card pairs both put together or both apart
(Rand 1971; the pairwise co-occurrence matrices of card-sorting analysis). Group names do not
matter, only which cards share a group, so open sorts compare too."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader, hint
from ..errors import BadAnnotation
from ..quality.card_sort_agreement import sort_pair_scores
from .base import Label, Scheme
from .registry import register

MAX_GROUP_NAME = 200
MAX_CARDS = 500


@register("card_sort")
class CardSort(Scheme):
    stylesheet = "css/scales.css"
    macro = "schemes/card_sort.html"
    script = "js/card-sort.js"
    option_keys = ("mode", "groups", "items_field", "allow_empty_groups", "allow_multiple")
    agreement_metric = "pair_scores"
    pair_score_names = ("adjusted_rand", "cooccurrence_agreement")
    cards: list[str] = []

    def parse_options(self, reader: ConfigReader) -> None:
        self.mode = reader.str("mode", "closed")
        if self.mode not in ("closed", "open"):
            reader.problem("mode", f"must be closed or open, got {self.mode!r}")
            self.mode = "closed"
        self.groups = reader.string_list("groups") if reader.has("groups") else []
        if self.mode == "closed" and not self.groups:
            reader.problem("groups", "is required in closed mode")
        self.items_field = reader.str("items_field", "items")
        self.allow_empty_groups = reader.bool("allow_empty_groups", True)
        self.allow_multiple = reader.bool("allow_multiple", False)
        self.labels = [Label(self.name)]
        self.labels_configured = False

    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        view = copy.copy(self)
        raw = fields.get(self.items_field)
        view.cards = [str(c) for c in raw] if isinstance(raw, list) else []
        return view

    def _groups(self, raw: Any) -> dict[str, list[str]]:
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise BadAnnotation(
                    f"{self.name}: the sort must be JSON {{group: [cards]}}"
                ) from None
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{self.name}: the sort must be a mapping {{group: [cards]}}")
        out: dict[str, list[str]] = {}
        seen: set[str] = set()
        for group, cards in raw.items():
            if not isinstance(group, str) or not group.strip() or len(group) > MAX_GROUP_NAME:
                raise BadAnnotation(f"{self.name}: {group!r} is not a group name")
            if self.mode == "closed" and group not in self.groups:
                raise BadAnnotation(
                    f"{self.name}: {group!r} is not one of the groups"
                    f"{hint(group, self.groups)} ({', '.join(self.groups)})"
                )
            if not isinstance(cards, list) or not all(isinstance(c, str) for c in cards):
                raise BadAnnotation(f"{self.name}: group {group!r} must hold a list of cards")
            for card in cards:
                if card in seen and not self.allow_multiple:
                    raise BadAnnotation(f"{self.name}: card {card!r} is in more than one group")
                seen.add(card)
            if cards:
                out[group] = list(dict.fromkeys(cards))
        if len(seen) > MAX_CARDS:
            raise BadAnnotation(f"{self.name}: more than {MAX_CARDS} cards")
        order = [g for g in self.groups if g in out] + [g for g in out if g not in self.groups]
        return {g: out[g] for g in order}

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        extra = set(label_map) - {self.name}
        if extra:
            raise BadAnnotation(
                f"{self.name}: unknown label {sorted(extra)[0]!r}; send the sort as "
                f"'{self.name}:{self.name}'"
            )
        raw = label_map.get(self.name)
        if raw is None or raw == "":
            return {}
        groups = self._groups(raw)
        return {self.name: json.dumps(groups, ensure_ascii=False)} if groups else {}

    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        return self.normalize({**(old or {}), **incoming})

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        if label_map and not self.allow_empty_groups:
            used = self.answer(label_map) or {}
            empty = [g for g in self.groups if g not in used]
            if empty:
                return f"every group needs a card (empty: {', '.join(empty)})"
        return super().missing_requirement(label_map)

    def answer(self, label_map: Mapping[str, str]) -> Any:
        raw = label_map.get(self.name)
        return json.loads(raw) if raw else None

    def answer_map(self, value: Any) -> dict[str, Any]:
        return {self.name: value if isinstance(value, str) else json.dumps(value)}

    def table_keys(self) -> list[str]:
        return [self.name]

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        return list(self.answer(label_map) or {})

    def pair_scores(self, a: Mapping[str, str], b: Mapping[str, str]) -> dict[str, float]:
        return sort_pair_scores(self.answer(a) or {}, self.answer(b) or {})

    def placed(self, value: Mapping[str, str]) -> dict[str, str]:
        """card -> its group in a stored map (for the page)."""
        return {card: g for g, cards in (self.answer(value) or {}).items() for card in cards}
