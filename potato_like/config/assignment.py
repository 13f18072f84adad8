"""Read `assignment_strategy` (a name of the strategy registry, or Potato's `{name: ...}`
mapping) and `triage`, the settings of the `priority` strategy (assign/triage.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..assign.strategies import names as strategy_names
from ..assign.triage import CONDITION_OPS, TriageConfig, TriageRule
from . import compat
from .reader import ConfigReader, hint

TRIAGE_KEYS = (
    "enabled",
    "order",
    "default_priority",
    "signal_field",
    "invert_signal",
    "rules",
    "show_badge",
)
TRIAGE_RULE_KEYS = ("name", "when", "priority", "badge")


def read_strategy(r: ConfigReader, triage: TriageConfig | None) -> str:
    raw = r.raw.get("assignment_strategy")
    if isinstance(raw, Mapping):  # Potato also accepts {name: random, ...}
        strategy = raw.get("name")
        if not isinstance(strategy, str):
            r.problem("assignment_strategy", "a mapping needs 'name': the strategy's name")
            return "fixed_order"
    elif raw is None and triage is not None and triage.enabled:
        return "priority"  # Potato: triage without a strategy orders the queue by it
    else:
        strategy = r.str("assignment_strategy", "fixed_order")
    known = strategy_names()
    if strategy in known:
        return strategy
    if strategy in compat.ASSIGNMENT_STRATEGIES_LATER:
        r.warn("assignment_strategy", f"{strategy!r} is not implemented yet; using fixed_order")
        return "fixed_order"
    r.problem(
        "assignment_strategy",
        f"{strategy!r} is not one of {', '.join(known)}{hint(strategy, known)}",
    )
    return "fixed_order"


def read_triage(r: ConfigReader) -> TriageConfig | None:
    if not r.has("triage"):
        return None
    t = r.child("triage")
    t.warn_unknown(TRIAGE_KEYS)
    order = t.str("order", "desc", choices=("desc", "asc"))
    signal = t.str("signal_field", None)
    rules = []
    for i, raw in enumerate(t.list("rules")):
        if not isinstance(raw, Mapping):
            t.problem("rules", f"[{i}] must be a mapping with 'when' and 'priority'")
            continue
        rule = ConfigReader(raw, t.key_path("rules") + f"[{i}]", t.problems, t.warnings)
        rule.warn_unknown(TRIAGE_RULE_KEYS)
        when = _condition(rule)
        priority = rule.number("priority", 0.0)
        if when is not None:
            rules.append(TriageRule(str(raw.get("name") or f"rule {i}"), when, float(priority)))
    return TriageConfig(
        enabled=t.bool("enabled", False),
        order=order,
        default_priority=float(t.number("default_priority", 0.0)),
        signal_field=signal,
        invert_signal=t.bool("invert_signal", False),
        rules=tuple(rules),
    )


def _condition(rule: ConfigReader) -> dict[str, Any] | None:
    when = rule.raw.get("when")
    if not isinstance(when, Mapping) or not isinstance(when.get("field"), str):
        rule.problem(
            "when", "must be a mapping with 'field' and one of " + ", ".join(CONDITION_OPS)
        )
        return None
    ops = [op for op in CONDITION_OPS if op in when]
    if len(ops) != 1:
        rule.problem("when", f"give exactly one of {', '.join(CONDITION_OPS)}, got {ops or 'none'}")
        return None
    if ops[0] == "in" and not isinstance(when["in"], list):
        rule.problem("when", "'in' must be a list")
        return None
    return dict(when)
