"""`annotation_type: agent_scorecard` — a multi-agent run scored on two levels: each agent
(from the trace's `agent_key`, plus any listed in `agents`) on `agent_dimensions`, the team
on `team_dimensions`, each from 1 to `scale`, and which `milestones` were reached.

Stored as Potato stores it: `{"agents": {agent: {dimension: score}}, "team": {dimension:
score}, "milestones": {name: true}}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .registry import register
from .step_base import StepScheme

AGENT_DIMENSIONS = ["role fidelity", "contribution", "coordination"]
TEAM_DIMENSIONS = ["coordination", "communication", "efficiency"]
MAX_AGENTS = 200


@register("agent_scorecard")
class AgentScorecard(StepScheme):
    macro = "schemes/agent_scorecard.html"
    option_keys = (
        "steps_key",
        "step_text_key",
        "agent_key",
        "agents",
        "agent_dimensions",
        "team_dimensions",
        "milestones",
        "scale",
    )
    agreement_metric = "interval"
    step_metric = "interval"  # per (agent or team, dimension) score

    def parse_step_options(self, reader: ConfigReader) -> None:
        self.agent_key = reader.str("agent_key", "agent")
        self.agents = reader.string_list("agents")
        self.agent_dimensions = (
            reader.string_list("agent_dimensions")
            if reader.has("agent_dimensions")
            else list(AGENT_DIMENSIONS)
        )
        self.team_dimensions = (
            reader.string_list("team_dimensions")
            if reader.has("team_dimensions")
            else list(TEAM_DIMENSIONS)
        )
        self.milestones = reader.string_list("milestones")
        self.scale = reader.number("scale", 5, integer=True, minimum=2, maximum=10)
        self.page_agents: tuple = ()

    def for_page(self, fields, annotator, item_id, seed):
        view = super().for_page(fields, annotator, item_id, seed)
        names = list(self.agents)
        raw = fields.get(self.steps_key)
        for step in raw if isinstance(raw, list) else []:
            agent = step.get(self.agent_key) if isinstance(step, Mapping) else None
            if agent is not None and str(agent) not in names:
                names.append(str(agent))
        view.page_agents = tuple(names[:MAX_AGENTS])
        return view

    def clean(self, document: Any) -> Any:
        if not isinstance(document, Mapping):
            raise BadAnnotation(f"{self.name}: the answer must be an object with agents, team")
        agents = document.get("agents") or {}
        if not isinstance(agents, Mapping) or len(agents) > MAX_AGENTS:
            raise BadAnnotation(f"{self.name}: 'agents' must map agent names to scores")
        out_agents = {}
        for agent, scores in agents.items():
            cleaned = self._scores(scores, self.agent_dimensions, f"agent {agent!r}")
            if cleaned:
                out_agents[str(agent)[:200]] = cleaned
        team = self._scores(document.get("team") or {}, self.team_dimensions, "team")
        milestones = document.get("milestones") or {}
        if not isinstance(milestones, Mapping):
            raise BadAnnotation(f"{self.name}: 'milestones' must map milestone names to true")
        reached = {}
        for name, value in milestones.items():
            if name not in self.milestones:
                raise BadAnnotation(
                    f"{self.name}: unknown milestone {name!r} (milestones: "
                    f"{', '.join(self.milestones) or 'none'})"
                )
            if value is True:
                reached[name] = True
            elif value not in (False, None):
                raise BadAnnotation(f"{self.name}: milestone {name!r} must be true or false")
        if not out_agents and not team and not reached:
            return None
        return {"agents": out_agents, "team": team, "milestones": reached}

    def _scores(self, scores: Any, dimensions: list[str], who: str) -> dict:
        if not isinstance(scores, Mapping):
            raise BadAnnotation(f"{self.name}: {who}: scores must map dimensions to numbers")
        out = {}
        for dim, score in scores.items():
            if dim not in dimensions:
                raise BadAnnotation(
                    f"{self.name}: {who}: unknown dimension {dim!r} "
                    f"(dimensions: {', '.join(dimensions)})"
                )
            if score in (None, 0, ""):
                continue
            if (
                isinstance(score, bool)
                or not isinstance(score, int)
                or not 1 <= score <= self.scale
            ):
                raise BadAnnotation(
                    f"{self.name}: {who}: {dim} score {score!r} must be 1-{self.scale}"
                )
            out[dim] = score
        return out

    def step_values(self, answer: Any) -> dict:
        if not answer:
            return {}
        out = {f"team|{d}": s for d, s in answer.get("team", {}).items()}
        for agent, scores in answer.get("agents", {}).items():
            out.update({f"agent|{agent}|{d}": s for d, s in scores.items()})
        return out

    def step_records(self, answer: Any) -> list:
        return []
