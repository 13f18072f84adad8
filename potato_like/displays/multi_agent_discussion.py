"""`multi_agent_discussion`: a discussion between agents, with a legend of agents (click one
to hide or show its turns), a colour per agent, addressee chips and reply threading.

Turns are mappings with `speaker` and `text` and optionally `agent_id` (the agent; falls
back to the speaker), `role`, `addressee`, `turn_id` and `reply_to`; plain strings
("Name: text") work as in `dialogue`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Display, Option, as_text
from .dialogue import SPEAKER_COLOURS, SPEAKER_PREFIX, set_reply_depths
from .registry import register

ENVIRONMENT_ROLES = ("environment", "system", "tool")


@register("multi_agent_discussion")
class MultiAgentDiscussion(Display):
    description = "A discussion between agents: legend with filter, colours, addressees, threads"
    supports_span_target = True  # in Potato; spans here work on the text_key text only
    options = {
        "show_turn_numbers": Option(False),
        "show_legend": Option(True),
        "show_addressees": Option(True),
        "thread_replies": Option(True),
        "collapse_environment": Option(False),
    }

    def view(self, value: Any, options, context) -> dict:
        raw_turns = value if isinstance(value, list) else [value]
        turns = [_turn(i, raw) for i, raw in enumerate(raw_turns)]
        agents: dict[str, int] = {}
        for turn in turns:
            turn["colour"] = agents.setdefault(turn["agent"], len(agents)) % SPEAKER_COLOURS
            turn["collapsed"] = (
                options["collapse_environment"] and turn["role"] in ENVIRONMENT_ROLES
            )
        if options["thread_replies"]:
            set_reply_depths(turns, 6, id_key="turn_id")
        return {
            "turns": turns,
            "legend": [{"agent": a, "colour": c % SPEAKER_COLOURS} for a, c in agents.items()],
            "show_legend": options["show_legend"],
            "numbers": options["show_turn_numbers"],
            "addressees": options["show_addressees"],
        }


def _turn(index: int, raw: Any) -> dict:
    if isinstance(raw, Mapping):
        speaker = raw.get("speaker", raw.get("agent_id", raw.get("role")))
        agent = raw.get("agent_id", speaker)
        text = raw.get("text", raw.get("content"))
        fields = {k: raw.get(k) for k in ("role", "addressee", "turn_id", "reply_to")}
    else:
        text, speaker = as_text(raw), None
        match = SPEAKER_PREFIX.match(text)
        if match:
            speaker, text = match.group(1).strip(), match.group(2)
        agent, fields = speaker, {}

    def opt(name: str) -> str | None:
        value = fields.get(name)
        return None if value is None else as_text(value)

    return {
        "index": index,
        "number": index + 1,
        "speaker": as_text(speaker) if speaker is not None else "unknown",
        "agent": as_text(agent) if agent is not None else "unknown",
        "text": as_text(text),
        "role": opt("role"),
        "addressee": opt("addressee"),
        "turn_id": opt("turn_id"),
        "reply_to": opt("reply_to"),
        "depth": 0,
    }
