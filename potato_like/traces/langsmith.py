"""LangSmith / LangChain runs: a run tree (`{"id", "name", "run_type", "inputs", "outputs",
"child_runs": [...]}`, as LangSmith exports it), or flat runs linked by `parent_run_id`
(`{"runs": [...]}`, LangSmith's webhook payload, which Potato's tracing SDK `potato_trace`
also sends; or one run per JSON Lines line). `run_type` is chain, llm, tool, retriever,
prompt, parser or embedding; `error` marks a failed run. One item per root run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import action, item, text_of, turn
from .registry import Record, TraceError, TraceFormat, register

INPUT_KEYS = ("input", "question", "query", "task", "prompt")
OUTPUT_KEYS = ("output", "answer", "result", "text")


def _first(mapping: Any, keys) -> Any:
    if not isinstance(mapping, Mapping):
        return mapping
    for key in keys:
        if mapping.get(key) not in (None, ""):
            return mapping[key]
    return None


def _llm_text(outputs: Any) -> Any:
    if not isinstance(outputs, Mapping):
        return outputs
    generations = outputs.get("generations")
    while isinstance(generations, list) and generations:
        generations = generations[0]
    if isinstance(generations, Mapping):
        message = generations.get("message")
        if isinstance(message, Mapping):
            content = message.get("kwargs", message).get("content")
            if content:
                return content
        return generations.get("text")
    return _first(outputs, (*OUTPUT_KEYS, "content")) or outputs


def _runs_of(record: Record) -> list[Mapping]:
    value = record.value
    if isinstance(value, Mapping) and isinstance(value.get("runs"), list):
        return value["runs"]
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping) and "run_type" in value:
        return [value]
    raise record.error("expected a run (with run_type) or {'runs': [...]} (LangSmith)")


@register
class LangSmithRuns(TraceFormat):
    name = "langsmith"
    aliases = ("langchain",)
    description = "LangSmith / LangChain run trees (child_runs or parent_run_id)"
    detect_order = 30

    def detect(self, value: Any) -> bool:
        if isinstance(value, Mapping) and isinstance(value.get("runs"), list):
            runs = value["runs"]
            return bool(runs) and isinstance(runs[0], Mapping) and "run_type" in runs[0]
        return (
            isinstance(value, Mapping)
            and "run_type" in value
            and ("child_runs" in value or "parent_run_id" in value or "inputs" in value)
        )

    def convert(self, records: list[Record]):
        runs: list[tuple[Mapping, Record]] = []
        for record in records:
            for run in _runs_of(record):
                if not isinstance(run, Mapping) or "run_type" not in run:
                    raise record.error("every run needs a run_type")
                runs.append((run, record))
        ids = {str(r.get("id")) for r, _ in runs if r.get("id") is not None}
        children: dict[str, list[Mapping]] = {}
        roots = []
        for run, record in runs:
            parent = run.get("parent_run_id")
            if parent is not None and str(parent) in ids:
                children.setdefault(str(parent), []).append(run)
            else:
                roots.append((run, record))
        if not roots:
            raise TraceError(
                records[0].path, records[0].line, "no root run (every run has a parent)"
            )
        for run, _record in roots:
            yield self.root_item(run, children)

    def root_item(self, root: Mapping, children: dict[str, list[Mapping]]) -> dict:
        conversation: list[dict] = []
        run_tree: list[dict] = []
        task = _first(root.get("inputs"), INPUT_KEYS)
        if task is None and isinstance(root.get("inputs"), Mapping):
            messages = root["inputs"].get("messages")
            task = messages[-1] if isinstance(messages, list) and messages else ""
        if task not in (None, ""):
            conversation.append(turn("User", task, "observation", role="user"))
        for child in self.kids(root, children):
            self.walk(child, str(root.get("id", "")), children, conversation, run_tree)
        answer = _first(root.get("outputs"), OUTPUT_KEYS)
        if answer not in (None, ""):
            conversation.append(turn("Agent", answer, "answer", run_id=root.get("id")))
        if root.get("error"):
            conversation.append(turn("Error", root["error"], "error", run_id=root.get("id")))
        tree = [
            {"id": str(root.get("id", "")), "parent_id": None, "name": root.get("name", "root"),
             "run_type": root.get("run_type"), "status": root.get("status"),
             "turn_range": [0, len(conversation) - 1] if conversation else None},
            *run_tree,
        ]  # fmt: skip
        extra = root.get("extra") if isinstance(root.get("extra"), Mapping) else {}
        return item(
            root.get("id"),
            task or root.get("name", ""),
            conversation,
            agent_name=str(root.get("name", "")),
            metadata={
                "Chain": root.get("name"),
                "Start": root.get("start_time"),
                "Tokens": root.get("total_tokens", extra.get("total_tokens")),
            },
            run_tree=tree if run_tree else None,
        )

    def kids(self, run: Mapping, children: dict[str, list[Mapping]]) -> list[Mapping]:
        nested = [c for c in run.get("child_runs") or [] if isinstance(c, Mapping)]
        linked = children.get(str(run.get("id")), []) if run.get("id") is not None else []
        found = nested + [c for c in linked if c not in nested]
        return sorted(found, key=lambda c: str(c.get("start_time") or c.get("dotted_order") or ""))

    def walk(self, run, parent_id, children, conversation, run_tree) -> None:
        kind = run.get("run_type")
        start = len(conversation)
        name = str(run.get("name") or kind)
        run_id = None if run.get("id") is None else str(run["id"])
        if kind == "llm" or kind == "chat_model":
            text = _llm_text(run.get("outputs"))
            if text not in (None, ""):
                conversation.append(turn("Agent (Thought)", text, "thought", run_id=run_id))
        elif kind in ("tool", "retriever"):
            conversation.append(action(name, run.get("inputs") or {}, run_id=run_id))
            output = _first(run.get("outputs"), (*OUTPUT_KEYS, "documents"))
            if output not in (None, ""):
                conversation.append(
                    turn("Environment", output, "observation", result_of=name, run_id=run_id)
                )
        for child in self.kids(run, children):
            self.walk(child, run_id, children, conversation, run_tree)
        if run.get("error"):
            conversation.append(turn("Error", text_of(run["error"]), "error", run_id=run_id))
        run_tree.append(
            {
                "id": run_id or f"run-{len(run_tree)}",
                "parent_id": parent_id,
                "name": name,
                "run_type": kind,
                "status": run.get("status") or ("error" if run.get("error") else "success"),
                "turn_range": [start, len(conversation) - 1] if len(conversation) > start else None,
            }
        )
