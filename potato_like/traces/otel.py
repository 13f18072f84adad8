"""OpenTelemetry spans following the GenAI semantic conventions, as exported in JSON: the
OTLP form `{"resourceSpans": [{"scopeSpans": [{"spans": [...]}]}]}` (attributes as
`[{"key", "value": {"stringValue" | "intValue" | ...}}]`) or flattened spans
(`{"trace_id"/"traceId", "span_id"/"spanId", "parent_span_id", "name", "attributes": {}}`),
one file holding one or many traces. One item per trace id, spans in start-time order.

Read: `gen_ai.operation.name` (chat, text_completion, generate_content, execute_tool,
invoke_agent, create_agent), `gen_ai.input.messages` / `gen_ai.output.messages` (role +
parts of type text / tool_call / tool_call_response), the older `gen_ai.prompt` /
`gen_ai.completion` and `gen_ai.*.message` / `gen_ai.choice` events, `gen_ai.tool.name`,
`gen_ai.tool.call.arguments` / `gen_ai.tool.call.result`, `gen_ai.agent.name`,
`gen_ai.request.model`, `gen_ai.usage.input_tokens` / `output_tokens`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .common import action, item, turn
from .registry import Record, TraceError, TraceFormat, register

CHAT_OPS = {"chat", "text_completion", "generate_content"}


def _value(v: Any) -> Any:
    if not isinstance(v, Mapping):
        return v
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in v:
            return v[key]
    if "intValue" in v:
        return int(v["intValue"])
    if "arrayValue" in v:
        return [_value(x) for x in v["arrayValue"].get("values", [])]
    if "kvlistValue" in v:
        return {kv.get("key"): _value(kv.get("value")) for kv in v["kvlistValue"].get("values", [])}
    return None


def _attributes(raw: Any) -> dict:
    if isinstance(raw, Mapping):
        return dict(raw)
    if isinstance(raw, list):
        return {a.get("key"): _value(a.get("value")) for a in raw if isinstance(a, Mapping)}
    return {}


def _json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _span(raw: Mapping) -> dict:
    return {
        "trace": str(
            raw.get("traceId", raw.get("trace_id", raw.get("context", {}).get("trace_id", "")))
        ),
        "id": str(raw.get("spanId", raw.get("span_id", raw.get("context", {}).get("span_id", "")))),
        "parent": str(
            raw.get("parentSpanId", raw.get("parent_span_id", raw.get("parent_id"))) or ""
        ),
        "name": str(raw.get("name", "")),
        "start": _start(raw),
        "attrs": _attributes(raw.get("attributes")),
        "events": [
            {"name": e.get("name", ""), "attrs": _attributes(e.get("attributes"))}
            for e in raw.get("events") or []
            if isinstance(e, Mapping)
        ],
        "error": _is_error(raw.get("status")),
    }


def _start(raw: Mapping) -> float:
    nano = raw.get("startTimeUnixNano", raw.get("start_time_unix_nano"))
    try:
        if nano is not None:
            return int(nano) / 1e9
    except (TypeError, ValueError):
        pass
    start = raw.get("start_time")
    return float(start) if isinstance(start, (int, float)) else 0.0


def _is_error(status: Any) -> bool:
    if isinstance(status, Mapping):
        code = status.get("code", status.get("status_code"))
        return code in (2, "STATUS_CODE_ERROR", "ERROR")
    return status in ("ERROR", "error")


def spans_of(record: Record) -> list[dict]:
    value = record.value
    if isinstance(value, Mapping) and "resourceSpans" in value:
        out = []
        for rs in value.get("resourceSpans") or []:
            for ss in (
                (rs or {}).get("scopeSpans") or (rs or {}).get("instrumentationLibrarySpans") or []
            ):
                out.extend(
                    _span(s) for s in (ss or {}).get("spans") or [] if isinstance(s, Mapping)
                )
        return out
    if isinstance(value, list):
        return [_span(s) for s in value if isinstance(s, Mapping)]
    if isinstance(value, Mapping) and (
        "spanId" in value or "span_id" in value or "context" in value
    ):
        return [_span(value)]
    raise record.error("expected OTLP JSON (resourceSpans) or a span object")


@register
class OpenTelemetryGenAI(TraceFormat):
    name = "otel"
    aliases = ("opentelemetry",)
    description = "OpenTelemetry GenAI spans (OTLP JSON or flattened span export)"
    detect_order = 20

    def detect(self, value: Any) -> bool:
        if isinstance(value, Mapping) and "resourceSpans" in value:
            return True
        first = value[0] if isinstance(value, list) and value else value
        return (
            isinstance(first, Mapping)
            and ("spanId" in first or "span_id" in first)
            and "attributes" in first
        )

    def convert(self, records: list[Record]):
        traces: dict[str, list[dict]] = {}
        for record in records:
            for span in spans_of(record):
                if not span["id"]:
                    raise record.error("a span has no spanId / span_id")
                traces.setdefault(span["trace"], []).append(span)
        if not traces:
            raise TraceError(records[0].path, records[0].line, "no spans in the file")
        for trace_id, spans in traces.items():
            yield self.trace_item(trace_id, sorted(spans, key=lambda s: s["start"]))

    def trace_item(self, trace_id: str, spans: list[dict]) -> dict:
        by_id = {s["id"]: s for s in spans}

        def agent_of(span: dict) -> str | None:
            seen = set()
            while span and span["id"] not in seen:
                seen.add(span["id"])
                name = span["attrs"].get("gen_ai.agent.name")
                if name:
                    return str(name)
                span = by_id.get(span["parent"])
            return None

        conversation: list[dict] = []
        task, model, tokens = "", "", {"input": 0, "output": 0}
        asked = False
        run_tree = []
        for span in spans:
            attrs = span["attrs"]
            op = attrs.get("gen_ai.operation.name") or (
                "execute_tool" if attrs.get("gen_ai.tool.name") or attrs.get("tool.name") else ""
            )
            agent = agent_of(span)
            start = len(conversation)
            model = model or str(
                attrs.get("gen_ai.request.model") or attrs.get("gen_ai.response.model") or ""
            )
            for key, slot in (
                ("gen_ai.usage.input_tokens", "input"),
                ("gen_ai.usage.output_tokens", "output"),
            ):
                if isinstance(attrs.get(key), (int, float)):
                    tokens[slot] += int(attrs[key])
            if op == "execute_tool":
                name = str(attrs.get("gen_ai.tool.name") or attrs.get("tool.name") or span["name"])
                args = _json(attrs.get("gen_ai.tool.call.arguments", attrs.get("tool.input", {})))
                # The model's output already listed this call: keep one turn for it.
                called = any(
                    t.get("tool") == name
                    and t.get("step_type") == "action"
                    and (
                        t.get("call_id") == attrs.get("gen_ai.tool.call.id")
                        or t.get("args") == args
                    )
                    for t in conversation[-5:]
                )
                if not called:
                    conversation.append(action(name, args, agent_id=agent, run_id=span["id"]))
                result = attrs.get("gen_ai.tool.call.result", attrs.get("tool.output"))
                if result is not None or span["error"]:
                    kind = "error" if span["error"] else "observation"
                    conversation.append(
                        turn("Environment", _json(result), kind, result_of=name, run_id=span["id"])
                    )
            elif op in CHAT_OPS or any(k.startswith("gen_ai.") for k in attrs) or span["events"]:
                if not asked:
                    for t in self.input_turns(span):
                        task = task or (t["text"] if t["speaker"] == "User" else "")
                        conversation.append(t)
                    asked = bool(conversation)
                conversation.extend(self.output_turns(span, agent))
            if span["error"] and op != "execute_tool":
                conversation.append(
                    turn(
                        "Error",
                        f"span {span['name']!r} ended with an error",
                        "error",
                        run_id=span["id"],
                    )
                )
            run_tree.append(
                {
                    "id": span["id"],
                    "parent_id": span["parent"] if span["parent"] in by_id else None,
                    "name": span["name"],
                    "run_type": "tool"
                    if op == "execute_tool"
                    else "llm"
                    if op in CHAT_OPS
                    else "chain",
                    "status": "error" if span["error"] else "success",
                    "turn_range": [start, len(conversation) - 1]
                    if len(conversation) > start
                    else None,
                }
            )
        root = next((s for s in spans if s["parent"] not in by_id), spans[0])
        agent_name = root["attrs"].get("gen_ai.agent.name") or model
        return item(
            trace_id,
            task or root["name"],
            conversation,
            agent_name=str(agent_name or ""),
            metadata={
                "Model": model,
                "Spans": str(len(spans)),
                "Input tokens": str(tokens["input"]) if tokens["input"] else None,
                "Output tokens": str(tokens["output"]) if tokens["output"] else None,
            },
            run_tree=run_tree if len(run_tree) > 1 else None,
        )

    def input_turns(self, span: dict) -> list[dict]:
        attrs = span["attrs"]
        messages = _json(attrs.get("gen_ai.input.messages"))
        if isinstance(messages, list):
            return [t for m in messages if isinstance(m, Mapping) for t in _message_turns(m, None)]
        if attrs.get("gen_ai.prompt"):
            return [turn("User", _json(attrs["gen_ai.prompt"]), "observation", role="user")]
        out = []
        for event in span["events"]:
            role = event["name"].removeprefix("gen_ai.").removesuffix(".message")
            if role in ("system", "user"):
                out.append(
                    turn(
                        role.capitalize(),
                        event["attrs"].get("content"),
                        "system" if role == "system" else "observation",
                        role=role,
                    )
                )
        return out

    def output_turns(self, span: dict, agent: str | None) -> list[dict]:
        attrs = span["attrs"]
        messages = _json(attrs.get("gen_ai.output.messages"))
        if isinstance(messages, list):
            return [t for m in messages if isinstance(m, Mapping) for t in _message_turns(m, agent)]
        if attrs.get("gen_ai.completion"):
            return [turn("Agent", _json(attrs["gen_ai.completion"]), "answer", agent_id=agent)]
        return [
            turn(
                "Agent",
                e["attrs"].get("message", e["attrs"].get("content")),
                "answer",
                agent_id=agent,
            )
            for e in span["events"]
            if e["name"] in ("gen_ai.choice", "gen_ai.assistant.message")
        ]


def _message_turns(message: Mapping, agent: str | None) -> list[dict]:
    role = str(message.get("role", "assistant"))
    parts = message.get("parts")
    if not isinstance(parts, list):
        parts = [{"type": "text", "content": message.get("content")}]
    out = []
    for part in parts:
        if not isinstance(part, Mapping):
            continue
        kind = part.get("type")
        if kind == "tool_call":
            out.append(
                action(
                    str(part.get("name", "tool")),
                    part.get("arguments", {}),
                    agent_id=agent,
                    call_id=part.get("id"),
                )
            )
        elif kind == "tool_call_response":
            out.append(
                turn(
                    "Environment",
                    part.get("response", part.get("result")),
                    "observation",
                    call_id=part.get("id"),
                )
            )
        elif role == "assistant":
            out.append(turn("Agent", part.get("content"), "answer", agent_id=agent))
        elif role == "tool":
            out.append(turn("Environment", part.get("content"), "observation"))
        else:
            out.append(
                turn(
                    role.capitalize(),
                    part.get("content"),
                    "system" if role == "system" else "observation",
                    role=role,
                )
            )
    return out
