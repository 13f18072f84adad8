"""Claude Code session files (`~/.claude/projects/<project>/<sessionId>.jsonl`): one JSON
object per line, `{"type": "user" | "assistant" | "system" | "summary" | ..., "uuid",
"parentUuid", "sessionId", "timestamp", "cwd"?, "gitBranch"?, "version"?, "isSidechain"?,
"isMeta"?, "message": {"role", "content", "model"?, "usage"?}}`; `summary` lines carry
`summary` and `leafUuid`. `message.content` is a string or Anthropic content blocks (`text`,
`thinking`, `tool_use`, `tool_result`), read as the `anthropic` format reads them.

One item per `sessionId`. `parentUuid` links make a session a tree (a rewind leaves the
abandoned messages in the file), so the conversation is the live branch: the path back from
the session's last main-thread line (through `logicalParentUuid` across a compaction),
in file order; lines off it are counted, not shown. Sub-agent lines (`isSidechain`) are
kept and marked `sidechain`; `isMeta` lines (CLI-injected) are left out, as are the CLI's
bookkeeping lines (`file-history-snapshot`, `queue-operation`, ... : any other `type`).
The task is the first user text; summary lines give the item's `summary`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .anthropic import AnthropicMessages
from .common import item, turn
from .registry import Record, TraceFormat, register

LINE_TYPES = {"user", "assistant", "system"}
# Bookkeeping lines Claude Code writes besides the conversation; a file may start with one.
BOOKKEEPING = {
    "summary",
    "file-history-snapshot",
    "file-history-delta",
    "queue-operation",
    "permission-mode",
    "custom-title",
    "last-prompt",
    "agent-name",
    "attachment",
    "mode",
}


def _live(rows: list[Record]) -> set[str]:
    """The uuids on the path back from the last main-thread line of a session."""
    by_uuid = {r.value["uuid"]: r.value for r in rows if isinstance(r.value.get("uuid"), str)}
    leaf = next((r.value for r in reversed(rows) if not r.value.get("isSidechain")), None)
    live: set[str] = set()
    uuid = leaf.get("uuid") if leaf else None
    while isinstance(uuid, str) and uuid in by_uuid and uuid not in live:
        live.add(uuid)
        row = by_uuid[uuid]
        uuid = row.get("parentUuid") or row.get("logicalParentUuid")
    return live


@register
class ClaudeCode(TraceFormat):
    name = "claude_code"
    aliases = ("claude-code",)
    description = "Claude Code session JSONL (type, message, uuid, parentUuid, sessionId)"
    detect_order = 12

    def detect(self, value: Any) -> bool:
        if not isinstance(value, Mapping) or not isinstance(value.get("type"), str):
            return False
        if value["type"] == "summary":
            return "leafUuid" in value
        if value["type"] in BOOKKEEPING:
            return any(k in value for k in ("sessionId", "messageId", "uuid", "leafUuid"))
        return value["type"] in LINE_TYPES and "sessionId" in value and "uuid" in value

    def convert(self, records: list[Record]) -> Iterator[dict]:
        sessions: dict[str, list[Record]] = {}
        summaries: list[str] = []
        for record in records:
            value = record.value
            if not isinstance(value, Mapping) or not isinstance(value.get("type"), str):
                raise record.error("expected a Claude Code line: an object with a 'type'")
            if value["type"] == "summary":
                summaries.append(str(value.get("summary", "")))
            if value["type"] not in LINE_TYPES:
                continue
            if not value.get("sessionId"):
                raise record.error(f"a {value['type']} line needs its sessionId")
            sessions.setdefault(str(value["sessionId"]), []).append(record)
        if not sessions:
            where = records[0] if records else None
            if where is not None:
                raise where.error("no user or assistant lines in this Claude Code file")
        for sid, rows in sessions.items():
            yield self.session(sid, rows, " / ".join(s for s in summaries if s) or None)

    def session(self, sid: str, rows: list[Record], summary: str | None) -> dict:
        live = _live(rows)
        blocks = AnthropicMessages()
        conversation: list[dict] = []
        tools: dict[str, str] = {}
        task, meta, abandoned = "", {}, 0
        for record in rows:
            value = record.value
            side = bool(value.get("isSidechain"))
            if not side and isinstance(value.get("uuid"), str) and value["uuid"] not in live:
                abandoned += 1
                continue
            for key in ("cwd", "gitBranch", "version"):
                meta.setdefault(key, value.get(key))
            meta.setdefault("started", value.get("timestamp"))
            meta["ended"] = value.get("timestamp")
            if value.get("isMeta"):
                continue
            message = value.get("message")
            extra = {"uuid": value.get("uuid"), "sidechain": True if side else None}
            if side:
                extra["agent_id"] = "subagent"
            if value["type"] == "system":
                text = value.get("content")
                if text is None and isinstance(message, Mapping):
                    text = message.get("content")
                conversation.append(turn("System", text, "system", role="system", **extra))
                continue
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
                for t in blocks.block_turns(record, 0, role, block, tools):
                    t.update({k: v for k, v in extra.items() if v is not None})
                    conversation.append(t)
                    if role == "user" and block["type"] == "text" and not task and not side:
                        task = t["text"]
        return item(
            sid,
            task,
            conversation,
            agent_name=meta.get("model") or "Claude Code",
            metadata={
                "Model": meta.get("model"),
                "cwd": meta.get("cwd"),
                "gitBranch": meta.get("gitBranch"),
                "Claude Code version": meta.get("version"),
                "started": meta.get("started"),
                "ended": meta.get("ended"),
                "lines on abandoned branches": abandoned or None,
            },
            summary=summary,
        )
