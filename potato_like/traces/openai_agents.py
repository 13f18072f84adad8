"""OpenAI Agents SDK traces, as its tracing exporter writes them (`trace.export()` /
`span.export()`, sent as `{"data": [...]}` to OpenAI's ingest endpoint): a trace
`{"object": "trace", "id", "workflow_name", "group_id", "metadata"}` and spans
`{"object": "trace.span", "id", "trace_id", "parent_id", "started_at", "ended_at",
"span_data": {"type", ...}, "error"}`, one per line, in a list, or in `{"data": [...]}`.
`span_data.type`: `agent` (name: the agent of the spans under it), `generation` (model
`input`/`output` messages, `model`, `usage`), `response` (`response_id`), `function` (a tool
call: `name`, `input`, `output`), `handoff` (`from_agent` → `to_agent`), `guardrail` (`name`,
`triggered`), `custom` (`name`, `data`); a span `error` gives an error step. One item per
trace id, spans in `started_at` order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .common import action, item, text_of, turn
from .registry import Record, TraceError, TraceFormat, register


def _entries(record: Record) -> list:
    value = record.value
    if isinstance(value, Mapping) and isinstance(value.get("data"), list):
        return value["data"]
    return value if isinstance(value, list) else [value]


def _first_user(messages: Any) -> Any:
    if isinstance(messages, list):
        for m in messages:
            if isinstance(m, Mapping) and m.get("role") == "user":
                return m.get("content")
    return None


@register
class OpenAIAgents(TraceFormat):
    name = "openai_agents"
    aliases = ("openai-agents",)
    description = "OpenAI Agents SDK traces and spans (trace / trace.span objects)"
    detect_order = 15

    def detect(self, value: Any) -> bool:
        if isinstance(value, Mapping) and isinstance(value.get("data"), list) and value["data"]:
            value = value["data"][0]
        if isinstance(value, list) and value:
            value = value[0]
        return isinstance(value, Mapping) and value.get("object") in ("trace", "trace.span")

    def convert(self, records: list[Record]):
        traces: dict[str, dict] = {}
        for record in records:
            for entry in _entries(record):
                if not isinstance(entry, Mapping) or entry.get("object") not in (
                    "trace",
                    "trace.span",
                ):
                    raise record.error("expected an object 'trace' or 'trace.span' (Agents SDK)")
                if entry["object"] == "trace":
                    traces.setdefault(str(entry.get("id")), {"spans": []})["trace"] = entry
                    continue
                if not isinstance(entry.get("span_data"), Mapping):
                    raise record.error("a trace.span needs span_data with a type")
                trace_id = str(entry.get("trace_id") or "")
                if not trace_id:
                    raise record.error("a trace.span needs its trace_id")
                traces.setdefault(trace_id, {"spans": []})["spans"].append(entry)
        if not traces:
            raise TraceError(records[0].path, records[0].line, "no traces in the file")
        for trace_id, found in traces.items():
            yield self.trace_item(trace_id, found.get("trace") or {}, found["spans"])

    def trace_item(self, trace_id: str, trace: Mapping, spans: list[Mapping]) -> dict:
        spans = sorted(spans, key=lambda s: str(s.get("started_at") or ""))
        by_id = {s.get("id"): s for s in spans}

        def agent_of(span: Mapping) -> str | None:
            seen = set()
            parent = by_id.get(span.get("parent_id"))
            while parent is not None and parent.get("id") not in seen:
                seen.add(parent.get("id"))
                if parent["span_data"].get("type") == "agent":
                    return str(parent["span_data"].get("name") or "")
                parent = by_id.get(parent.get("parent_id"))
            return None

        task = None
        conversation: list[dict] = []
        models, tokens, agents = set(), 0, []
        for span in spans:
            data = span["span_data"]
            kind = data.get("type")
            agent = agent_of(span)
            run_id = span.get("id")
            if kind == "agent":
                agents.append(str(data.get("name") or ""))
            elif kind == "generation":
                if task is None:
                    task = _first_user(data.get("input"))
                if data.get("model"):
                    models.add(str(data["model"]))
                usage = data.get("usage") if isinstance(data.get("usage"), Mapping) else {}
                tokens += int(usage.get("input_tokens") or 0) + int(usage.get("output_tokens") or 0)
                for message in data.get("output") or []:
                    if not isinstance(message, Mapping):
                        continue
                    if message.get("content"):
                        conversation.append(
                            turn(agent or "Agent", message["content"], "thought", agent_id=agent)
                        )
                    for call in message.get("tool_calls") or []:
                        fn = call.get("function") if isinstance(call, Mapping) else None
                        if isinstance(fn, Mapping):
                            conversation.append(
                                action(str(fn.get("name")), fn.get("arguments"), agent_id=agent)
                            )
            elif kind == "function":
                name = str(data.get("name") or "function")
                conversation.append(action(name, data.get("input"), agent_id=agent, run_id=run_id))
                if data.get("output") is not None:
                    conversation.append(
                        turn("Environment", data["output"], "observation", result_of=name)
                    )
            elif kind == "handoff":
                text = f"handoff: {data.get('from_agent')} → {data.get('to_agent')}"
                conversation.append(turn(agent or "Agent", text, "handoff", agent_id=agent))
            elif kind == "guardrail":
                verdict = "triggered" if data.get("triggered") else "passed"
                conversation.append(
                    turn("Guardrail", f"{data.get('name')}: {verdict}", "observation")
                )
            elif kind == "custom":
                text = f"{data.get('name')}: {json.dumps(data.get('data'), ensure_ascii=False)}"
                conversation.append(turn("Custom", text, "observation"))
            if span.get("error"):
                error = span["error"]
                message = error.get("message") if isinstance(error, Mapping) else error
                conversation.append(turn("Error", text_of(message), "error", run_id=run_id))
        workflow = trace.get("workflow_name") if isinstance(trace, Mapping) else None
        return item(
            trace_id,
            task or workflow or "",
            conversation,
            agent_name=agents[0] if agents else "",
            metadata={
                "workflow": workflow,
                "group": trace.get("group_id") if isinstance(trace, Mapping) else None,
                "model": ", ".join(sorted(models)),
                "total_tokens": tokens or None,
                "agents": ", ".join(dict.fromkeys(a for a in agents if a)),
            },
        )
