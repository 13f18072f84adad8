"""Labels that depend on the item and the annotator (radio, multiselect, select):

- `dynamic_options: true` with `dynamic_options_field` (default `visible_labels`): the
  item's field lists which of the scheme's labels it offers; an item without the field
  offers all of them (Potato's rule).
- `option_randomization: true`: the labels are shuffled, seeded by the project's
  `random_seed`, the annotator, the item and the scheme, so the same annotator sees the same
  order on the same item every time and the order can be recomputed for an audit; the order
  shown is also recorded with each save (`option_order` in the save event).
"""

from __future__ import annotations

import copy
import hashlib
import random
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from .base import Scheme

KEYS = ("option_randomization", "dynamic_options", "dynamic_options_field")
DEFAULT_FIELD = "visible_labels"


class ItemLabels:
    """Mixin for Scheme subclasses with a `labels` list that an item may filter or shuffle."""

    option_randomization = False
    dynamic_field: str | None = None
    _option_order: list[str] | None = None

    def read_item_label_options(self, reader: ConfigReader) -> None:
        self.option_randomization = reader.bool("option_randomization", False)
        dynamic = reader.bool("dynamic_options", False)
        field = reader.str("dynamic_options_field", None)
        if field and not dynamic:
            reader.warn("dynamic_options_field", "has no effect without dynamic_options: true")
        self.dynamic_field = (field or DEFAULT_FIELD) if dynamic else None

    def offered_labels(self, fields: Mapping[str, Any]) -> list[str] | None:
        """The label names the item offers (None: all), from its dynamic options field."""
        if self.dynamic_field is None:
            return None
        raw = fields.get(self.dynamic_field)
        if raw is None:
            return None
        names = [raw] if isinstance(raw, (str, int, float)) else raw
        if not isinstance(names, list):
            return None
        return [str(n) for n in names]

    def for_page(
        self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any
    ) -> Scheme:
        offered = self.offered_labels(fields)
        if offered is None and not self.option_randomization:
            return self  # type: ignore[return-value]
        view = copy.copy(self)
        labels = list(self.labels)  # type: ignore[attr-defined]
        if offered is not None:
            wanted = set(offered)
            labels = [label for label in labels if label.name in wanted]
        if self.option_randomization:
            shuffle_seed = option_seed(seed, annotator, item_id, self.name)  # type: ignore[attr-defined]
            random.Random(shuffle_seed).shuffle(labels)
            view._option_order = [label.name for label in labels]
        view.labels = labels  # type: ignore[attr-defined]
        return view  # type: ignore[return-value]

    @property
    def option_order(self) -> list[str] | None:
        return self._option_order


def option_seed(seed: Any, annotator: str, item_id: str, scheme: str) -> int:
    """A stable integer from the project seed, annotator, item and scheme (not Python's
    per-process `hash`, so a restart or another machine gives the same order)."""
    key = "\x1f".join(("" if seed is None else str(seed), annotator, item_id, scheme))
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
