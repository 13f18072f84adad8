"""`interactive_chat`: a conversation with an agent. A recorded conversation (a list of
turns) is shown as turns; an item without one would need Potato's live agent proxy (the
annotator chats with an agent first), which is not built here: the page says so instead of
pretending to be an agent.
"""

from __future__ import annotations

from typing import Any

from .base import Display, Option
from .dialogue import SPEAKER_COLOURS
from .registry import register
from .trace_steps import normalize_steps


@register("interactive_chat")
class InteractiveChat(Display):
    description = "A recorded chat with an agent; live chatting needs an agent backend (not built)"
    shows_missing_value = True
    options = {
        "placeholder_text": Option("Start chatting with the agent to begin the task.", "str"),
        "show_turn_numbers": Option(True),
        "alternating_shading": Option(True),
    }
    later = {"per_turn_ratings": "per-turn rating widgets"}

    def view(self, value: Any, options, context) -> dict:
        steps = normalize_steps(value) if value else []
        speakers: dict[str, int] = {}
        for step in steps:
            step["colour"] = speakers.setdefault(step["speaker"], len(speakers)) % SPEAKER_COLOURS
        return {
            "turns": steps,
            "live_needed": not steps,
            "placeholder": options["placeholder_text"],
            "numbers": options["show_turn_numbers"],
            "shaded": options["alternating_shading"],
        }
