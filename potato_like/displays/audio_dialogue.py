"""`audio_dialogue`: a diarized transcript played against its recording.

The value is a mapping with the audio (`audio_key`, a media value) and the turns
(`turns_key`): mappings with `speaker`, `text`, `start` and `end` (seconds). Each turn has a
play button that plays just that turn; the turn being played is highlighted. The `speakers`
roster gives speakers a name, a colour and a side. Transcript files named by path (Potato
reads 21 formats) are not read yet: the page says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from .base import Display, Option, as_text, styles
from .dialogue import SPEAKER_COLOURS
from .registry import register

_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{3,8}$")
SPEAKER_KEYS = ("id", "name", "color", "side")


@register("audio_dialogue")
class AudioDialogue(Display):
    description = "A diarized transcript with its audio: play one turn, follow the playback"
    supports_span_target = True  # in Potato; spans here work on the text_key text only
    options = {
        "audio_key": Option("audio", "str"),
        "turns_key": Option("turns", "str"),
        "speaker_key": Option("speaker", "str"),
        "text_key": Option("text", "str"),
        "speakers": Option((), "raw"),
        "scroll_height": Option("480px", "length"),
        "show_timestamps": Option(True),
        "playback_rates": Option((1, 1.25, 1.5, 2), "number_list"),
    }
    later = {
        "allow_speaker_assignment": "speaker assignment",
        "transcript_is_path": "transcript files",
    }

    def read_options(self, reader: ConfigReader) -> dict[str, Any]:
        options = super().read_options(reader)
        options["speakers"] = _roster(reader, options["speakers"])
        return options

    def view(self, value: Any, options, context) -> dict:
        value = value if isinstance(value, Mapping) else {}
        roster = {s["id"]: s for s in options["speakers"]}
        raw_turns = value.get(options["turns_key"])
        colours: dict[str, int] = {s["id"]: i for i, s in enumerate(options["speakers"])}
        turns = []
        for i, raw in enumerate(raw_turns if isinstance(raw_turns, list) else []):
            raw = raw if isinstance(raw, Mapping) else {options["text_key"]: raw}
            speaker = as_text(raw.get(options["speaker_key"], ""))
            start, end = _seconds(raw.get("start")), _seconds(raw.get("end"))
            entry = roster.get(speaker, {})
            colour = colours.setdefault(speaker, len(colours))
            turns.append(
                {
                    "index": i,
                    "speaker": entry.get("name") or speaker or None,
                    "text": as_text(raw.get(options["text_key"], "")),
                    "start": start,
                    "end": end if end is not None and start is not None and end > start else None,
                    "time": _clock(start, end) if options["show_timestamps"] else None,
                    "colour": colour % SPEAKER_COLOURS,
                    "side": entry.get("side") or ("left" if colour % 2 == 0 else "right"),
                    "styles": {"--speaker": entry["color"]} if entry.get("color") else {},
                }
            )
        return {
            "audio": context.media_url(value.get(options["audio_key"])),
            "raw_audio": as_text(value.get(options["audio_key"], "")),
            "turns": turns,
            "transcript_path": isinstance(raw_turns, str),
            "rates": [f"{r:g}" for r in options["playback_rates"]],
            "styles": styles(maxHeight=options["scroll_height"]),
        }


def _roster(reader: ConfigReader, raw: Any) -> tuple[dict, ...]:
    if raw in ((), None):
        return ()
    if not isinstance(raw, list):
        reader.problem("speakers", "must be a list of {id, name, color, side}")
        return ()
    out = []
    for i, entry in enumerate(raw):
        where = f"{reader.key_path('speakers')}[{i}]"
        if not isinstance(entry, Mapping) or entry.get("id") is None:
            reader.problems.append(f"{where}: must be a mapping with an id")
            continue
        sub = ConfigReader(entry, where, reader.problems, reader.warnings)
        sub.warn_unknown(SPEAKER_KEYS)
        color = sub.str("color", None)
        if color is not None and not _HEX_COLOUR.match(color):
            sub.problem("color", f"must be a colour like '#7c3aed', got {color!r}")
            color = None
        out.append(
            {
                "id": as_text(entry["id"]),
                "name": sub.str("name", None),
                "color": color,
                "side": sub.str("side", None, choices=("left", "right")),
            }
        )
    return tuple(out)


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None


def _clock(start: float | None, end: float | None) -> str | None:
    def fmt(t: float) -> str:
        return f"{int(t // 60)}:{int(t % 60):02d}"

    if start is None:
        return None
    return f"{fmt(start)}\u2013{fmt(end)}" if end is not None and end > start else fmt(start)
