"""ReAct text traces: plain text in the labelled blocks of the ReAct prompt, as LangChain's
ReAct agent and most ReAct implementations print them:

    Question: <the task>            (also `Task:`)
    Thought: <reasoning>
    Action: <tool name>
    Action Input: <arguments, JSON or text>
    Observation: <tool output>
    ...
    Final Answer: <the answer>

Labels may be numbered and an action written as the ReAct paper writes it (`Thought 1:`,
`Action 1: Search[Paris]`, `Observation 1:`; `Finish[answer]` is the final answer).
A label starts a line; the lines after it, up to the next label, continue its text. A file
is one trace (id: the file's name); a line `---` alone separates traces in one file. An
`Action Input:` without its `Action:`, an `Action:` with no tool name, or text before the
first label is an error naming the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .common import action, item, parse_args, turn
from .registry import Record, TraceError, TraceFormat, register

_LABEL = re.compile(
    r"^(Question|Task|Thought|Action Input|Action|Observation|Final Answer)(?: \d+)?:\s?(.*)$"
)
# The ReAct paper's form: `Action 1: Search[Paris]`, `Finish[answer]` ends the trace.
_BRACKETED = re.compile(r"^([A-Za-z_][\w.-]*)\[(.*)\]$", re.DOTALL)


def _blocks(text: str, path: str, first_line: int) -> list[tuple[str, str, int]]:
    """(label, text, line) of each labelled block."""
    out: list[tuple[str, str, int]] = []
    for number, line in enumerate(text.splitlines(), start=first_line):
        match = _LABEL.match(line)
        if match:
            out.append((match.group(1), match.group(2), number))
        elif out:
            label, body, start = out[-1]
            out[-1] = (label, f"{body}\n{line}", start)
        elif line.strip():
            raise TraceError(path, number, "text before the first ReAct label (Thought:, ...)")
    return [(label, body.strip(), line) for label, body, line in out]


@register
class ReactText(TraceFormat):
    name = "react"
    aliases = ("react_text",)
    description = "ReAct text (Thought: / Action: / Action Input: / Observation: / Final Answer:)"
    detect_order = 20
    text_format = True

    def detect(self, value: Any) -> bool:
        return False

    def detect_text(self, text: str) -> bool:
        labels = {m.group(1) for m in map(_LABEL.match, text.splitlines()) if m}
        return "Thought" in labels and bool(labels & {"Action", "Final Answer"})

    def convert(self, records: list[Record]) -> Iterator[dict]:
        for record in records:
            if not isinstance(record.value, str):
                raise record.error("a ReAct trace is plain text, not JSON")
            start, chunk = record.line, []
            parts: list[tuple[int, str]] = []
            for number, line in enumerate(record.value.splitlines(), start=record.line):
                if line.strip() == "---":
                    parts.append((start, "\n".join(chunk)))
                    start, chunk = number + 1, []
                else:
                    chunk.append(line)
            parts.append((start, "\n".join(chunk)))
            parts = [(s, c) for s, c in parts if c.strip()]
            stem = Path(record.path).stem
            for n, (first, chunk_text) in enumerate(parts):
                trace_id = stem if len(parts) == 1 else f"{stem}-{n + 1}"
                yield self.convert_text(record.path, first, chunk_text, trace_id)

    def convert_text(self, path: str, first: int, text: str, trace_id: str) -> dict:
        task, conversation = "", []
        pending: tuple[str, int] | None = None  # an Action waiting for its Action Input
        for label, body, line in _blocks(text, path, first):
            if pending and label != "Action Input":
                conversation.append(action(pending[0], {}))
                pending = None
            if label in ("Question", "Task"):
                task = task or body
                conversation.append(turn("User", body, "observation", role="user"))
            elif label == "Thought":
                conversation.append(turn("Agent (Thought)", body, "thought"))
            elif label == "Action":
                if not body:
                    raise TraceError(path, line, "Action: needs a tool name")
                bracketed = _BRACKETED.match(body)
                if bracketed and bracketed.group(1).lower() == "finish":
                    conversation.append(
                        turn("Agent", bracketed.group(2), "answer", role="assistant")
                    )
                elif bracketed:
                    conversation.append(action(bracketed.group(1), parse_args(bracketed.group(2))))
                else:
                    pending = (body.splitlines()[0].strip(), line)
            elif label == "Action Input":
                if pending is None:
                    raise TraceError(path, line, "Action Input: without an Action: before it")
                conversation.append(action(pending[0], parse_args(body)))
                pending = None
            elif label == "Observation":
                last = next((t for t in reversed(conversation) if t.get("tool")), None)
                conversation.append(
                    turn("Environment", body, "observation", result_of=last and last["tool"])
                )
            else:
                conversation.append(turn("Agent", body, "answer", role="assistant"))
        if pending:
            conversation.append(action(pending[0], {}))
        if not conversation:
            raise TraceError(path, first, "no ReAct steps in this trace")
        return item(trace_id, task, conversation, metadata={"steps": len(conversation)})
