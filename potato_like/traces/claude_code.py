"""Claude Code session files (`~/.claude/projects/<project>/<sessionId>.jsonl`): one JSON
object per line, `{"type": "user" | "assistant" | "summary" | "system", "uuid",
"parentUuid", "sessionId", "timestamp", "cwd"?, "gitBranch"?, "version"?, "isSidechain"?,
"message": {"role", "content", "model"?, "usage"?}}`; `summary` lines carry `summary` and
`leafUuid`. `message.content` is a string or Anthropic content blocks (`text`, `thinking`,
`tool_use`, `tool_result`), read as the `anthropic` format reads them. One item per
`sessionId`, lines in file order; the task is the first user text; a summary line becomes
the item's `summary`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .anthropic import AnthropicMessages
from .common import item, turn
from .registry import Record, TraceFormat, register

LINE_TYPES = {"user", "assistant", "summary", "system"}


@register
class ClaudeCode(TraceFormat):
    name = "claude_code"
    aliases = ("claude-code",)
    description = "Claude Code session JSONL (type, message, uuid, parentUuid, sessionId)"
    detect_order = 12

    def detect(self, value: Any) -> bool:
        if not isinstance(value, Mapping) or value.get("type") not in LINE_TYPES:
            return False
        if value["type"] == "summary":
            return "leafUuid" in value
        return "sessionId" in value and ("message" in value or "content" in value)

    def convert(self, records: list[Record]) -> Iterator[dict]:
        sessions: dict[str, dict[str, Any]] = {}
        summaries: list[str] = []
        blocks = AnthropicMessages()
        for record in records:
            value = record.value
            if not isinstance(value, Mapping) or value.get("type") not in LINE_TYPES:
                raise record.error(
                    "expected a Claude Code line: {'type': 'user'|'assistant'|'summary', ...}"
                )
            if value["type"] == "summary":
                summaries.append(str(value.get("summary", "")))
                continue
            sid = value.get("sessionId")
            if not sid:
                raise record.error(f"a {value['type']} line needs its sessionId")
            session = sessions.setdefault(
                str(sid), {"turns": [], "tools": {}, "task": "", "meta": {}}
            )
            meta = session["meta"]
            for key in ("cwd", "gitBranch", "version"):
                meta.setdefault(key, value.get(key))
            meta.setdefault("started", value.get("timestamp"))
            meta["ended"] = value.get("timestamp")
            if value["type"] == "system":
                message = value.get("message")
                text = value.get("content") or (
                    message.get("content") if isinstance(message, Mapping) else None
                )
                session["turns"].append(turn("System", text, "system", role="system"))
                continue
            message = value.get("message")
            if not isinstance(message, Mapping):
                raise record.error(f"a {value['type']} line needs a 'message' object")
            role = message.get("role", value["type"])
            if role not in ("user", "assistant"):
                raise record.error(f"message role must be user or assistant, not {role!r}")
            if role == "assistant" and message.get("model"):
                meta["model"] = message["model"]
            content = message.get("content")
            if isinstance(content, str):
                content = [{"type": "text", "text": content}]
            if not isinstance(content, list):
                raise record.error("message content must be text or a list of blocks")
            for block in content:
                if not isinstance(block, Mapping) or "type" not in block:
                    raise record.error("a content block needs a type")
                for t in blocks.block_turns(record, 0, role, block, session["tools"]):
                    t["uuid"] = value.get("uuid")
                    if value.get("isSidechain"):
                        t["sidechain"] = True
                    session["turns"].append(t)
                    if role == "user" and block["type"] == "text" and not session["task"]:
                        session["task"] = t["text"]
        for sid, session in sessions.items():
            meta = session["meta"]
            yield item(
                sid,
                session["task"],
                session["turns"],
                agent_name=meta.get("model") or "Claude Code",
                metadata={
                    "Model": meta.get("model"),
                    "cwd": meta.get("cwd"),
                    "gitBranch": meta.get("gitBranch"),
                    "Claude Code version": meta.get("version"),
                    "started": meta.get("started"),
                    "ended": meta.get("ended"),
                },
                summary=" / ".join(s for s in summaries if s) or None,
            )
