"""Anthropic Messages API conversations: `{"id"?, "model"?, "system"?, "messages": [...]}`
or a request/response pair `{"request": {"messages", "system"?}, "response": {"content"}}`.
A message's `content` is a string or a list of blocks: `text`, `thinking`, `tool_use`
(`{"id", "name", "input"}`), `tool_result` (`{"tool_use_id", "content", "is_error"?}`),
`image`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import action, item, text_of, turn
from .registry import Record, TraceFormat, register

BLOCKS = {"tool_use", "tool_result", "thinking", "redacted_thinking"}


def _messages(value: Any) -> tuple[list | None, Any, Mapping]:
    """(messages, system prompt, the object with id/model) of a record."""
    if not isinstance(value, Mapping):
        return None, None, {}
    if isinstance(value.get("request"), Mapping):
        request, response = value["request"], value.get("response")
        messages = list(request.get("messages") or [])
        if isinstance(response, Mapping) and response.get("content") is not None:
            messages.append({"role": "assistant", "content": response["content"]})
        return messages, request.get("system"), {**request, **value}
    messages = value.get("messages")
    return (messages if isinstance(messages, list) else None), value.get("system"), value


@register
class AnthropicMessages(TraceFormat):
    name = "anthropic"
    description = "Anthropic Messages API content blocks with tool_use / tool_result"
    detect_order = 40

    def detect(self, value: Any) -> bool:
        messages, _system, meta = _messages(value)
        if not messages:
            return False
        if str(meta.get("model", "")).startswith("claude"):
            return True
        return any(
            isinstance(b, Mapping) and b.get("type") in BLOCKS
            for m in messages
            if isinstance(m, Mapping) and isinstance(m.get("content"), list)
            for b in m["content"]
        )

    def convert_one(self, record: Record, n: int) -> dict:
        messages, system, meta = _messages(record.value)
        if messages is None:
            raise record.error(
                "expected an object with a 'messages' list, or request/response (Anthropic)"
            )
        conversation: list[dict] = []
        task = text_of(system) if system else ""
        if system:
            conversation.append(turn("System", system, "system", role="system"))
        tools: dict[str, str] = {}
        for i, message in enumerate(messages):
            if not isinstance(message, Mapping) or message.get("role") not in ("user", "assistant"):
                raise record.error(f"message {i + 1}: role must be user or assistant")
            role, content = message["role"], message.get("content")
            if isinstance(content, str):
                content = [{"type": "text", "text": content}]
            if not isinstance(content, list):
                raise record.error(f"message {i + 1}: content must be text or a list of blocks")
            for block in content:
                if not isinstance(block, Mapping) or "type" not in block:
                    raise record.error(f"message {i + 1}: a content block needs a type")
                conversation.extend(self.block_turns(record, i, role, block, tools))
            if role == "user" and not task:
                task = next(
                    (t["text"] for t in conversation if t.get("role") == "user" and t["text"]),
                    "",
                )
        return item(
            meta.get("id"),
            task,
            conversation,
            agent_name=meta.get("model", ""),
            metadata={"Model": meta.get("model"), **(meta.get("usage") or {})},
        )

    def block_turns(self, record, i, role, block, tools) -> list[dict]:
        kind = block["type"]
        if kind == "text":
            if role == "user":
                return [turn("User", block.get("text"), "observation", role="user")]
            return [turn("Agent", block.get("text"), "answer", role="assistant")]
        if kind in ("thinking", "redacted_thinking"):
            return [turn("Agent (Thought)", block.get("thinking", "[redacted]"), "thought")]
        if kind == "tool_use":
            if not block.get("name"):
                raise record.error(f"message {i + 1}: a tool_use block needs a name")
            tools[str(block.get("id", ""))] = block["name"]
            return [action(block["name"], block.get("input", {}), call_id=block.get("id"))]
        if kind == "tool_result":
            call_id = block.get("tool_use_id")
            step = "error" if block.get("is_error") else "observation"
            return [
                turn(
                    "Environment",
                    block.get("content"),
                    step,
                    result_of=tools.get(str(call_id)),
                    call_id=call_id,
                )
            ]
        if kind == "image":
            return [turn("User" if role == "user" else "Agent", "[image]", "observation")]
        return [turn(role.capitalize(), block, "observation")]
