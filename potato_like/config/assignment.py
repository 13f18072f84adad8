"""Read `assignment_strategy` (a name of the strategy registry, or Potato's `{name: ...}`
mapping) and the settings of the strategies that have them: `triage` (the `priority`
strategy, assign/triage.py), `batch_assignment` (the `batch` strategy, assign/batches.py)
`category_assignment` (the `category_based` strategy, assign/categories.py) and
`diversity_ordering` (the `diversity_clustering` strategy, assign/diversity.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..assign.batches import BatchConfig, BatchGroup
from ..assign.categories import FALLBACKS, CategoryConfig
from ..assign.diversity import DiversityConfig
from ..assign.strategies import names as strategy_names
from ..assign.triage import CONDITION_OPS, TriageConfig, TriageRule
from ..data.readers import RowProblem, read_rows
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
    for i, rule in t.entries("rules", "a mapping with 'when' and 'priority'"):
        raw = rule.raw
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


BATCH_KEYS = ("annotator_key", "auto_assign_annotators", "groups")
GROUP_KEYS = (
    "name",
    "annotators",
    "users",
    "instances",
    "items",
    "instance_ids",
    "instances_file",
    "items_file",
    "instance_ids_file",
    "data_file",
    "input_data_file",
    "input_file",
    "max_annotators",
    "annotator_count",
    "slots",
)
_ID_LISTS = ("instances", "items", "instance_ids")
_ID_FILES = (
    "instances_file",
    "items_file",
    "instance_ids_file",
    "data_file",
    "input_data_file",
    "input_file",
)


def read_batch(r: ConfigReader, task_dir: Path, id_key: str) -> BatchConfig | None:
    if not r.has("batch_assignment"):
        return None
    b = r.child("batch_assignment")
    b.warn_unknown(BATCH_KEYS)
    groups = []
    for i, g in b.entries("groups"):
        g.warn_unknown(GROUP_KEYS)
        people = g.string_list("annotators" if g.has("annotators") else "users")
        ids: list[str] = []
        for key in _ID_LISTS:
            if g.has(key):
                ids = g.string_list(key)
                break
        for key in _ID_FILES:
            if g.has(key):
                ids += _ids_from_file(g, key, task_dir, id_key)
                break
        limit = None  # max_annotations_per_item (store/cohorts.py)
        for key in ("max_annotators", "annotator_count", "slots"):
            if g.has(key):
                limit = g.number(key, None, integer=True, minimum=1)
                break
        name = g.str("name", None) or f"batch_{i + 1}"
        groups.append(BatchGroup(name, tuple(people), tuple(ids), limit))
    return BatchConfig(
        annotator_key=b.str("annotator_key", "assigned_annotators"),
        auto_assign_annotators=b.bool("auto_assign_annotators", False),
        groups=tuple(groups),
    )


def _ids_from_file(g: ConfigReader, key: str, task_dir: Path, id_key: str) -> list[str]:
    entry = g.raw[key]
    raw_path = entry.get("path") if isinstance(entry, Mapping) else entry
    if not isinstance(raw_path, str) or not raw_path:
        g.problem(key, "must be a file path (or a mapping with 'path')")
        return []
    path = (task_dir / raw_path).resolve()
    if not path.is_relative_to(task_dir.resolve()):
        g.problem(key, f"{raw_path!r} is outside task_dir")
        return []
    if not path.is_file():
        g.problem(key, f"{raw_path!r}: no such file")
        return []
    if path.suffix.lower() == ".json":
        try:
            parsed = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            g.problem(key, f"{raw_path!r}: not valid JSON ({exc})")
            return []
        if isinstance(parsed, Mapping):
            parsed = next((parsed[k] for k in _ID_LISTS if k in parsed), None)
        if not isinstance(parsed, list):
            g.problem(key, f"{raw_path!r}: expected a JSON list of ids or items")
            return []
        rows = list(enumerate(parsed, start=1))
    else:
        try:
            rows = list(read_rows(path))
        except ValueError as exc:
            g.problem(key, str(exc))
            return []
    ids = []
    for line, row in rows:
        if isinstance(row, RowProblem):
            g.problem(key, f"{raw_path}:{line}: {row}")
            return []
        if isinstance(row, str):
            ids.append(row)
        elif isinstance(row, Mapping) and row.get(id_key) is not None:
            ids.append(str(row[id_key]))
        else:
            g.problem(key, f"{raw_path}:{line}: no {id_key!r} in this row")
            return []
    return ids


CATEGORY_KEYS = ("enabled", "category_key", "qualification", "fallback", "dynamic")
QUALIFICATION_KEYS = ("source", "threshold", "min_questions", "combine_method")


def read_categories(
    r: ConfigReader, item_key: str | None, questions: Mapping[str, tuple[str, ...]]
) -> CategoryConfig | None:
    """`category_assignment` (and `item_properties.category_key`); None when neither is set."""
    if not r.has("category_assignment") and item_key is None:
        return None
    c = r.child("category_assignment")
    c.warn_unknown(CATEGORY_KEYS)
    if c.has("dynamic") and c.child("dynamic").bool("enabled", False):
        c.warn("dynamic", "dynamic expertise routing is not implemented yet; ignored")
    q = c.child("qualification")
    q.warn_unknown(QUALIFICATION_KEYS)
    source = q.str("source", "training", choices=("training", "prestudy", "both"))
    if source != "training":
        q.warn("source", f"{source!r}: only training answers qualify annotators here")
    return CategoryConfig(
        category_key=c.str("category_key", None) or item_key,
        threshold=float(q.number("threshold", 0.7, minimum=0.0, maximum=1.0)),
        min_questions=q.number("min_questions", 1, integer=True, minimum=1),
        fallback=c.str("fallback", "uncategorized", choices=FALLBACKS),
        question_categories=dict(questions),
    )


DIVERSITY_KEYS = (
    "enabled",
    "model_name",
    "num_clusters",
    "items_per_cluster",
    "auto_clusters",
    "prefill_count",
    "batch_size",
    "cache_dir",
    "recluster_threshold",
    "preserve_visited",
    "trigger_ai_prefetch",
)
# Potato's settings of its sentence-transformer pipeline: accepted, meaningless here.
DIVERSITY_IGNORED = ("model_name", *DIVERSITY_KEYS[5:])


def read_diversity(r: ConfigReader) -> DiversityConfig | None:
    if not r.has("diversity_ordering"):
        return None
    d = r.child("diversity_ordering")
    d.warn_unknown(DIVERSITY_KEYS)
    for key in DIVERSITY_IGNORED:
        if d.has(key):
            d.warn(key, "not used: items are clustered by TF-IDF here, not by an embedding model")
    return DiversityConfig(
        num_clusters=d.number("num_clusters", 10, integer=True, minimum=1),
        items_per_cluster=d.number("items_per_cluster", 20, integer=True, minimum=1),
        auto_clusters=d.bool("auto_clusters", True),
    )
