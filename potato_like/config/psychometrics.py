"""Potato's `psychometrics` block, read for the `psychometric` assignment strategy
(assign/psychometric.py has the model)."""

from __future__ import annotations

from typing import Any

from ..assign.psychometric import Settings
from .reader import ConfigReader, hint

PSYCHOMETRICS_KEYS = (
    "enabled",
    "schema",
    "refit_interval",
    "min_observations",
    "min_annotators_per_item",
    "confidence_threshold",
    "cost_per_judgment",
    "discrimination_flag_threshold",
)


def read_psychometrics(r: ConfigReader, schemes: list[Any], strategy: str) -> Settings | None:
    used = strategy == "psychometric"
    if not r.has("psychometrics") and not used:
        return None
    sub = r.child("psychometrics")
    sub.warn_unknown(PSYCHOMETRICS_KEYS)
    if r.has("psychometrics") and not used:
        sub.warn(
            "enabled",
            "only `assignment_strategy: psychometric` uses this block here (Potato's "
            "psychometrics dashboard and export are not served); ignored",
        )
        return None
    if "discrimination_flag_threshold" in sub.raw:
        sub.warn("discrimination_flag_threshold", "accepted; item flags are not computed here")
    single = [s.name for s in schemes if s.single_choice]
    schema = sub.str("schema", single[0] if single else None)
    if schema is None:
        r.problem(
            "assignment_strategy",
            "'psychometric' needs a single-choice scheme (radio or likert) to model",
        )
        return None
    if schema not in single:
        names = [s.name for s in schemes]
        why = "is not a single-choice scheme" if schema in names else "is not a scheme"
        sub.problem(
            "schema", f"{schema!r} {why}; choose one of {', '.join(single)}{hint(schema, single)}"
        )
        return None
    return Settings(
        schema=schema,
        refit_interval=sub.number("refit_interval", 5, integer=True, minimum=1),
        min_observations=sub.number("min_observations", 20, integer=True, minimum=0),
        min_annotators_per_item=sub.number("min_annotators_per_item", 2, integer=True, minimum=1),
        confidence_threshold=float(
            sub.number("confidence_threshold", 0.95, minimum=0.5, maximum=1.0)
        ),
        cost_per_judgment=sub.number("cost_per_judgment", None, minimum=0),
    )
