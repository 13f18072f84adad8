"""Potato's own trace items, as its converters write them and its examples ship them:
`{"id", "task_description", "conversation": [{"speaker", "text", ...}], ...}` (the canonical
trace), and the step-list shape of its agent-trace examples `{"id", "steps" | "trace":
[...]}`. Checked and passed through, so a file mixing formats can be merged into one data
file; the turns keep every key they carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .registry import Record, TraceFormat, register

TRACE_KEYS = ("conversation", "steps", "trace")


@register
class PotatoTrace(TraceFormat):
    name = "potato"
    aliases = ("canonical",)
    description = "Potato's canonical trace items (conversation / steps / trace lists)"
    detect_order = 10

    def detect(self, value: Any) -> bool:
        return (
            isinstance(value, Mapping)
            and any(isinstance(value.get(k), list) for k in TRACE_KEYS)
            and "messages" not in value
            and "run_type" not in value
        )

    def convert_one(self, record: Record, n: int) -> dict:
        value = record.value
        if not isinstance(value, Mapping):
            raise record.error("expected an object with a conversation list (Potato trace)")
        key = next((k for k in TRACE_KEYS if k in value), None)
        if key is None or not isinstance(value[key], list):
            raise record.error("expected a 'conversation' (or 'steps' / 'trace') list")
        for i, step in enumerate(value[key]):
            if isinstance(step, Mapping):
                if key == "conversation" and ("speaker" not in step or "text" not in step):
                    raise record.error(f"conversation turn {i + 1} needs speaker and text")
            elif not isinstance(step, str):
                raise record.error(f"{key} entry {i + 1} must be an object or text")
        out = dict(value)
        if out.get("id") is not None:
            out["id"] = str(out["id"])
        return out
