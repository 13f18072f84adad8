"""`annotation_type: consensus_tracking` — the structure of a multi-agent discussion: each
turn (of the item's `turns_key` list) gets a discussion act (`acts`: proposal, agreement,
...) and, for the `linked_acts`, the earlier turn it responds to.

Stored as Potato stores it: `[{"turn", "act", "ref", "agent_id"}]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .registry import register
from .step_base import StepScheme, choice, entry_list, step_index

ACTS = ["proposal", "agreement", "disagreement", "decision", "concession"]
LINKED = ["agreement", "disagreement", "concession"]


@register("consensus_tracking")
class ConsensusTracking(StepScheme):
    macro = "schemes/consensus_tracking.html"
    option_keys = ("turns_key", "step_text_key", "acts", "linked_acts", "hint", "steps_key")
    default_steps_key = "conversation"
    default_text_key = "text"
    agreement_metric = "nominal"
    step_metric = "nominal"

    def parse_step_options(self, reader: ConfigReader) -> None:
        self.steps_key = reader.str("turns_key", self.steps_key)
        self.acts = reader.string_list("acts") or list(ACTS)
        linked = reader.string_list("linked_acts") if reader.has("linked_acts") else list(LINKED)
        unknown = [a for a in linked if a not in self.acts]
        if unknown and reader.has("linked_acts"):
            reader.problem(
                "linked_acts",
                f"{', '.join(map(repr, unknown))} not in acts ({', '.join(self.acts)})",
            )
        self.linked_acts = [a for a in linked if a in self.acts]
        self.hint = reader.str("hint", "", allow_empty=True)

    def clean(self, document: Any) -> Any:
        key = "tags" if isinstance(document, Mapping) else "steps"
        tags: dict[int, dict] = {}
        for i, raw in enumerate(entry_list(self.name, document, key)):
            where = f"tag {i + 1}"
            if not isinstance(raw, Mapping):
                raise BadAnnotation(f"{self.name}: {where} must be an object with turn and act")
            turn = step_index(self.name, raw.get("turn"), where)
            act = choice(self.name, raw.get("act"), self.acts, "act", where)
            if act is None:
                continue
            if turn in tags:
                raise BadAnnotation(f"{self.name}: turn {turn} is tagged twice")
            entry: dict[str, Any] = {"turn": turn, "act": act}
            ref = raw.get("ref")
            if ref is not None and ref != "":
                if act not in self.linked_acts:
                    raise BadAnnotation(
                        f"{self.name}: {where}: act {act!r} takes no ref "
                        f"(linked acts: {', '.join(self.linked_acts)})"
                    )
                ref = step_index(self.name, ref, f"{where} ref")
                if ref == turn:
                    raise BadAnnotation(f"{self.name}: {where}: a turn cannot refer to itself")
                entry["ref"] = ref
            agent = raw.get("agent_id")
            if isinstance(agent, str) and agent:
                entry["agent_id"] = agent[:200]
            tags[turn] = entry
        return [tags[t] for t in sorted(tags)] or None

    def step_values(self, answer: Any) -> dict[int, Any]:
        return {t["turn"]: t["act"] for t in answer or []}
