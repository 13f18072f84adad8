"""`annotation_type: voice_interaction` — a spoken user/agent conversation on two lanes;
the overlaps where both talk at once (barge-ins) are found from the item's turns and each is
classified; plus an overall turn-taking rating.

Items carry `turns_key` (a list of `{speaker, start, end, text}`, speaker under
`speaker_key`; speakers in `user_speakers` are the user, all others the agent) and
optionally `audio_key`. Stored as Potato does: `{"overlaps": {index: label}, "rating": n}`,
indexes over the overlaps sorted by start time.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .item_timeline import item_rows
from .registry import register
from .timeline import TimelineScheme, media_src

OVERLAP_LABELS = ("agent_should_respond", "agent_should_resume", "backchannel", "uncertain")
MAX_OVERLAPS = 1000


def overlaps(turns: list[dict[str, Any]], user_speakers: tuple[str, ...]) -> list[dict]:
    """Intervals where a user turn and an agent turn overlap, sorted by start time."""
    timed = [t for t in turns if t["start"] is not None and t["end"] is not None]
    found = []
    for i, a in enumerate(timed):
        for b in timed[i + 1 :]:
            if (a["speaker"].lower() in user_speakers) == (b["speaker"].lower() in user_speakers):
                continue
            start, end = max(a["start"], b["start"]), min(a["end"], b["end"])
            if end > start:
                found.append({"start": start, "end": end, "turns": [a["index"], b["index"]]})
    found.sort(key=lambda o: (o["start"], o["end"], o["turns"]))
    return found[:MAX_OVERLAPS]


@register("voice_interaction")
class VoiceInteraction(TimelineScheme):
    macro = "schemes/voice_interaction.html"
    script = "js/voice-interaction.js"
    option_keys = (
        "turns_key",
        "audio_key",
        "speaker_key",
        "user_speakers",
        "overlap_labels",
        "rating_scale",
    )

    def parse_options(self, reader: ConfigReader) -> None:
        self.turns_key = reader.str("turns_key", "turns")
        self.audio_key = reader.str("audio_key", "audio")
        self.speaker_key = reader.str("speaker_key", "speaker")
        users = reader.string_list("user_speakers") if reader.has("user_speakers") else []
        self.user_speakers = tuple(u.lower() for u in users) or ("user", "human", "caller")
        labels = reader.string_list("overlap_labels") if reader.has("overlap_labels") else []
        self.overlap_labels = tuple(labels) or OVERLAP_LABELS
        self.rating_scale = reader.number("rating_scale", 5, integer=True, minimum=2, maximum=10)
        self.turns: list[dict[str, Any]] = []
        self.overlaps: list[dict[str, Any]] = []

    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        page = copy.copy(self)
        page.media_src = media_src(fields.get(self.audio_key))
        page.turns = item_rows(fields.get(self.turns_key), self.speaker_key)
        for turn in page.turns:
            turn["lane"] = "user" if turn["speaker"].lower() in self.user_speakers else "agent"
        page.overlaps = overlaps(page.turns, self.user_speakers)
        return page

    def page_config(self) -> dict[str, Any]:
        return {"schema": self.name, "src": self.media_src, "turns": self.turns}

    def clean_data(self, data: Any) -> Any:
        raw = data.get("overlaps") or {}
        if not isinstance(raw, Mapping) or len(raw) > MAX_OVERLAPS:
            raise BadAnnotation(f"{self.name}: overlaps must be an object keyed by overlap index")
        chosen = {}
        for key, label in raw.items():
            if not str(key).isdigit() or int(key) >= MAX_OVERLAPS:
                raise BadAnnotation(f"{self.name}: overlap index {key!r} is not a number")
            if label in (None, ""):
                continue
            if label not in self.overlap_labels:
                raise BadAnnotation(
                    f"{self.name}: overlap {key}: {label!r} is not one of "
                    f"{', '.join(self.overlap_labels)}"
                )
            chosen[str(int(key))] = label
        rating = data.get("rating")
        if rating is not None and (
            isinstance(rating, bool)
            or not isinstance(rating, int)
            or not 1 <= rating <= self.rating_scale
        ):
            raise BadAnnotation(f"{self.name}: rating must be 1..{self.rating_scale}")
        if not chosen and rating is None:
            return None
        out: dict[str, Any] = {"overlaps": chosen}
        if rating is not None:
            out["rating"] = rating
        return out
