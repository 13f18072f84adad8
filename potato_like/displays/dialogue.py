"""`dialogue`: conversation turns as speaker bubbles, optionally threaded by `reply_to`.

Turns are a list of "Speaker: text" strings or of mappings ({"speaker", "text"}, key names
configurable); a single string is split into lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .base import Display, Option, as_text, styles
from .registry import register

SPEAKER_PREFIX = re.compile(r"^\s*([^:\n]{1,40}):\s+(.*)$", re.DOTALL)
SPEAKER_COLOURS = 6  # CSS classes speaker-0 .. speaker-5


@register("dialogue")
class Dialogue(Display):
    description = "Conversation turns with speakers, turn numbers and reply threading"
    supports_span_target = True
    options = {
        "alternating_shading": Option(True),
        "speaker_extraction": Option(True),
        "speaker_key": Option("speaker", "str"),
        "text_key": Option("text", "str"),
        "show_turn_numbers": Option(False),
        "indent_replies": Option(False),
        "max_indent_depth": Option(6, "int"),
        "reply_to_key": Option("reply_to", "str"),
        "show_timestamps": Option(False),
        "max_height": Option(None, "length"),
    }
    later = {
        "per_turn_ratings": "per-turn rating widgets",
        "show_reply_lines": "thread guide lines",
        "timestamp_format": "timestamp formats",
        "turn_meta_fields": "per-turn metadata chips",
        "meta_key": "per-turn metadata chips",
        "depth_key": "explicit reply depth",
    }

    def view(self, value: Any, options, context) -> dict:
        if isinstance(value, str):
            value = [line for line in value.split("\n") if line.strip()]
        elif not isinstance(value, list):
            value = [value]
        turns = [self._turn(i, raw, options) for i, raw in enumerate(value)]
        if options["indent_replies"]:
            set_reply_depths(turns, min(options["max_indent_depth"], 6))
        speakers: dict[str, int] = {}
        for turn in turns:
            if turn["speaker"]:
                turn["colour"] = speakers.setdefault(turn["speaker"], len(speakers))
                turn["colour"] %= SPEAKER_COLOURS
        return {
            "turns": turns,
            "shaded": options["alternating_shading"],
            "numbers": options["show_turn_numbers"],
            "timestamps": options["show_timestamps"],
            "styles": styles(maxHeight=options["max_height"]),
        }

    def _turn(self, index: int, raw: Any, options) -> dict:
        speaker, text, turn_id, reply_to, time = None, None, None, None, None
        if isinstance(raw, Mapping):
            speaker = raw.get(options["speaker_key"])
            text = raw.get(options["text_key"], raw.get("content"))
            turn_id = raw.get("id")
            reply_to = raw.get(options["reply_to_key"])
            time = raw.get("timestamp", raw.get("time"))
        else:
            text = as_text(raw)
            match = SPEAKER_PREFIX.match(text) if options["speaker_extraction"] else None
            if match:
                speaker, text = match.group(1).strip(), match.group(2)
        return {
            "index": index,
            "number": index + 1,
            "speaker": as_text(speaker) if speaker is not None else None,
            "text": as_text(text),
            "id": None if turn_id is None else str(turn_id),
            "reply_to": None if reply_to is None else str(reply_to),
            "time": as_text(time) if time is not None else None,
            "depth": 0,
            "colour": None,
        }


def set_reply_depths(turns: list[dict], cap: int, id_key: str = "id") -> None:
    """Depth = length of the reply_to chain (cycles and unknown parents stop it)."""
    by_id = {t[id_key]: t for t in turns if t[id_key] is not None}
    for turn in turns:
        depth, seen, parent = 0, set(), turn["reply_to"]
        while parent is not None and parent in by_id and parent not in seen:
            seen.add(parent)
            depth += 1
            parent = by_id[parent]["reply_to"]
        turn["depth"] = min(depth, cap)
