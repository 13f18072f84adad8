"""`agent_trace`: an agent's run as numbered, typed step cards (thought, action, observation,
system, error), each collapsible, with a summary of the step types.

Steps come from `trace_steps.normalize_steps`; each card carries the step's stable id
(`data-step-id`) so step-level annotation types bind their answers to it. Traces longer than
`LONG_TRACE` steps start with every step closed and are windowed: the steps are sent as JSON
and static/js/displays.js builds only the cards near the view (static/js/windowed.js).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .base import Display, Option
from .registry import register
from .trace_steps import STEP_TYPES, normalize_steps

LONG_TRACE = 200


def trace_view(steps: list[dict], *, collapse_types=(), numbers=True) -> dict:
    """What the shared step-card macro needs (templates/displays/_trace.html)."""
    long = len(steps) > LONG_TRACE
    for step in steps:
        step["open"] = not long and step["type"] not in collapse_types
    counts = Counter(step["type"] for step in steps)
    return {
        "steps": steps,
        "summary": [(t, counts[t]) for t in STEP_TYPES if counts[t]],
        "numbers": numbers,
        "long": long,
    }


@register("agent_trace")
class AgentTrace(Display):
    description = "An agent's steps as typed, collapsible cards with stable step ids"
    options = {
        "show_timestamps": Option(False),
        "collapse_observations": Option(False),
        "show_screenshots": Option(True),
        "show_step_numbers": Option(True),
        "show_summary": Option(True),
        "compact": Option(False),
        "speaker_key": Option("speaker", "str"),
        "text_key": Option("text", "str"),
    }
    later = {
        "step_type_colors": "custom step colours (the stylesheet sets them)",
        "show_run_tree": "the sub-agent run tree",
    }

    def view(self, value: Any, options, context) -> dict:
        steps = normalize_steps(value, options["speaker_key"], options["text_key"])
        collapse = ("observation",) if options["collapse_observations"] else ()
        view = trace_view(steps, collapse_types=collapse, numbers=options["show_step_numbers"])
        for step in steps:
            if options["show_screenshots"] and step.get("screenshot"):
                step["screenshot_url"] = context.media_url(step["screenshot"], image=True)
        if view["long"]:
            # Windowed in the browser (static/js/displays.js builds the cards near the view).
            keys = ("id", "index", "number", "type", "speaker", "text", "agent_id", "tool")
            keys += ("timestamp", "screenshot_url")
            view["cards"] = [{k: s[k] for k in keys if s.get(k) not in (None, "")} for s in steps]
        view.update(
            show_summary=options["show_summary"],
            timestamps=options["show_timestamps"],
            compact=options["compact"],
        )
        return view
