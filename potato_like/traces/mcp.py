"""MCP (Model Context Protocol) tool calls: a client/server log of JSON-RPC 2.0 messages,
one per line or in a list: requests `{"jsonrpc": "2.0", "id", "method", "params"}` and
responses `{"jsonrpc": "2.0", "id", "result" | "error"}`, matched by `id`. `tools/call`
(`params.name`, `params.arguments`) gives a call; its result (`content` parts `text`,
`image`, `resource`; `isError`) the output, a JSON-RPC `error` or `isError: true` an error
step. `initialize` names the server and client, `tools/list`, `resources/read`,
`prompts/get` and other methods give one step each, notifications (no `id`) a note. One
item per file (id: the file's name). Potato's own MCP shape, `{"id", "server",
"interactions": [{"method", "params", "result", "error"}]}`, is read too, one item per
record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .common import action, item, text_of, turn
from .registry import Record, TraceFormat, register


def _result_text(result: Any) -> str:
    if isinstance(result, Mapping) and isinstance(result.get("content"), list):
        parts = []
        for part in result["content"]:
            if not isinstance(part, Mapping):
                parts.append(text_of(part))
            elif part.get("type") == "text":
                parts.append(str(part.get("text", "")))
            elif part.get("type") == "resource":
                res = part.get("resource") if isinstance(part.get("resource"), Mapping) else part
                parts.append(str(res.get("text") or f"[resource {res.get('uri', '')}]"))
            else:
                parts.append(f"[{part.get('type', 'content')}]")
        return "\n".join(parts)
    if isinstance(result, Mapping) and "structuredContent" in result:
        return text_of(result["structuredContent"])
    return text_of(result)


def _steps(method: str, params: Any, result: Any, error: Any, where: Record) -> list[dict]:
    params = params if isinstance(params, Mapping) else {}
    if error not in (None, {}, ""):
        message = error.get("message") if isinstance(error, Mapping) else error
    else:
        message = None
    if method == "tools/call":
        if not params.get("name"):
            raise where.error("a tools/call request needs params.name")
        out = [action(params["name"], params.get("arguments") or {})]
        if message is not None:
            out.append(turn("Environment", message, "error", result_of=params["name"]))
        elif result is not None:
            failed = isinstance(result, Mapping) and result.get("isError")
            out.append(
                turn(
                    "Environment",
                    _result_text(result),
                    "error" if failed else "observation",
                    result_of=params["name"],
                )
            )
        return out
    if method == "tools/list" and isinstance(result, Mapping):
        names = [t.get("name", "") for t in result.get("tools") or [] if isinstance(t, Mapping)]
        return [turn("Environment", "tools: " + ", ".join(names), "observation", method=method)]
    shown = params.get("name") or params.get("uri") or ""
    out = [turn("Agent (Action)", f"{method} {shown}".strip(), "action", method=method)]
    if message is not None:
        out.append(turn("Environment", message, "error", method=method))
    elif result not in (None, {}):
        out.append(turn("Environment", json.dumps(result, ensure_ascii=False), "observation"))
    return out


@register
class Mcp(TraceFormat):
    name = "mcp"
    description = "MCP JSON-RPC 2.0 logs (tools/call requests and their results)"
    detect_order = 14

    def detect(self, value: Any) -> bool:
        if isinstance(value, Mapping) and isinstance(value.get("interactions"), list):
            return any(
                isinstance(i, Mapping)
                and str(i.get("method", "")).startswith(
                    ("tools/", "resources/", "prompts/", "initialize")
                )
                for i in value["interactions"]
            )
        return isinstance(value, Mapping) and value.get("jsonrpc") == "2.0"

    def convert(self, records: list[Record]) -> Iterator[dict]:
        if records and isinstance(records[0].value, Mapping) and "interactions" in records[0].value:
            for record in records:
                yield self.convert_interactions(record)
            return
        yield self.convert_log(records)

    def convert_interactions(self, record: Record) -> dict:
        value = record.value
        if not isinstance(value, Mapping) or not isinstance(value.get("interactions"), list):
            raise record.error("expected {'interactions': [...]} (MCP)")
        conversation = []
        for n, step in enumerate(value["interactions"]):
            if not isinstance(step, Mapping) or not step.get("method"):
                raise record.error(f"interaction {n + 1} needs a method")
            conversation += _steps(
                str(step["method"]),
                step.get("params"),
                step.get("result"),
                step.get("error"),
                record,
            )
        return item(
            value.get("id"),
            value.get("task", ""),
            conversation,
            agent_name=value.get("server", ""),
            metadata={"server": value.get("server")},
        )

    def convert_log(self, records: list[Record]) -> dict:
        requests: dict[str, tuple[Record, dict]] = {}
        order: list[tuple[Record, dict]] = []
        server, client = "", ""
        for record in records:
            message = record.value
            if not isinstance(message, Mapping) or message.get("jsonrpc") != "2.0":
                raise record.error('expected a JSON-RPC 2.0 message ({"jsonrpc": "2.0", ...})')
            if "method" in message:
                entry = {"method": str(message["method"]), "params": message.get("params")}
                if "id" in message:
                    requests[json.dumps(message["id"])] = (record, entry)
                order.append((record, entry))
            elif "result" in message or "error" in message:
                key = json.dumps(message.get("id"))
                if key not in requests:
                    raise record.error(f"a response to id {message.get('id')!r} with no request")
                _req_record, entry = requests.pop(key)
                entry["result"], entry["error"] = message.get("result"), message.get("error")
                if entry["method"] == "initialize" and isinstance(entry["result"], Mapping):
                    info = entry["result"].get("serverInfo") or {}
                    server = info.get("name", "") if isinstance(info, Mapping) else ""
            else:
                raise record.error("a JSON-RPC message needs a method, a result or an error")
        conversation, task = [], ""
        for record, entry in order:
            method, params = entry["method"], entry["params"]
            if method == "initialize":
                info = params.get("clientInfo") if isinstance(params, Mapping) else None
                client = info.get("name", "") if isinstance(info, Mapping) else ""
                continue
            if method.startswith("notifications/"):
                if method != "notifications/initialized":
                    conversation.append(turn("System", f"{method} {text_of(params)}", "system"))
                continue
            conversation += _steps(method, params, entry.get("result"), entry.get("error"), record)
        calls = sum(1 for t in conversation if t.get("tool"))
        path = Path(records[0].path) if records else Path("mcp")
        return item(
            path.stem,
            task,
            conversation,
            agent_name=server,
            metadata={"server": server, "client": client, "tool calls": calls},
        )
