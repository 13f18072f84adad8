"""ATIF, the Agent Trajectory Interchange Format, in the two shapes in use:

- Harbor's ATIF (`{"schema_version": "ATIF-v1.x", "session_id", "agent": {"name",
  "version", "model_name"}, "steps": [{"step_id", "timestamp", "source": "system" | "user" |
  "agent", "message", "reasoning_content", "tool_calls": [{"tool_call_id",
  "function_name", "arguments"}], "observation": {"results": [{"source_call_id",
  "content"}]}, "metrics"}], "final_metrics"}`);
- the shape Potato 2.12's converter reads (`{"trace_id", "task": {"description",
  "domain"}, "agent": {"name", "model"}, "steps": [{"thought", "action": {"tool",
  "params"}, "observation"}], "outcome": {"success", "reward"}, "metrics"}`).

One item per record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import action, item, turn
from .registry import Record, TraceFormat, register


def _dict(value: Any) -> Mapping:
    return value if isinstance(value, Mapping) else {}


@register
class Atif(TraceFormat):
    name = "atif"
    description = "Agent Trajectory Interchange Format (Harbor's ATIF-v1.x and Potato's shape)"
    detect_order = 8  # before `potato`, which also reads a `steps` list

    def detect(self, value: Any) -> bool:
        if not isinstance(value, Mapping) or not isinstance(value.get("steps"), list):
            return False
        if str(value.get("schema_version", "")).startswith("ATIF"):
            return True
        return isinstance(value.get("task"), Mapping) and isinstance(value.get("agent"), Mapping)

    def convert_one(self, record: Record, n: int) -> dict:
        value = record.value
        if not isinstance(value, Mapping) or not isinstance(value.get("steps"), list):
            raise record.error("expected an ATIF trajectory: {'steps': [...], 'agent': {...}}")
        if "schema_version" in value:
            return self.harbor(record, value)
        return self.potato_shape(record, value)

    def harbor(self, record: Record, value: Mapping) -> dict:
        agent = _dict(value.get("agent"))
        conversation, task, tools = [], "", {}
        for i, step in enumerate(value["steps"]):
            if not isinstance(step, Mapping):
                raise record.error(f"step {i + 1} must be an object")
            source = step.get("source")
            if source not in ("system", "user", "agent"):
                raise record.error(f"step {i + 1}: source must be system, user or agent")
            sid = step.get("step_id", i + 1)
            if source == "system":
                conversation.append(turn("System", step.get("message"), "system", step_id=sid))
                continue
            if source == "user":
                task = task or step.get("message") or ""
                conversation.append(
                    turn("User", step.get("message"), "observation", role="user", step_id=sid)
                )
                continue
            if step.get("reasoning_content"):
                conversation.append(
                    turn("Agent (Thought)", step["reasoning_content"], "thought", step_id=sid)
                )
            if step.get("message"):
                conversation.append(turn("Agent", step["message"], "answer", step_id=sid))
            for call in step.get("tool_calls") or []:
                if not isinstance(call, Mapping) or not call.get("function_name"):
                    raise record.error(f"step {i + 1}: a tool call needs its function_name")
                tools[str(call.get("tool_call_id"))] = call["function_name"]
                conversation.append(
                    action(
                        call["function_name"],
                        call.get("arguments") or {},
                        call_id=call.get("tool_call_id"),
                        step_id=sid,
                    )
                )
            for result in _dict(step.get("observation")).get("results") or []:
                if not isinstance(result, Mapping):
                    raise record.error(f"step {i + 1}: observation results must be objects")
                call_id = result.get("source_call_id")
                conversation.append(
                    turn(
                        "Environment",
                        result.get("content"),
                        "observation",
                        result_of=tools.get(str(call_id)),
                        call_id=call_id,
                        step_id=sid,
                    )
                )
        final = _dict(value.get("final_metrics"))
        return item(
            value.get("session_id") or value.get("trajectory_id"),
            task,
            conversation,
            agent_name=agent.get("name", ""),
            metadata={
                "schema_version": value.get("schema_version"),
                "Model": agent.get("model_name"),
                "agent version": agent.get("version"),
                **{k: v for k, v in final.items() if not isinstance(v, (dict, list))},
            },
        )

    def potato_shape(self, record: Record, value: Mapping) -> dict:
        task, agent = _dict(value.get("task")), _dict(value.get("agent"))
        conversation = []
        for i, step in enumerate(value["steps"]):
            if not isinstance(step, Mapping):
                raise record.error(f"step {i + 1} must be an object")
            if step.get("thought"):
                conversation.append(turn("Agent (Thought)", step["thought"], "thought"))
            act = step.get("action")
            if isinstance(act, Mapping):
                tool = act.get("tool") or act.get("name")
                if not tool:
                    raise record.error(f"step {i + 1}: an action needs its tool")
                conversation.append(action(tool, act.get("params", act.get("parameters", {}))))
            elif act:
                conversation.append(turn("Agent (Action)", act, "action"))
            if step.get("observation") not in (None, ""):
                conversation.append(turn("Environment", step["observation"], "observation"))
        outcome = _dict(value.get("outcome"))
        return item(
            value.get("trace_id", value.get("id")),
            task.get("description", ""),
            conversation,
            agent_name=agent.get("name", ""),
            metadata={
                "Model": agent.get("model"),
                "Domain": task.get("domain"),
                "success": outcome.get("success"),
                "reward": outcome.get("reward"),
            },
        )
