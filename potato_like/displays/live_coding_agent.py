"""`live_coding_agent`: the annotator starts a coding agent on the item and watches it read,
write and (where the admin allowed it) run commands in a sandbox directory of its own,
pausing, stopping or instructing it. The run is kept as a trace (live_agents/runs.py).
"""

from __future__ import annotations

from .base import Option
from .live_agent import LiveAgent
from .registry import register


@register("live_coding_agent")
class LiveCodingAgent(LiveAgent):
    description = "Watch and steer a coding agent live in a sandbox directory; kept as a trace"
    kind = "live_coding_agent"
    template = "displays/live_agent.html"  # the same panel; `kind` picks the endpoints
    options = {
        "show_reasoning": Option(True),
        "show_controls": Option(True),
        "allow_instructions": Option(True),
        "show_file_tree": Option(True),
    }
    later = {
        "task_field": "choosing the task field (the item's text is the task)",
        "collapse_long_outputs": "collapsing outputs (they are capped at 20,000 characters)",
        "max_output_lines": "collapsing outputs (they are capped at 20,000 characters)",
    }

    def view(self, value, options, context) -> dict:
        out = super().view(value, {**options, "show_thought": options["show_reasoning"]}, context)
        out["file_tree"] = options["show_file_tree"]
        return out
