"""Aider chat histories (`.aider.chat.history.md`): Markdown that aider appends to as you
chat. `# aider chat started at <time>` starts a session; `#### <text>` lines are the
user's message (consecutive ones join); `> <text>` lines are aider's own output (commands,
"Applied edit to ...", lint and test results); other lines are the model's reply. A reply's
edits are SEARCH/REPLACE blocks, the file name on the line before the fence (older aider
versions: `<<<<<<< ORIGINAL` / `>>>>>>> UPDATED`, the file name inside the fence):

    path/to/file.py
    ```python
    <<<<<<< SEARCH
    old lines
    =======
    new lines
    >>>>>>> REPLACE
    ```

Each edit becomes an `edit` call (`args`: `file`, `search`, `replace`). One item per
session (id `<file>-<n>`); a SEARCH block without its `=======` or `>>>>>>> REPLACE` is an
error naming the line it starts on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .common import action, item, turn
from .registry import Record, TraceError, TraceFormat, register

STARTED = re.compile(r"^# aider chat started at (.*)$")
# Markers of an edit block; older aider versions wrote ORIGINAL / UPDATED.
SEARCH = re.compile(r"^<{5,}\s*(SEARCH|ORIGINAL)\s*$")
DIVIDER = re.compile(r"^={5,}\s*$")
REPLACE = re.compile(r"^>{5,}\s*(REPLACE|UPDATED)\s*$")


def _edits(path: str, lines: list[tuple[int, str]]) -> tuple[str, list[dict]]:
    """The reply's prose (edit blocks left out) and its edits."""
    prose: list[str] = []
    edits: list[dict] = []
    i = 0
    while i < len(lines):
        number, line = lines[i]
        if not SEARCH.match(line.strip()):
            prose.append(line)
            i += 1
            continue
        # the file name is the last non-fence line before the block
        file_name = ""
        for _, before in reversed(lines[max(0, i - 3) : i]):
            if before.strip() and not before.strip().startswith("```"):
                file_name = before.strip()
                break
        for _ in range(2):  # the fence and the file name, in either order
            if prose and (prose[-1].strip().startswith("```") or prose[-1].strip() == file_name):
                prose.pop()
        search, replace, part, j = [], [], "search", i + 1
        while j < len(lines) and not REPLACE.match(lines[j][1].strip()):
            text = lines[j][1]
            if DIVIDER.match(text.strip()) and part == "search":
                part = "replace"
            else:
                (search if part == "search" else replace).append(text)
            j += 1
        if j >= len(lines) or part != "replace":
            raise TraceError(path, number, "a SEARCH block without its ======= and REPLACE")
        edits.append(
            {"file": file_name, "search": "\n".join(search), "replace": "\n".join(replace)}
        )
        i = j + 1
        if i < len(lines) and lines[i][1].strip().startswith("```"):
            i += 1
    return "\n".join(prose).strip(), edits


@register
class AiderChat(TraceFormat):
    name = "aider"
    description = "Aider chat history Markdown (.aider.chat.history.md)"
    detect_order = 20
    text_format = True

    def detect(self, value: Any) -> bool:
        return False

    def detect_text(self, text: str) -> bool:
        return any(STARTED.match(line) for line in text.lstrip().splitlines()[:5])

    def convert(self, records: list[Record]) -> Iterator[dict]:
        for record in records:
            if not isinstance(record.value, str):
                raise record.error("an Aider chat history is Markdown text, not JSON")
            sessions: list[tuple[str, int, list[tuple[int, str]]]] = []
            for number, line in enumerate(record.value.splitlines(), start=record.line):
                match = STARTED.match(line)
                if match:
                    sessions.append((match.group(1).strip(), number, []))
                elif sessions:
                    sessions[-1][2].append((number, line))
                elif line.strip():
                    raise TraceError(
                        record.path, number, "expected '# aider chat started at ...' first"
                    )
            stem = Path(record.path).name.removesuffix(".md").lstrip(".") or "aider"
            for n, (started, _line, lines) in enumerate(sessions):
                yield self.session(record.path, f"{stem}-{n + 1}", started, lines)

    def session(self, path: str, trace_id: str, started: str, lines) -> dict:
        conversation: list[dict] = []
        groups: list[tuple[str, list[tuple[int, str]]]] = []
        in_block = False
        for number, line in lines:
            if SEARCH.match(line.strip()):
                in_block = True
            if in_block:  # an edit block's lines are the reply's, whatever they start with
                kind = "ai"
                in_block = not REPLACE.match(line.strip())
            elif line.startswith("#### "):
                kind = "user"
            else:
                kind = "tool" if line.startswith("> ") or line == ">" else "ai"
            text = line[5:] if kind == "user" else line[1:].lstrip() if kind == "tool" else line
            if groups and groups[-1][0] == kind:
                groups[-1][1].append((number, text))
            elif kind == "ai" and not line.strip() and groups and groups[-1][0] != "ai":
                continue  # blank lines between blocks
            else:
                groups.append((kind, [(number, text)]))
        task = ""
        for kind, group in groups:
            text = "\n".join(t for _, t in group).strip()
            if kind == "user":
                task = task or text
                conversation.append(turn("User", text, "observation", role="user"))
            elif kind == "tool":
                if text:
                    conversation.append(turn("Aider", text, "observation"))
            else:
                prose, edits = _edits(path, group)
                if prose:
                    conversation.append(turn("Agent", prose, "answer", role="assistant"))
                conversation.extend(action("edit", e) for e in edits)
        edits = sum(1 for t in conversation if t.get("tool") == "edit")
        return item(
            trace_id,
            task,
            conversation,
            agent_name="aider",
            metadata={"started": started, "edits": edits},
        )
