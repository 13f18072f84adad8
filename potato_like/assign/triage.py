"""Item priorities for the `priority` strategy, from Potato's `triage` block.

Each item gets a number from its own fields: the highest `priority` among the `rules` whose
`when` condition matches; else the numeric `signal_field` (negated with `invert_signal`);
else `default_priority`. `order: desc` (the default) serves high priorities first, `asc` low
first; equal priorities go in data-file order.

The number is turned into an integer queue key (lower is served first) once, when the items
are imported or the rules change (store/queue_keys.py), so leasing the next item is one
indexed query, whatever the project's size. Priorities are compared to three decimals
(keys are thousandths) and clamped to +-2,000,000.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CONDITION_OPS = ("exists", "equals", "in", "contains", "lt", "lte", "gt", "gte")
KEY_LIMIT = 2_000_000_000  # within a 32-bit INTEGER column
SCALE = 1000


@dataclass(frozen=True)
class TriageRule:
    name: str
    when: Mapping[str, Any]
    priority: float


# With `enabled` and neither rules nor a signal field: common signals of agent traces.
DEFAULT_RULES = (
    TriageRule("errored", {"field": "status", "in": ["error", "failed", "failure"]}, 100.0),
    TriageRule("negative feedback", {"field": "feedback", "in": ["thumbs_down", "negative"]}, 80.0),
    TriageRule("low score", {"field": "score", "lt": 0.5}, 60.0),
)


@dataclass(frozen=True)
class TriageConfig:
    enabled: bool = False
    order: str = "desc"
    default_priority: float = 0.0
    signal_field: str | None = None
    invert_signal: bool = False
    rules: tuple[TriageRule, ...] = field(default_factory=tuple)

    def active_rules(self) -> tuple[TriageRule, ...]:
        if not self.rules and self.signal_field is None:
            return DEFAULT_RULES
        return self.rules

    def score(self, fields: Mapping[str, Any]) -> float:
        if not self.enabled:
            return self.default_priority
        matched = [r.priority for r in self.active_rules() if matches(r.when, fields)]
        if matched:
            return max(matched)
        if self.signal_field is not None:
            signal = number(lookup(fields, self.signal_field))
            if signal is not None:
                return -signal if self.invert_signal else signal
        return self.default_priority

    def queue_key(self, fields: Mapping[str, Any]) -> int:
        """Lower is served first."""
        scaled = round(self.score(fields) * SCALE)
        key = -scaled if self.order != "asc" else scaled
        return max(-KEY_LIMIT, min(KEY_LIMIT, key))

    def fingerprint(self) -> str:
        """Changes whenever the keys could change (stored with them)."""
        rules = [[r.name, dict(r.when), r.priority] for r in self.rules]
        raw = [self.enabled, self.order, self.default_priority, self.signal_field]
        raw += [self.invert_signal, rules]
        text = json.dumps(raw, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def lookup(fields: Mapping[str, Any], path: str) -> Any:
    """A field by dotted path (`meta.score`); None when any part is missing."""
    value: Any = fields
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _fold(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def matches(when: Mapping[str, Any], fields: Mapping[str, Any]) -> bool:
    """One condition: {"field": path, <op>: operand}; text compares without case."""
    value = lookup(fields, str(when.get("field", "")))
    if "exists" in when:
        return (value is not None) == bool(when["exists"])
    if value is None:
        return False
    if "equals" in when:
        return _fold(value) == _fold(when["equals"])
    if "in" in when:
        return _fold(value) in [_fold(x) for x in when["in"] or []]
    if "contains" in when:
        if isinstance(value, (list, tuple)):
            return _fold(when["contains"]) in [_fold(x) for x in value]
        return isinstance(value, str) and str(_fold(when["contains"])) in _fold(value)
    for op in ("lt", "lte", "gt", "gte"):
        if op in when:
            a, b = number(value), number(when[op])
            if a is None or b is None:
                return False
            return {"lt": a < b, "lte": a <= b, "gt": a > b, "gte": a >= b}[op]
    return False
