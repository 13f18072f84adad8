"""SWE-agent trajectories (`<instance_id>.traj`, JSON): `{"trajectory": [{"response",
"thought", "action", "observation", "state", "execution_time", "query"}], "history":
[{"role", "content", "agent", "message_type"}], "info": {"exit_status", "submission",
"model_stats", ...}, "environment"}`, as SWE-agent's docs describe its output files. The task
is the first user message of `history` (the issue); each step gives the thought, the
command as a call (`tool` = the command's first word) and the observation; `info.submission`
(the patch) ends the trace. The item id is the file's name (`<instance_id>`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .common import item, text_of, turn
from .registry import Record, TraceFormat, register


def _task(history: Any) -> Any:
    if isinstance(history, list):
        for message in history:
            if isinstance(message, Mapping) and message.get("role") == "user":
                return message.get("content")
    return None


@register
class SweAgent(TraceFormat):
    name = "swe_agent"
    aliases = ("swe-agent", "traj")
    description = "SWE-agent trajectories (.traj: trajectory, history, info)"
    detect_order = 15

    def detect(self, value: Any) -> bool:
        if not isinstance(value, Mapping) or not isinstance(value.get("trajectory"), list):
            return False
        steps = value["trajectory"]
        return ("info" in value or "history" in value) and (
            not steps or (isinstance(steps[0], Mapping) and "action" in steps[0])
        )

    def convert_one(self, record: Record, n: int) -> dict:
        value = record.value
        if not isinstance(value, Mapping) or not isinstance(value.get("trajectory"), list):
            raise record.error("expected a SWE-agent trajectory: {'trajectory': [...], 'info': {}}")
        info = value.get("info") if isinstance(value.get("info"), Mapping) else {}
        task = _task(value.get("history")) or ""
        conversation = [turn("User", task, "observation", role="user")] if task else []
        for i, step in enumerate(value["trajectory"]):
            if not isinstance(step, Mapping):
                raise record.error(f"trajectory step {i + 1} must be an object")
            thought = step.get("thought") or step.get("response")
            if thought:
                conversation.append(turn("Agent (Thought)", thought, "thought"))
            command = text_of(step.get("action")).strip()
            if command:
                tool = command.split(None, 1)[0]
                conversation.append(
                    turn("Agent (Action)", command, "action", tool=tool, args={"command": command})
                )
            if step.get("observation") not in (None, ""):
                conversation.append(
                    turn(
                        "Environment",
                        step["observation"],
                        "observation",
                        result_of=tool if command else None,
                    )
                )
        if info.get("submission"):
            conversation.append(turn("Agent", info["submission"], "answer", patch=True))
        stats = info.get("model_stats") if isinstance(info.get("model_stats"), Mapping) else {}
        path = Path(record.path)
        trace_id = value.get("instance_id") or (path.stem if path.suffix == ".traj" else None)
        return item(
            trace_id,
            task,
            conversation,
            metadata={
                "exit_status": info.get("exit_status"),
                "steps": len(value["trajectory"]),
                "instance_cost": stats.get("instance_cost"),
                "api_calls": stats.get("api_calls"),
                "tokens_sent": stats.get("tokens_sent"),
                "tokens_received": stats.get("tokens_received"),
            },
        )
