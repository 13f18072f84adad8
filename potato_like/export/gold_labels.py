"""Gold and final labels for exports.

When a project uses adjudication or MACE, every exported row carries, per scheme:

- the gold answer: the adjudicator's decision for the item (with who decided, when, and the
  source: `annotator:<name>` when it is an annotator's answer, `adjudicator` when edited);
- the final answer and where it came from: `adjudicated`, else `mace` (MACE's predicted
  label), else `majority` (the one most common finished answer; none on a tie).

Rows come from the store item by item (store/annotations.py orders by item), so the rows of
one item are buffered to find its majority: memory is bounded by the annotators of one item.
Decisions and MACE predictions are read once per export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING, Any

from ..errors import BadAnnotation
from ..quality.adjudication import Groups

if TYPE_CHECKING:
    from ..project import Project
    from ..store.annotations import AnnotatedItem

DONE = "done"
ADJUDICATED, MACE, MAJORITY = "adjudicated", "mace", "majority"


@dataclass
class ItemGold:
    gold: dict[str, Any] = field(default_factory=dict)  # schema -> typed answer
    gold_source: dict[str, str] = field(default_factory=dict)
    adjudicator: str | None = None
    decided_at: float | None = None
    confidence: str | None = None
    final: dict[str, Any] = field(default_factory=dict)  # schema -> typed answer
    final_source: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "gold_info": {
                "adjudicator": self.adjudicator,
                "decided_at": self.decided_at,
                "confidence": self.confidence,
                "source": self.gold_source,
            }
            if self.adjudicator
            else None,
            "final_labels": {
                name: {"answer": self.final[name], "source": self.final_source[name]}
                for name in self.final
            },
        }


def uses_gold(project: Project) -> bool:
    config = project.config
    return config.adjudication.enabled or config.mace.enabled


def table_columns(project: Project) -> list[str]:
    names = [s.name for s in project.config.schemes]
    return (
        ["gold_adjudicator", "gold_decided_at"]
        + [f"gold:{n}" for n in names]
        + [f"gold_source:{n}" for n in names]
        + [f"final:{n}" for n in names]
        + [f"final_source:{n}" for n in names]
    )


def table_cells(project: Project, gold: ItemGold) -> list[Any]:
    names = [s.name for s in project.config.schemes]
    return (
        [gold.adjudicator or "", "" if gold.decided_at is None else f"{gold.decided_at:.3f}"]
        + [gold.gold.get(n) for n in names]
        + [gold.gold_source.get(n, "") for n in names]
        + [gold.final.get(n) for n in names]
        + [gold.final_source.get(n, "") for n in names]
    )


def with_gold(
    project: Project, rows: Iterator[AnnotatedItem]
) -> Iterator[tuple[AnnotatedItem, ItemGold]]:
    """Each row with its item's gold and final labels (rows must come item by item)."""
    config = project.config
    decisions = {d.item_id: d for d in project.store.gold.decisions()}
    predictions = _mace_answers(project) if config.mace.enabled else {}
    for item_id, group in groupby(rows, key=lambda r: r.item_id):
        item_rows = list(group)
        gold = ItemGold()
        decision = decisions.get(item_id)
        if decision is not None:
            gold.adjudicator = decision.adjudicator
            gold.decided_at = decision.decided_at
            gold.confidence = decision.confidence
            gold.gold_source = dict(decision.source)
        for scheme in config.schemes:
            name = scheme.name
            decided = decision.labels.get(name) if decision else None
            if decided:
                gold.gold[name] = scheme.answer(decided)
                gold.final[name], gold.final_source[name] = gold.gold[name], ADJUDICATED
                continue
            predicted = predictions.get(name, {}).get(item_id)
            if predicted is not None:
                gold.final[name], gold.final_source[name] = predicted, MACE
                continue
            groups = Groups()
            for row in item_rows:
                value = row.label_maps.get(name)
                if row.status == DONE and value:
                    groups.add(scheme, row.user, value)
            majority = groups.majority()
            if majority is not None:
                gold.final[name], gold.final_source[name] = scheme.answer(majority), MAJORITY
        for row in item_rows:
            yield row, gold


def _mace_answers(project: Project) -> dict[str, dict[str, Any]]:
    """schema -> item id -> MACE's answer, typed as the scheme answers (a set scheme's
    answer is the options predicted yes, known only when every option has a prediction)."""
    config = project.config
    whole: dict[str, dict[str, Any]] = {}
    options: dict[str, dict[str, dict[str, str]]] = {}
    for result in project.store.gold.mace_results():
        name, option = result["schema_name"], result["option_name"]
        if option:
            for item_id, label in result["predicted_labels"].items():
                options.setdefault(name, {}).setdefault(item_id, {})[option] = label
        else:
            whole[name] = result["predicted_labels"]
    out: dict[str, dict[str, Any]] = {}
    for scheme in config.schemes:
        if scheme.name in whole:
            out[scheme.name] = {
                item_id: answer
                for item_id, label in whole[scheme.name].items()
                if (answer := _typed(scheme, label)) is not None
            }
        elif scheme.name in options:
            wanted = set(scheme.label_names)
            out[scheme.name] = {
                item_id: [o for o in scheme.label_names if picked.get(o) == "1"]
                for item_id, picked in options[scheme.name].items()
                if set(picked) >= wanted
            }
    return out


def _typed(scheme: Any, label: str) -> Any:
    """MACE's label string as the scheme's typed answer (None when it no longer fits)."""
    for value in scheme.scale_values():
        if str(value) == label:
            return value
    try:
        return scheme.answer(scheme.from_answer(label))
    except BadAnnotation:
        return None
