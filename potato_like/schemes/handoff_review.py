"""`annotation_type: handoff_review` — each hand-off of a multi-agent trace (a step whose
agent, `agent_key`, differs from the previous step's) gets misalignment `flags` (MAST:
information loss, dropped constraints, garbling, goal drift) and a quality rating from 1
to `quality_scale`. Hand-off i is the i-th change of agent in the trace.

Stored as Potato stores it: `[{"index", "step", "from", "to", "flags", "quality"}]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .registry import register
from .step_base import StepScheme, entry_list, step_index

FLAGS = ["info_loss", "dropped_constraint", "garbling", "goal_drift"]


@register("handoff_review")
class HandoffReview(StepScheme):
    macro = "schemes/handoff_review.html"
    option_keys = ("steps_key", "step_text_key", "agent_key", "flags", "quality_scale")
    agreement_metric = "interval"
    step_metric = "interval"  # per hand-off quality

    def parse_step_options(self, reader: ConfigReader) -> None:
        self.agent_key = reader.str("agent_key", "agent")
        self.flags = reader.string_list("flags") if reader.has("flags") else list(FLAGS)
        self.quality_scale = reader.number("quality_scale", 5, integer=True, minimum=2, maximum=10)

    def steps_of(self, fields: Mapping[str, Any]) -> list[dict]:
        raw = fields.get(self.steps_key)
        handoffs: list[dict] = []
        previous = None
        for i, step in enumerate(raw if isinstance(raw, list) else []):
            agent = step.get(self.agent_key) if isinstance(step, Mapping) else None
            if agent is None:
                continue
            agent = str(agent)
            if previous is not None and agent != previous:
                view = self.step_view(i, step)
                handoffs.append(
                    {
                        **view,
                        "index": len(handoffs),
                        "number": len(handoffs) + 1,
                        "step": i,
                        "from": previous,
                        "to": agent,
                        "speaker": f"{previous} → {agent} (step {i + 1})",
                    }
                )
            previous = agent
        return handoffs

    def clean(self, document: Any) -> Any:
        out: dict[int, dict] = {}
        for i, raw in enumerate(entry_list(self.name, document)):
            where = f"handoff {i + 1}"
            if not isinstance(raw, Mapping):
                raise BadAnnotation(f"{self.name}: {where} must be an object with index, flags")
            index = step_index(self.name, raw.get("index"), where)
            flags = raw.get("flags") or []
            if not isinstance(flags, list) or any(f not in self.flags for f in flags):
                raise BadAnnotation(
                    f"{self.name}: {where}: flags must be a list of {', '.join(self.flags)}"
                )
            quality = raw.get("quality")
            if quality in (None, "", 0):
                quality = None
            elif (
                isinstance(quality, bool)
                or not isinstance(quality, int)
                or not (1 <= quality <= self.quality_scale)
            ):
                raise BadAnnotation(
                    f"{self.name}: {where}: quality {quality!r} must be 1-{self.quality_scale}"
                )
            if not flags and quality is None:
                continue
            if index in out:
                raise BadAnnotation(f"{self.name}: handoff {index} is given twice")
            entry: dict[str, Any] = {
                "index": index,
                "flags": sorted(set(flags)),
                "quality": quality,
            }
            if raw.get("step") is not None:
                entry["step"] = step_index(self.name, raw.get("step"), f"{where} step")
            for key in ("from", "to"):
                if isinstance(raw.get(key), str):
                    entry[key] = raw[key][:200]
            out[index] = entry
        return [out[i] for i in sorted(out)] or None

    def step_values(self, answer: Any) -> dict[int, Any]:
        return {h["index"]: h["quality"] for h in answer or [] if h.get("quality") is not None}
