"""`annotation_type: ranking` — put the `labels` in order, best first.

Stored as Potato's page sends it: `{"rank_order": "Response B,Response A,Response C"}`, every
label once. With `allow_ties: true` a `|` joins labels sharing a place
(`"B|A,C"`). On the page the labels are a list to drag, or to move with the keyboard: focus
one and press Alt+ArrowUp / Alt+ArrowDown (or `u` / `d`); "Keep this order" saves the
order as shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Scheme
from .registry import register

KEY = "rank_order"
TIE_JOIN = "|"


@register("ranking")
class Ranking(Scheme):
    macro = "schemes/ranking.html"
    script = "js/ranking.js"
    option_keys = ("labels", "allow_ties")
    agreement_metric = "ordinal"
    tallied = True  # the questions page counts each label's places

    def parse_options(self, reader: ConfigReader) -> None:
        self.read_labels(reader)
        if len(self.labels) < 2:
            reader.problem("labels", "a ranking needs at least 2 labels")
        for label in self.labels:
            if "," in label.name or TIE_JOIN in label.name:
                reader.problem("labels", f"label {label.name!r} must not contain ',' or '|'")
        self.allow_ties = reader.bool("allow_ties", False)

    # -- values -----------------------------------------------------------------------------
    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        return self.normalize({**(old or {}), **incoming})

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        unknown = set(label_map) - {KEY}
        if unknown:
            raise BadAnnotation(
                f"{self.name}: unknown label {sorted(unknown)[0]!r}; a ranking is sent as "
                f"'{self.name}:{KEY}' (labels joined by commas, best first)"
            )
        raw = label_map.get(KEY)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return {}
        if isinstance(raw, list):
            raw = ",".join(TIE_JOIN.join(x) if isinstance(x, list) else str(x) for x in raw)
        if not isinstance(raw, str):
            raise BadAnnotation(f"{self.name}: {KEY} must be a string of labels, got {raw!r}")
        places = [[n.strip() for n in place.split(TIE_JOIN)] for place in raw.split(",")]
        if any(len(p) > 1 for p in places) and not self.allow_ties:
            raise BadAnnotation(f"{self.name}: ties are not allowed (allow_ties: false)")
        named = [n for place in places for n in place]
        for name in named:
            if name not in self.label_names:
                raise self.unknown_label(name)
        repeated = sorted({n for n in named if named.count(n) > 1})
        if repeated:
            raise BadAnnotation(f"{self.name}: {', '.join(repeated)} ranked more than once")
        missing = [n for n in self.label_names if n not in named]
        if missing:
            raise BadAnnotation(f"{self.name}: rank every label (missing: {', '.join(missing)})")
        return {KEY: ",".join(TIE_JOIN.join(p) for p in places)}

    def answer(self, label_map: Mapping[str, str]) -> Any:
        raw = label_map.get(KEY)
        if not raw:
            return None
        return [p.split(TIE_JOIN) if TIE_JOIN in p else p for p in raw.split(",")]

    def answer_map(self, value: Any) -> dict[str, Any]:
        return {KEY: value}

    def ranks(self, label_map: Mapping[str, str]) -> dict[str, float]:
        """Label -> its place (1 = best; tied labels share the mean of their places)."""
        out: dict[str, float] = {}
        place = 1
        for entry in (label_map.get(KEY) or "").split(","):
            if not entry:
                continue
            names = entry.split(TIE_JOIN)
            for name in names:
                out[name] = place + (len(names) - 1) / 2
            place += len(names)
        return out

    def unit_values(self, label_map: Mapping[str, str]) -> dict[str, Any]:
        """Agreement units inside one item: label -> its place (alpha ordinal on ranks)."""
        return self.ranks(label_map)

    def agreement_scale(self) -> list[Any]:
        n = len(self.labels)
        return sorted({(i + j) / 2 for i in range(1, n + 1) for j in range(i, n + 1)})

    def table_keys(self) -> list[str]:
        return [KEY]

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        """ "label: place" for every label (the questions page: how often each label came
        where)."""
        return [f"{label}: {place:g}" for label, place in self.ranks(label_map).items()]

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["allow_ties"] = self.allow_ties
        return out
