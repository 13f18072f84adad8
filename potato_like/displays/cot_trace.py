"""`cot_trace`: a long chain of thought as a column of numbered step cards with a rail of
progress dots (one per step, a link to it); long steps are clamped with "Show more".

A plain string is split into steps at blank lines (Potato segments reasoning text the same
way when no segmenter is configured); lists are read by `trace_steps`.
"""

from __future__ import annotations

from typing import Any

from .base import Display, Option
from .registry import register
from .trace_steps import normalize_steps


@register("cot_trace")
class CotTrace(Display):
    description = "A chain of thought as numbered steps with a progress rail; long steps clamped"
    options = {
        "show_step_numbers": Option(True),
        "show_types": Option(True),
        "show_rail": Option(True),
        "collapse_long_steps": Option(True),
        "clamp_lines": Option(12, "int"),
        "compact": Option(False),
        "speaker_key": Option("speaker", "str"),
        "text_key": Option("text", "str"),
    }
    later = {"step_type_colors": "custom step colours (the stylesheet sets them)"}

    def view(self, value: Any, options, context) -> dict:
        if isinstance(value, str):
            value = [part.strip() for part in value.split("\n\n") if part.strip()]
            value = [{"step_type": "thought", "text": p, "speaker": "Step"} for p in value]
        steps = normalize_steps(value, options["speaker_key"], options["text_key"])
        clamp = options["clamp_lines"]
        for step in steps:
            lines = step["text"].split("\n")
            step["long"] = bool(options["collapse_long_steps"] and clamp and len(lines) > clamp)
            step["head"] = "\n".join(lines[:clamp]) if step["long"] else step["text"]
        return {
            "steps": steps,
            "numbers": options["show_step_numbers"],
            "types": options["show_types"],
            "rail": options["show_rail"],
            "compact": options["compact"],
        }
