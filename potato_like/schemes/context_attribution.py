"""`annotation_type: context_attribution` — how an agent used its context at each turn:
drew on earlier information correctly, hallucinated context never established, or ignored
context it should have used. The attributions that point at earlier material
(`linked_acts`) name the source turn. The same interaction and the same stored shape as
`consensus_tracking`, with these defaults for `acts`, `linked_acts` and `hint`.

Stored as Potato stores it: `[{"turn", "act", "ref", "agent_id"}]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .consensus_tracking import ConsensusTracking
from .record import counts
from .registry import register

ATTRIBUTIONS = ["used_context_correctly", "hallucinated_context", "ignored_context"]
LINKED = ["used_context_correctly", "hallucinated_context"]
HINT = (
    "Tag how each turn uses earlier context. used context correctly and hallucinated "
    "context then ask for the source turn being (mis)used; ignored context stands alone."
)


@register("context_attribution")
class ContextAttribution(ConsensusTracking):
    macro = "schemes/context_attribution.html"
    summarizes_answers = True

    def parse_step_options(self, reader: ConfigReader) -> None:
        super().parse_step_options(reader)
        if not reader.has("acts"):
            self.acts = list(ATTRIBUTIONS)
        if not reader.has("linked_acts"):
            self.linked_acts = [a for a in LINKED if a in self.acts]
        self.hint = self.hint or HINT

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        count = len(self.steps_of(fields))
        for tag in self.answer(label_map) or []:
            for key in ("turn", "ref"):
                if tag.get(key) is not None and tag[key] >= count:
                    raise BadAnnotation(
                        f"{self.name}: {key} {tag[key]} does not exist "
                        f"(this item has {count} turns)"
                    )
            if tag.get("ref") is not None and tag["ref"] > tag["turn"]:
                raise BadAnnotation(
                    f"{self.name}: turn {tag['turn']} cannot draw on the later turn {tag['ref']}"
                )

    def dashboard_summary(self, label_maps: list[Mapping[str, Any]]) -> dict[str, Any]:
        tags = [t for m in label_maps if m for t in self.answer(m) or []]
        return {
            "turns_by_attribution": counts(t["act"] for t in tags),
            "linked_to_a_source": sum(1 for t in tags if t.get("ref") is not None),
        }
