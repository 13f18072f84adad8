"""`eval_trace`: one agent trace split into three panes, Reasoning | Function Calls | Final
Answer; an observation is shown under the call before it. Steps keep the ids of
`trace_steps` so annotations bind to them as in `agent_trace`.
"""

from __future__ import annotations

import re
from typing import Any

from .base import Display, Option
from .registry import register
from .trace_steps import normalize_steps

ANSWER = re.compile(r"final[\s_]*answer|send[\s_]*message|respond|finish|submit|conclusion", re.I)
PANE_LABELS = ("Reasoning", "Function Calls", "Final Answer")


@register("eval_trace")
class EvalTrace(Display):
    description = "A trace in three panes: reasoning, function calls (with results), final answer"
    options = {
        "pane_labels": Option(PANE_LABELS, "str_list"),
        "show_step_numbers": Option(True),
        "collapse_long_outputs": Option(True),
        "max_output_lines": Option(20, "int"),
        "compact": Option(False),
        "speaker_key": Option("speaker", "str"),
        "text_key": Option("text", "str"),
    }
    later = {"link_steps": "highlighting linked cards across panes"}

    def view(self, value: Any, options, context) -> dict:
        steps = normalize_steps(value, options["speaker_key"], options["text_key"])
        answer = next(
            (s for s in reversed(steps) if ANSWER.search(s["speaker"] + " " + s.get("tool", ""))),
            None,
        )
        if answer is None and steps and steps[-1]["type"] in ("action", "answer"):
            answer = steps[-1]
        reasoning, calls = [], []
        max_lines = options["max_output_lines"]
        for step in steps:
            if step is answer:
                continue
            if step["type"] == "observation" and calls:
                calls[-1]["results"].append(_clamped(step, max_lines, options))
            elif step["type"] in ("action", "observation"):
                calls.append({**_clamped(step, max_lines, options), "results": []})
            else:
                reasoning.append(step)
        labels = list(options["pane_labels"]) + list(PANE_LABELS[len(options["pane_labels"]) :])
        return {
            "labels": labels[:3],
            "reasoning": reasoning,
            "calls": calls,
            "answer": answer,
            "numbers": options["show_step_numbers"],
            "count": len(steps),
        }


def _clamped(step: dict, max_lines: int, options) -> dict:
    lines = step["text"].split("\n")
    long = options["collapse_long_outputs"] and max_lines and len(lines) > max_lines
    return {**step, "head": "\n".join(lines[:max_lines]) if long else step["text"], "long": long}
