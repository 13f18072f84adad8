"""Multi-agent transcripts, in the three shapes Potato 2.12's `multi_agent` converter reads
(one record per trace, `{"id", "task" | "task_description", ...}` plus one of):

- CrewAI-style: `"agents": [{"role", "goal"}]`, `"steps": [{"agent", "thought",
  "action", "result" | "observation"}]`;
- AutoGen-style: `"messages": [{"sender", "receiver", "content"}]`;
- LangGraph-style: `"events": [{"node", "type", "data"}]` with LangChain callback event
  types `on_chain_start` (`data.input`), `on_chain_end` (`data.output`), `on_tool_start`
  (`data.tool` | `data.name`, `data.input`), `on_tool_end` (`data.output`), `on_llm_end`
  (`data.output` | `data.text`); other event types are skipped.

Every turn carries `agent_id` (the agent, sender or node), so `failure_attribution` and the
multi-agent displays can name who acted; AutoGen turns add `addressee`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import action, item, turn
from .registry import Record, TraceFormat, register


def _shape(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return None

    def first(key: str) -> Any:
        seq = value.get(key)
        return seq[0] if isinstance(seq, list) and seq else None

    if isinstance(value.get("agents"), list) and isinstance(value.get("steps"), list):
        step = first("steps")
        if step is None or (isinstance(step, Mapping) and "agent" in step):
            return "crewai"
    message = first("messages")
    if isinstance(message, Mapping) and "sender" in message:
        return "autogen"
    event = first("events")
    if (
        isinstance(event, Mapping)
        and "node" in event
        and str(event.get("type", "")).startswith("on_")
    ):
        return "langgraph"
    return None


def _steps(record: Record, value: Mapping, key: str) -> list[Mapping]:
    seq = value.get(key)
    if not isinstance(seq, list):
        raise record.error(f"'{key}' must be a list")
    for i, entry in enumerate(seq):
        if not isinstance(entry, Mapping):
            raise record.error(f"{key[:-1]} {i + 1} must be an object")
    return seq


@register
class MultiAgent(TraceFormat):
    name = "multi_agent"
    aliases = ("multi-agent", "crewai", "autogen", "langgraph")
    description = "Multi-agent transcripts (CrewAI, AutoGen, LangGraph shapes)"
    detect_order = 9  # before `potato`, which also reads a `steps` list

    def detect(self, value: Any) -> bool:
        return _shape(value) is not None

    def convert_one(self, record: Record, n: int) -> dict:
        value = record.value
        shape = _shape(value)
        if shape is None:
            raise record.error(
                "expected a multi-agent trace: agents + steps, messages with sender, "
                "or events with node"
            )
        conversation = getattr(self, shape)(record, value)
        agents = sorted({t["agent_id"] for t in conversation if t.get("agent_id")})
        extra = {}
        if shape == "crewai":
            extra["agents"] = [
                {"id": a.get("role", ""), "role": a.get("role", ""), "goal": a.get("goal", "")}
                for a in value["agents"]
                if isinstance(a, Mapping) and a.get("role")
            ]
        return item(
            value.get("id"),
            value.get("task", value.get("task_description", "")),
            conversation,
            metadata={"framework": shape, "agents": ", ".join(agents)},
            **extra,
        )

    def crewai(self, record: Record, value: Mapping) -> list[dict]:
        out = []
        for step in _steps(record, value, "steps"):
            who = str(step.get("agent") or "Agent")
            if step.get("thought"):
                out.append(turn(f"{who} (Thought)", step["thought"], "thought", agent_id=who))
            if step.get("action"):
                out.append(turn(f"{who} (Action)", step["action"], "action", agent_id=who))
            result = step.get("result", step.get("observation"))
            if result not in (None, ""):
                out.append(turn(who, result, "observation", agent_id=who))
        return out

    def autogen(self, record: Record, value: Mapping) -> list[dict]:
        out = []
        for i, message in enumerate(_steps(record, value, "messages")):
            if not message.get("sender"):
                raise record.error(f"message {i + 1} needs its sender")
            who = str(message["sender"])
            out.append(
                turn(
                    who,
                    message.get("content"),
                    "answer",
                    agent_id=who,
                    addressee=message.get("receiver"),
                )
            )
        return out

    def langgraph(self, record: Record, value: Mapping) -> list[dict]:
        out, last_tool = [], None
        for i, event in enumerate(_steps(record, value, "events")):
            node = str(event.get("node") or "")
            kind = event.get("type")
            data = event.get("data") if isinstance(event.get("data"), Mapping) else {}
            if not node or not isinstance(kind, str):
                raise record.error(f"event {i + 1} needs a node and a type")
            if kind == "on_chain_start" and data.get("input"):
                out.append(turn(node, data["input"], "observation", agent_id=node))
            elif kind == "on_chain_end" and data.get("output"):
                out.append(turn(node, data["output"], "answer", agent_id=node))
            elif kind == "on_tool_start":
                last_tool = data.get("tool") or data.get("name")
                if not last_tool:
                    raise record.error(f"event {i + 1}: on_tool_start needs data.tool")
                out.append(action(last_tool, data.get("input", {}), speaker=node, agent_id=node))
            elif kind == "on_tool_end":
                out.append(
                    turn(
                        "Environment",
                        data.get("output"),
                        "observation",
                        agent_id=node,
                        result_of=last_tool,
                    )
                )
            elif kind == "on_llm_end":
                text = data.get("output", data.get("text"))
                if text:
                    out.append(turn(f"{node} (Thought)", text, "thought", agent_id=node))
        return out
