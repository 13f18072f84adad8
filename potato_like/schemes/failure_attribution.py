"""`annotation_type: failure_attribution` — who made a multi-agent system fail and when:
the responsible agent (from the trace's agents, `agent_key`, plus any listed in `agents`),
the decisive step and the reason (Who&When).

Stored as Potato stores it: `{"responsible_agent", "decisive_step", "reason"}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .registry import register
from .step_base import MAX_TEXT, StepScheme, step_index


@register("failure_attribution")
class FailureAttribution(StepScheme):
    macro = "schemes/failure_attribution.html"
    option_keys = ("steps_key", "step_text_key", "agent_key", "agents")
    agreement_metric = "nominal"
    step_metric = "nominal"
    has_first_error = True

    def parse_step_options(self, reader: ConfigReader) -> None:
        self.agent_key = reader.str("agent_key", "agent")
        self.agents = reader.string_list("agents")
        self.page_agents: tuple = ()

    def step_view(self, index: int, step: Any) -> dict:
        view = super().step_view(index, step)
        if isinstance(step, Mapping) and step.get(self.agent_key) is not None:
            view["agent"] = str(step[self.agent_key])
        return view

    def for_page(self, fields, annotator, item_id, seed):
        view = super().for_page(fields, annotator, item_id, seed)
        names = list(self.agents)
        for step in view.page_steps:
            if step["agent"] and step["agent"] not in names:
                names.append(step["agent"])
        view.page_agents = tuple(names)
        return view

    def clean(self, document: Any) -> Any:
        if not isinstance(document, Mapping):
            raise BadAnnotation(
                f"{self.name}: the answer must be an object with "
                "responsible_agent, decisive_step and reason"
            )
        agent = document.get("responsible_agent") or None
        if agent is not None and (not isinstance(agent, str) or len(agent) > 200):
            raise BadAnnotation(f"{self.name}: responsible_agent must be an agent name")
        step = document.get("decisive_step")
        step = None if step is None or step == "" else step_index(self.name, step, "decisive_step")
        reason = document.get("reason") or None
        if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_TEXT):
            raise BadAnnotation(
                f"{self.name}: reason must be text of at most {MAX_TEXT} characters"
            )
        if agent is None and step is None and reason is None:
            return None
        return {"responsible_agent": agent or "", "decisive_step": step, "reason": reason or ""}

    def step_values(self, answer: Any) -> dict[int, Any]:
        return {}

    def step_records(self, answer: Any) -> list[tuple[int, dict]]:
        step = (answer or {}).get("decisive_step")
        return [] if step is None else [(step, dict(answer))]

    def first_error(self, answer: Any) -> int | None:
        return (answer or {}).get("decisive_step")
