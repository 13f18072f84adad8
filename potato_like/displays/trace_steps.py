"""Agent traces as a flat list of typed steps, shared by the trace displays (`agent_trace`,
`eval_trace`, `cot_trace`) and the step-level annotation types.

Accepted shapes (Potato's): one string (one observation); a list of strings (type guessed
from the text); mappings with a speaker and text (type from `step_type` or guessed from the
speaker); mappings with `thought`/`action`/`observation` (one mapping, up to three steps);
mappings with `step_type` and `content`. `{"steps": [...]}` and `{"turns": [...]}` wrap a list.

Every step gets a stable id: the data's `step_id` or `turn_id` when present and unique,
otherwise `s<n>` from its position (n counts from 0). Annotations bind to these ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .base import as_text

STEP_TYPES = ("thought", "action", "observation", "system", "error", "answer")

_SPEAKER_TYPES = (
    ("error", re.compile(r"error|fail|exception", re.I)),
    ("thought", re.compile(r"thought|reasoning|planning|think", re.I)),
    ("action", re.compile(r"action|tool|function|call|execute", re.I)),
    ("observation", re.compile(r"observation|environment|result|output|response", re.I)),
    ("system", re.compile(r"system|info|metadata", re.I)),
)
_CALL = re.compile(r"^\s*[A-Za-z_][\w.]*\(.*\)\s*$", re.S)
_THINKING = ("i need to", "i should", "let me think", "my plan", "first,", "let me")
# Identity keys kept from the data (turn-level annotations and multi-agent views use them).
PASSTHROUGH = ("agent_id", "role", "addressee", "tool", "run_id")


def type_from_speaker(speaker: str) -> str:
    for name, pattern in _SPEAKER_TYPES:
        if pattern.search(speaker):
            return name
    return "observation"


def type_from_text(text: str) -> str:
    if text.lower().startswith(_THINKING):
        return "thought"
    if _CALL.match(text):
        return "action"
    return "observation"


def action_text(action: Any) -> str:
    """A structured action `{"tool": "search", "params": {...}}` as `search(q='x')`."""
    if isinstance(action, Mapping):
        tool = as_text(action.get("tool", action.get("name", "")))
        params = action.get("params", action.get("parameters", action.get("arguments", {})))
        if isinstance(params, Mapping):
            args = ", ".join(f"{k}={v!r}" for k, v in params.items())
        else:
            args = as_text(params)
        return f"{tool}({args})"
    return as_text(action)


def unwrap(value: Any) -> Any:
    if isinstance(value, Mapping):
        for key in ("steps", "turns", "trace", "messages"):
            if isinstance(value.get(key), list):
                return value[key]
    return value


def normalize_steps(value: Any, speaker_key: str = "speaker", text_key: str = "text") -> list:
    """The steps of a trace value (see the module docstring), each a dict with `id`, `index`,
    `type`, `speaker`, `text` and optional `timestamp`, `screenshot` and identity keys."""
    value = unwrap(value)
    if isinstance(value, str):
        raw = [_step("observation", "", value)]
    elif isinstance(value, list):
        raw = []
        for entry in value:
            raw.extend(_steps_of(entry, speaker_key, text_key))
    elif value is None:
        raw = []
    else:
        raw = [_step("observation", "", as_text(value))]
    return _number(raw)


def _steps_of(entry: Any, speaker_key: str, text_key: str) -> list[dict]:
    if not isinstance(entry, Mapping):
        text = as_text(entry)
        return [_step(type_from_text(text), "", text)]
    speaker = entry.get(speaker_key, entry.get("speaker", entry.get("agent", entry.get("role"))))
    text = entry.get(text_key, entry.get("text", entry.get("content")))
    if any(k in entry for k in ("thought", "action", "observation", "result")) and text is None:
        steps = []
        who = as_text(speaker) if speaker is not None else "Agent"
        if entry.get("thought"):
            steps.append(_step("thought", f"{who} (Thought)", as_text(entry["thought"]), entry))
        if entry.get("action"):
            steps.append(_step("action", f"{who} (Action)", action_text(entry["action"]), entry))
        observed = entry.get("observation", entry.get("result"))
        if observed:
            steps.append(_step("observation", "Environment", as_text(observed), entry))
        for step in steps[1:]:
            step.pop("given_id", None)  # one source id cannot name several steps
        return steps
    step_type = entry.get("step_type", entry.get("type"))
    if not isinstance(step_type, str) or step_type not in STEP_TYPES:
        step_type = (
            type_from_speaker(as_text(speaker)) if speaker else type_from_text(as_text(text))
        )
    if speaker is None:
        speaker = step_type.capitalize()
    return [_step(step_type, as_text(speaker), as_text(text), entry)]


def _step(step_type: str, speaker: str, text: str, source: Mapping | None = None) -> dict:
    step = {"type": step_type, "speaker": speaker, "text": text}
    if source is None:
        return step
    given = source.get("step_id", source.get("turn_id", source.get("id")))
    if given is not None and given != "":
        step["given_id"] = as_text(given)
    for key in ("timestamp", "screenshot"):
        if source.get(key) not in (None, ""):
            step[key] = as_text(source[key])
    for key in PASSTHROUGH:
        if source.get(key) not in (None, ""):
            step[key] = as_text(source[key])
    return step


def _number(steps: list[dict]) -> list[dict]:
    given = [s.get("given_id") for s in steps]
    unique = all(given) and len(set(given)) == len(given)
    for index, step in enumerate(steps):
        gid = step.pop("given_id", None)
        step["index"] = index
        step["number"] = index + 1
        step["id"] = gid if unique else f"s{index}"
    return steps
