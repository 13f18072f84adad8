"""OpenAI Chat Completions message lists: `{"id"?, "model"?, "messages": [...], "usage"?}`
(or a bare list of messages). Messages have `role` system / developer / user / assistant /
tool (and the legacy `function`); an assistant message may carry `tool_calls`
(`{"id", "type": "function", "function": {"name", "arguments": "<json>"}}`) or the legacy
`function_call`. A tool message answers a call by `tool_call_id`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import action, item, text_of, turn
from .registry import Record, TraceFormat, register

ROLES = {"system", "developer", "user", "assistant", "tool", "function"}


def messages_of(value: Any) -> list | None:
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("messages"), list):
        return value["messages"]
    return None


@register
class OpenAIChat(TraceFormat):
    name = "openai"
    aliases = ("openai_chat",)
    description = "OpenAI Chat Completions messages with tool_calls"
    detect_order = 60

    def detect(self, value: Any) -> bool:
        messages = messages_of(value)
        if not messages or not all(isinstance(m, Mapping) for m in messages):
            return False
        if not all(m.get("role") in ROLES for m in messages):
            return False
        blocks = [
            b
            for m in messages
            if isinstance(m.get("content"), list)
            for b in m["content"]
            if isinstance(b, Mapping)
        ]
        return not any(b.get("type") in ("tool_use", "tool_result") for b in blocks)

    def convert_one(self, record: Record, n: int) -> dict:
        value = record.value
        messages = messages_of(value)
        if messages is None:
            raise record.error("expected an object with a 'messages' list (OpenAI chat)")
        meta = value if isinstance(value, Mapping) else {}
        conversation: list[dict] = []
        task = ""
        calls: dict[str, str] = {}
        for i, message in enumerate(messages):
            if not isinstance(message, Mapping) or message.get("role") not in ROLES:
                raise record.error(
                    f"message {i + 1}: expected an object with role one of "
                    f"{', '.join(sorted(ROLES))}"
                )
            role, content = message["role"], message.get("content")
            if isinstance(content, list) and any(
                isinstance(b, Mapping) and b.get("type") in ("tool_use", "tool_result")
                for b in content
            ):
                raise record.error(
                    f"message {i + 1}: tool_use / tool_result blocks are Anthropic's "
                    "format (use anthropic)"
                )
            if role in ("system", "developer"):
                task = task or text_of(content)
                conversation.append(turn("System", content, "system", role=role))
            elif role == "user":
                task = task or text_of(content)
                conversation.append(turn("User", content, "observation", role="user"))
            elif role == "assistant":
                found = message.get("tool_calls") or []
                if not isinstance(found, list):
                    raise record.error(f"message {i + 1}: tool_calls must be a list")
                if content:
                    kind = "thought" if found or message.get("function_call") else "answer"
                    speaker = "Agent (Thought)" if kind == "thought" else "Agent"
                    conversation.append(turn(speaker, content, kind, role="assistant"))
                for call in found:
                    fn = call.get("function") if isinstance(call, Mapping) else None
                    if not isinstance(fn, Mapping) or not fn.get("name"):
                        raise record.error(
                            f"message {i + 1}: a tool call needs function.name and arguments"
                        )
                    calls[str(call.get("id", ""))] = fn["name"]
                    conversation.append(
                        action(fn["name"], fn.get("arguments", "{}"), call_id=call.get("id"))
                    )
                legacy = message.get("function_call")
                if isinstance(legacy, Mapping) and legacy.get("name"):
                    conversation.append(action(legacy["name"], legacy.get("arguments", "{}")))
            else:  # tool / function results
                call_id = message.get("tool_call_id")
                tool = calls.get(str(call_id)) or message.get("name")
                conversation.append(
                    turn("Environment", content, "observation", result_of=tool, call_id=call_id)
                )
        return item(
            meta.get("id"),
            task,
            conversation,
            agent_name=meta.get("model", ""),
            metadata={"Model": meta.get("model"), **(meta.get("usage") or {})},
        )
