"""`coding_trace`: a coding agent's session (Claude Code, Aider, SWE-agent style): user
messages, the assistant's reasoning, and its tool calls shown by kind: edits as diffs,
shell commands as terminal blocks, file reads and writes as highlighted code (Pygments,
by file name), anything else as JSON. A file list sums up the files touched.

Turns are `{"role", "content", "tool_calls": [{"tool", "input", "output"}]}`; Anthropic
content blocks (`text`, `tool_use`) are read too. Each tool call is a step with a stable
id (`t<turn>.<call>`, or the call's own `id`).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

from .base import Display, Option, as_text
from .highlight import highlighted_lines
from .registry import register

EDIT_TOOLS = {"edit", "multiedit", "str_replace", "str_replace_editor", "apply_patch", "patch"}
WRITE_TOOLS = {"write", "create", "create_file", "write_file"}
SHELL_TOOLS = {"bash", "shell", "terminal", "run", "execute", "exec", "command"}
READ_TOOLS = {"read", "view", "cat", "open", "read_file", "grep", "glob", "search", "find"}


def tool_kind(name: str) -> str:
    low = name.lower()
    for kind, names in (
        ("edit", EDIT_TOOLS),
        ("write", WRITE_TOOLS),
        ("shell", SHELL_TOOLS),
        ("read", READ_TOOLS),
    ):
        if low in names:
            return kind
    return "other"


@register("coding_trace")
class CodingTrace(Display):
    description = "A coding agent's session: diffs, terminal output, highlighted code, file list"
    options = {
        "show_file_tree": Option(True),
        "diff_view": Option("unified", "choice", ("unified", "side_by_side")),
        "collapse_long_outputs": Option(True),
        "max_output_lines": Option(50, "int"),
        "terminal_theme": Option("dark", "choice", ("dark", "light")),
        "show_step_numbers": Option(True),
        "show_tool_badges": Option(True),
        "show_reasoning": Option(True),
        "compact": Option(False),
    }

    def view(self, value: Any, options, context) -> dict:
        raw_turns = value if isinstance(value, list) else [value]
        turns, files, number = [], {}, 0
        for t, raw in enumerate(raw_turns):
            turn = _turn(raw)
            calls = []
            for c, call in enumerate(turn["tool_calls"]):
                number += 1
                calls.append(_call(call, t, c, number, options, files))
            turns.append({**turn, "index": t, "calls": calls})
        return {
            "turns": turns,
            "files": sorted(files.items()),
            "show_files": options["show_file_tree"] and bool(files),
            "numbers": options["show_step_numbers"],
            "badges": options["show_tool_badges"],
            "reasoning": options["show_reasoning"],
            "theme": options["terminal_theme"],
            "side_by_side": options["diff_view"] == "side_by_side",
            "calls": number,
        }


def _turn(raw: Any) -> dict:
    if not isinstance(raw, Mapping):
        return {"role": "assistant", "content": as_text(raw), "tool_calls": []}
    role = as_text(raw.get("role", "assistant"))
    content = raw.get("content", raw.get("reasoning", raw.get("text", "")))
    calls = [c for c in raw.get("tool_calls") or [] if isinstance(c, Mapping)]
    if isinstance(content, list):  # Anthropic content blocks
        texts = []
        for block in content:
            if not isinstance(block, Mapping):
                texts.append(as_text(block))
            elif block.get("type") == "tool_use":
                calls.append(
                    {
                        "tool": block.get("name"),
                        "input": block.get("input", {}),
                        "id": block.get("id"),
                    }
                )
            else:
                texts.append(as_text(block.get("text", "")))
        content = "\n".join(t for t in texts if t)
    return {"role": role, "content": as_text(content), "tool_calls": calls}


def _call(call: Mapping, t: int, c: int, number: int, options, files: dict) -> dict:
    tool = as_text(call.get("tool", call.get("name", "tool")))
    args = call.get("input", call.get("arguments", call.get("args", {})))
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError:
            args = {"command": args}
    if not isinstance(args, Mapping):
        args = {"value": args}
    kind = tool_kind(tool)
    path = as_text(args.get("file_path", args.get("path", args.get("filename", "")))) or None
    if path:
        files[path] = files.get(path, 0) + 1
    output = as_text(call.get("output", call.get("result", "")))
    view = {
        "id": as_text(call["id"]) if call.get("id") else f"t{t}.{c}",
        "number": number,
        "tool": tool,
        "kind": kind,
        "path": path,
        "output": _clamp(output, options),
        "output_lines": highlighted_lines(_strip(output), filename=path)
        if kind == "read"
        else None,
    }
    if kind == "edit":
        old = as_text(args.get("old_string", args.get("old_str", "")))
        new = as_text(args.get("new_string", args.get("new_str", "")))
        view["diff"] = _diff(old, new, path, options["diff_view"] == "side_by_side")
    elif kind == "write":
        content = _strip(as_text(args.get("content", args.get("file_text", ""))))
        view["code_lines"] = highlighted_lines(content, filename=path)
    elif kind == "shell":
        view["command"] = as_text(args.get("command", args.get("cmd", "")))
    elif kind != "read":
        view["args"] = json.dumps(dict(args), ensure_ascii=False, indent=2)
    return view


def _strip(text: str) -> str:
    return text[:-1] if text.endswith("\n") else text


def _clamp(text: str, options) -> dict:
    lines = _strip(text).split("\n")
    limit = options["max_output_lines"]
    long = bool(options["collapse_long_outputs"] and limit and len(lines) > limit)
    return {
        "text": text,
        "head": "\n".join(lines[:limit]) if long else text,
        "long": long,
        "hidden": len(lines) - limit if long else 0,
    }


def _diff(old: str, new: str, path: str | None, side_by_side: bool) -> dict:
    old_lines, new_lines = _strip(old).split("\n"), _strip(new).split("\n")
    if side_by_side:
        rows = []
        matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            left, right = old_lines[i1:i2], new_lines[j1:j2]
            for k in range(max(len(left), len(right))):
                rows.append(
                    {
                        "tag": tag,
                        "old": left[k] if k < len(left) else None,
                        "new": right[k] if k < len(right) else None,
                    }
                )
        return {"rows": rows}
    lines = []
    for line in difflib.unified_diff(
        old_lines, new_lines, path or "a", path or "b", lineterm="", n=3
    ):
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "ctx")
        if line.startswith(("+++", "---")):
            kind = "file"
        lines.append({"kind": kind, "text": line})
    return {"lines": lines}
