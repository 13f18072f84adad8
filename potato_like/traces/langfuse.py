"""Langfuse exports: a trace as Langfuse's public API returns it (`GET
/api/public/traces/{id}`: `{"id", "name", "timestamp", "input", "output", "userId",
"sessionId", "metadata", "tags", "observations": [...]}`), a page of them (`{"data": [...]}`),
or flat observations (`{"id", "traceId", "type", "name", "startTime", "input", "output",
"parentObservationId", "level", "statusMessage", "model", "usage"}`, one per line or in a
list), grouped by `traceId`. Observation `type`: GENERATION (a model call) gives the model's
answer, and its tool calls when the output is an OpenAI-style message; SPAN / TOOL / AGENT /
CHAIN / RETRIEVER / EVENT give a call and its output (only the output when a generation's
tool call already named it); `level: ERROR` gives an error step.
Observations are ordered by `startTime`. One item per trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import action, item, parse_args, text_of, turn
from .registry import Record, TraceError, TraceFormat, register

OBSERVATION_TYPES = {
    "GENERATION",
    "SPAN",
    "EVENT",
    "AGENT",
    "TOOL",
    "CHAIN",
    "RETRIEVER",
    "EVALUATOR",
    "EMBEDDING",
    "GUARDRAIL",
}


def _is_observation(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and "traceId" in value
        and str(value.get("type") or "").upper() in OBSERVATION_TYPES
    )


def _is_trace(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("observations"), list)


def _answer(output: Any) -> tuple[Any, list]:
    """(text, tool calls) of a generation's output: a string, an OpenAI-style message
    ({"role", "content", "tool_calls"}), or a list of them (the last one)."""
    if isinstance(output, list) and output and isinstance(output[-1], Mapping):
        output = output[-1]
    if isinstance(output, Mapping) and ("content" in output or "tool_calls" in output):
        calls = output.get("tool_calls") if isinstance(output.get("tool_calls"), list) else []
        return output.get("content"), calls
    return output, []


def _task(value: Any) -> Any:
    if isinstance(value, Mapping):
        for key in ("input", "query", "question", "task", "messages"):
            if value.get(key):
                return _task(value[key])
    if isinstance(value, list) and value and isinstance(value[-1], Mapping):
        users = [m for m in value if isinstance(m, Mapping) and m.get("role") == "user"]
        return (users[-1] if users else value[-1]).get("content")
    return value


@register
class Langfuse(TraceFormat):
    name = "langfuse"
    description = "Langfuse traces with observations (public API export) or flat observations"
    detect_order = 15

    def detect(self, value: Any) -> bool:
        if isinstance(value, Mapping) and isinstance(value.get("data"), list) and value["data"]:
            value = value["data"][0]
        if isinstance(value, list) and value:
            value = value[0]
        return _is_trace(value) or _is_observation(value)

    def convert(self, records: list[Record]):
        traces: dict[str, dict] = {}
        for record in records:
            value = record.value
            entries = value["data"] if isinstance(value, Mapping) and "data" in value else value
            entries = entries if isinstance(entries, list) else [entries]
            for entry in entries:
                if _is_trace(entry):
                    trace = traces.setdefault(str(entry.get("id")), {"observations": []})
                    trace.update({k: v for k, v in entry.items() if k != "observations"})
                    for obs in entry["observations"]:
                        if not isinstance(obs, Mapping):
                            raise record.error(
                                "observations must be objects (export the trace with "
                                "its observations, not their ids)"
                            )
                        trace["observations"].append(obs)
                elif _is_observation(entry):
                    trace = traces.setdefault(str(entry["traceId"]), {"observations": []})
                    trace.setdefault("id", str(entry["traceId"]))
                    trace["observations"].append(entry)
                else:
                    raise record.error(
                        "expected a Langfuse trace (with observations) or an observation "
                        "(traceId, type)"
                    )
        if not traces:
            raise TraceError(records[0].path, records[0].line, "no traces in the file")
        for trace in traces.values():
            yield self.trace_item(trace)

    def trace_item(self, trace: Mapping) -> dict:
        observations = sorted(trace["observations"], key=lambda o: str(o.get("startTime") or ""))
        task = _task(trace.get("input"))
        if task in (None, "") and observations:
            task = _task(observations[0].get("input"))
        conversation = [turn("User", task, "observation", role="user")] if task else []
        models, tokens = set(), 0
        called: list[str] = []  # tool calls a generation listed, not yet answered
        for obs in observations:
            kind = str(obs.get("type") or "").upper()
            name = str(obs.get("name") or kind.lower())
            run_id = obs.get("id")
            if kind == "GENERATION":
                if obs.get("model"):
                    models.add(str(obs["model"]))
                usage = obs.get("usage") or obs.get("usageDetails") or {}
                if isinstance(usage, Mapping):
                    tokens += int(usage.get("total") or usage.get("totalTokens") or 0)
                text, calls = _answer(obs.get("output"))
                if text:
                    conversation.append(turn("Agent", text, "thought", run_id=run_id))
                for call in calls:
                    fn = call.get("function") if isinstance(call, Mapping) else None
                    if isinstance(fn, Mapping):
                        conversation.append(
                            action(str(fn.get("name")), fn.get("arguments"), run_id=run_id)
                        )
                        called.append(str(fn.get("name")))
            elif kind == "EVENT":
                conversation.append(turn("Event", obs.get("output") or name, "observation"))
            else:
                if name in called:  # the generation's call already shows it: add its result
                    called.remove(name)
                else:
                    conversation.append(action(name, parse_args(obs.get("input")), run_id=run_id))
                if obs.get("output") is not None:
                    conversation.append(
                        turn("Environment", obs["output"], "observation", result_of=name)
                    )
            if str(obs.get("level") or "").upper() == "ERROR":
                message = obs.get("statusMessage") or "error"
                conversation.append(turn("Error", message, "error", run_id=run_id))
        if trace.get("output") not in (None, ""):
            final, _ = _answer(trace["output"])
            conversation.append(turn("Agent", text_of(final), "answer"))
        return item(
            trace.get("id"),
            task or trace.get("name") or "",
            conversation,
            metadata={
                "name": trace.get("name"),
                "model": ", ".join(sorted(models)),
                "total_tokens": tokens or None,
                "session": trace.get("sessionId"),
                "user": trace.get("userId"),
                "tags": trace.get("tags"),
            },
        )
