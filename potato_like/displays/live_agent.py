"""`live_agent`: the annotator starts a browsing agent on the item and watches its steps
arrive (thought, action, what the page said), pauses, resumes, stops it or gives it an
instruction. The agent fetches pages as text through the SSRF-guarded fetch; screenshots,
clicking and taking over need a real browser, which this server does not drive. The run
is kept as a trace (live_agents/runs.py); a recorded trace in the field is shown too.
"""

from __future__ import annotations

from typing import Any

from .base import Display, Option
from .registry import register
from .trace_steps import normalize_steps

BROWSER_ONLY = "a real browser (screenshots, overlays, take-over), not driven here"


@register("live_agent")
class LiveAgent(Display):
    description = "Watch and steer a browsing agent live (pages fetched as text); kept as a trace"
    shows_missing_value = True
    kind = "live_agent"
    options = {
        "show_thought": Option(True),
        "show_controls": Option(True),
        "allow_instructions": Option(True),
    }
    later = {
        name: BROWSER_ONLY
        for name in (
            "show_overlays",
            "show_filmstrip",
            "allow_takeover",
            "screenshot_max_width",
            "screenshot_max_height",
            "filmstrip_size",
            "start_url",
            "proxy_mode",
            "record_mouse_path",
            "record_viewport",
            "screenshot_method",
            "max_steps",
        )
    }

    def view(self, value: Any, options, context) -> dict:
        recorded = value.get("steps") if isinstance(value, dict) else value
        steps = normalize_steps(recorded) if isinstance(recorded, list) and recorded else []
        return {
            "kind": self.kind,
            "recorded": steps,
            "show_thought": options.get("show_thought", True),
            "controls": options["show_controls"],
            "instructions": options["allow_instructions"],
        }
