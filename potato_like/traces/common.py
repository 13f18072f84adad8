"""Helpers the trace formats share: the canonical item and turn, text of JSON values."""

from __future__ import annotations

import json
from typing import Any

MAX_TURN_TEXT = 200_000


def text_of(value: Any) -> str:
    """Readable text of a message content: strings as they are, content-part lists joined,
    anything else as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:MAX_TURN_TEXT]
    if isinstance(value, list) and all(isinstance(p, dict) for p in value):
        parts = [p.get("text") if isinstance(p.get("text"), str) else None for p in value]
        if parts and all(p is not None for p in parts):
            return "\n".join(parts)[:MAX_TURN_TEXT]
    return json.dumps(value, ensure_ascii=False)[:MAX_TURN_TEXT]


def parse_args(value: Any) -> Any:
    """Tool-call arguments as a JSON value (OpenAI sends them as a JSON string)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def call_text(name: str, args: Any) -> str:
    args = parse_args(args)
    shown = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
    return f"{name}({shown})"


def turn(speaker: str, text: Any, step_type: str, **extra: Any) -> dict:
    out = {"speaker": speaker, "text": text_of(text), "step_type": step_type}
    out.update({k: v for k, v in extra.items() if v not in (None, "")})
    return out


def action(name: str, args: Any, speaker: str = "Agent (Action)", **extra: Any) -> dict:
    """A tool call as a turn: `name(args)` text, and `tool`/`args` for tool_call_review."""
    return turn(speaker, call_text(name, args), "action", tool=name, args=parse_args(args), **extra)


def item(
    trace_id: Any,
    task: Any,
    conversation: list[dict],
    *,
    agent_name: str = "",
    metadata: dict[str, Any] | None = None,
    **extra: Any,
) -> dict:
    out: dict[str, Any] = {
        "id": None if trace_id in (None, "") else str(trace_id),
        "task_description": text_of(task),
        "conversation": conversation,
    }
    if agent_name:
        out["agent_name"] = str(agent_name)
    table = [
        {"Property": k, "Value": v if isinstance(v, str) else json.dumps(v)}
        for k, v in (metadata or {}).items()
        if v not in (None, "", {}, [])
    ]
    if table:
        out["metadata_table"] = table
    out.update({k: v for k, v in extra.items() if v not in (None, [], {})})
    return out
