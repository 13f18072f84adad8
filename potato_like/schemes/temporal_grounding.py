"""`annotation_type: temporal_grounding` — for each event prompt of an item, the gold
`[start, end]` interval in its video, shown with its temporal IoU against the model's
predicted interval when the item has one.

Items carry `video_key` (a video URL or project path) and `events_key` (a list of
`{prompt, predicted: {start, end}}`). Stored as `{"_data": "<json>"}` with
`{"events": {"<index>": {"start": s, "end": e}}}` (Potato's shape).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .registry import register
from .timeline import TimelineScheme, media_src, seconds

MAX_EVENTS = 1000


def iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Temporal intersection over union of two intervals (0 when either is empty)."""
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


@register("temporal_grounding")
class TemporalGrounding(TimelineScheme):
    macro = "schemes/temporal_grounding.html"
    script = "js/temporal-grounding.js"
    option_keys = ("video_key", "events_key", "duration")

    def parse_options(self, reader: ConfigReader) -> None:
        self.video_key = reader.str("video_key", "video")
        self.events_key = reader.str("events_key", "events")
        self.duration = float(reader.number("duration", 0, minimum=0))
        self.events: list[dict[str, Any]] = []

    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        page = copy.copy(self)
        page.media_src = media_src(fields.get(self.video_key))
        page.events = page_events(fields.get(self.events_key))
        return page

    def page_config(self) -> dict[str, Any]:
        return {
            "schema": self.name,
            "src": self.media_src,
            "events": self.events,
            "duration": self.duration,
        }

    def clean_data(self, data: Mapping[str, Any]) -> dict[str, Any] | None:
        raw = data.get("events") or {}
        if not isinstance(raw, Mapping) or len(raw) > MAX_EVENTS:
            raise BadAnnotation(f"{self.name}: events must be an object keyed by event index")
        out = {}
        for key, interval in raw.items():
            if not str(key).isdigit() or int(key) >= MAX_EVENTS:
                raise BadAnnotation(f"{self.name}: event index {key!r} is not a number")
            if not isinstance(interval, Mapping):
                raise BadAnnotation(f"{self.name}: event {key} must be {{start, end}}")
            start = seconds(self.name, f"event {key} start", interval.get("start"), allow_none=True)
            end = seconds(self.name, f"event {key} end", interval.get("end"), allow_none=True)
            if start is not None and end is not None and end <= start:
                raise BadAnnotation(f"{self.name}: event {key} ends before it starts")
            if self.duration and end is not None and end > self.duration + 0.05:
                raise BadAnnotation(f"{self.name}: event {key} ends after {self.duration} s")
            if start is not None or end is not None:
                out[str(int(key))] = {"start": start, "end": end}
        return {"events": out} if out else None

    def timeline_tiers(self, label_map: Mapping[str, str]) -> dict[str, list[tuple]]:
        events = self.data(label_map).get("events", {})
        intervals = [
            (v["start"], v["end"], f"event {k}")
            for k, v in sorted(events.items(), key=lambda kv: int(kv[0]))
            if v.get("start") is not None and v.get("end") is not None
        ]
        return {self.name: intervals}


def page_events(raw: Any) -> list[dict[str, Any]]:
    """The item's events as the page shows them: prompt text and the predicted interval
    (dropped when it is not two numbers)."""
    if not isinstance(raw, list):
        return []
    out = []
    for entry in raw[:MAX_EVENTS]:
        entry = entry if isinstance(entry, Mapping) else {"prompt": entry}
        predicted = entry.get("predicted")
        pred = None
        if isinstance(predicted, Mapping):
            try:
                start = seconds("", "", predicted.get("start"))
                end = seconds("", "", predicted.get("end"))
                pred = {"start": start, "end": end} if end > start else None
            except BadAnnotation:
                pred = None
        out.append({"prompt": str(entry.get("prompt", ""))[:2000], "predicted": pred})
    return out
