"""Shared parts of the time-based annotation types (audio, video, tiers, grounding): a JSON
value carried in one hidden input, as Potato's clients send it (`"schema:_data": "{...}"`),
validated and stored in a canonical form.

Types built on this expose `timeline_tiers(label_map)` — named lists of
`(start, end, label)` intervals — which the ELAN, TextGrid, WebVTT and SRT exporters read,
and may expose `tracks(label_map)` (boxes per frame) for MOT. Exporters ask for these
methods and never name a type.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping
from typing import Any

from ..app_path import app_path
from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from ..media.paths import media_kind
from .base import Scheme

DATA_KEY = "_data"
MAX_ENTRIES = 10_000
MAX_JSON = 2_000_000
MAX_ID = 200
MAX_NOTE = 2_000
DURATION_SLACK = 0.05  # seconds a segment may reach past the known duration (rounding)


class TimelineScheme(Scheme):
    """A scheme whose whole answer is one JSON object in the label `_data`."""

    structured = False
    stylesheet = "css/media-annotation.css"  # linked by pages that show the scheme
    agreement_skip_reason = "time-based annotations have no agreement measure yet"
    json_list = False  # the answer is a JSON list (Potato's shape for some types)

    def __init__(self, reader: ConfigReader, index: int, task_dir) -> None:
        self.media_src: str | None = None  # per page (for_page)
        super().__init__(reader, index, task_dir)

    # -- config helpers -------------------------------------------------------------------
    def read_source(self, reader: ConfigReader) -> None:
        self.source_field = reader.str("source_field", "", allow_empty=True) or ""

    def read_segment_limits(self, reader: ConfigReader) -> None:
        self.min_segments = reader.number("min_segments", 0, integer=True, minimum=0)
        raw_max = reader.raw.get("max_segments")
        self.max_segments = (
            None
            if raw_max is None
            else reader.number("max_segments", None, integer=True, minimum=1)
        )

    # -- page ---------------------------------------------------------------------------
    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        value = fields.get(self.source_field) if getattr(self, "source_field", "") else None
        src = media_src(value)
        if src is None:
            return self
        page = copy.copy(self)
        page.media_src = src
        return page

    # -- values -------------------------------------------------------------------------
    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        # Potato's clients send the JSON under `_data` or, for some types, under the
        # schema's own name; both are stored under `_data`.
        unknown = [k for k in label_map if k not in (DATA_KEY, self.name)]
        if unknown:
            raise BadAnnotation(
                f"{self.name}: send the annotation as {self.name}:{DATA_KEY}, not {unknown[0]!r}"
            )
        raw = label_map[self.name] if self.name in label_map else label_map.get(DATA_KEY)
        if raw is None or raw == "":
            return {}
        data = parse_json(self.name, raw, allow_list=self.json_list)
        clean = self.clean_data(data)
        if clean is None:
            return {}
        return {DATA_KEY: json.dumps(clean, separators=(",", ":"), sort_keys=True)}

    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        """A request's value replaces the stored one whole (it is one JSON document)."""
        return self.normalize(incoming)

    def clean_data(self, data: Any) -> Any:
        """The canonical answer, a JSON object (a list for `json_list` types; None: empty),
        or BadAnnotation."""
        raise NotImplementedError

    def data(self, label_map: Mapping[str, str] | None) -> Any:
        raw = (label_map or {}).get(DATA_KEY)
        return json.loads(raw) if raw else ([] if self.json_list else {})

    def answer(self, label_map: Mapping[str, str]) -> Any:
        return self.data(label_map) or None

    def answer_map(self, value: Any) -> dict[str, Any]:
        if isinstance(value, (dict, list)):
            return {DATA_KEY: json.dumps(value if isinstance(value, dict) else {"segments": value})}
        return {DATA_KEY: value}

    def from_answer(self, value: Any) -> dict[str, str]:
        if isinstance(value, Mapping) and DATA_KEY not in value:
            return self.normalize({DATA_KEY: json.dumps(value)})
        return super().from_answer(value)

    def table_keys(self) -> list[str]:
        return []

    def timeline_tiers(self, label_map: Mapping[str, str]) -> dict[str, list[tuple]]:
        """{tier name: [(start, end, label), ...]} for interval exports."""
        return {}

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "value_key": DATA_KEY}


def media_src(value: Any) -> str | None:
    """The URL a page loads a media value from: remote and site URLs as given, project
    paths under /project_files/; None for anything else."""
    kind = media_kind(value)
    if kind == "remote":
        return value.strip()
    if kind == "site":
        return app_path(value.strip())
    if kind == "project":
        return app_path(f"/project_files/{value.strip()}")
    return None


def parse_json(name: str, raw: Any, *, allow_list: bool = False) -> Any:
    if isinstance(raw, Mapping):
        return dict(raw)
    if allow_list and isinstance(raw, list):
        return raw
    if not isinstance(raw, str):
        raise BadAnnotation(f"{name}: the annotation must be a JSON object")
    if len(raw) > MAX_JSON:
        raise BadAnnotation(f"{name}: the annotation is larger than {MAX_JSON} characters")
    try:
        data = json.loads(raw)
    except ValueError:
        raise BadAnnotation(f"{name}: the annotation is not valid JSON") from None
    if allow_list and isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise BadAnnotation(f"{name}: the annotation must be a JSON object")
    return data


def seconds(name: str, where: str, value: Any, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadAnnotation(f"{name}: {where} must be a number of seconds, got {value!r}")
    if value < 0:
        raise BadAnnotation(f"{name}: {where} must not be negative")
    return round(float(value), 3)


def short_text(name: str, where: str, value: Any, limit: int = MAX_ID) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value) > limit:
        raise BadAnnotation(f"{name}: {where} must be a string of at most {limit} characters")
    return value


def entry_list(name: str, where: str, value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadAnnotation(f"{name}: {where} must be a list")
    if len(value) > MAX_ENTRIES:
        raise BadAnnotation(f"{name}: {where} has more than {MAX_ENTRIES} entries")
    return value


def small_mapping(name: str, where: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BadAnnotation(f"{name}: {where} must be an object")
    if len(json.dumps(value)) > 20_000:
        raise BadAnnotation(f"{name}: {where} is too large")
    return dict(value)


def clean_segments(
    scheme: Scheme,
    raw: Any,
    *,
    duration: float | None,
    label_required: bool,
    extra_int_keys: tuple[str, ...] = (),
    where: str = "segments",
) -> list[dict[str, Any]]:
    """`[{id, start_time, end_time, label, annotations}]` checked: end > start, inside the
    duration when known, labels from the scheme, unique ids; sorted by start time."""
    name = scheme.name
    out = []
    seen: set[str] = set()
    for i, seg in enumerate(entry_list(name, where, raw)):
        at = f"{where}[{i}]"
        if not isinstance(seg, Mapping):
            raise BadAnnotation(f"{name}: {at} must be an object")
        seg_id = short_text(name, f"{at}.id", seg.get("id") or f"segment_{i + 1}")
        if seg_id in seen:
            raise BadAnnotation(f"{name}: {at}.id {seg_id!r} is used twice")
        seen.add(seg_id)
        start = seconds(name, f"{at}.start_time", seg.get("start_time"))
        end = seconds(name, f"{at}.end_time", seg.get("end_time"))
        if end <= start:
            raise BadAnnotation(f"{name}: {at} ends ({end}) before or where it starts ({start})")
        if duration is not None and end > duration + DURATION_SLACK:
            raise BadAnnotation(f"{name}: {at} ends at {end}, after the media's end ({duration})")
        label = seg.get("label")
        if label is None or label == "":
            if label_required:
                raise BadAnnotation(f"{name}: {at} needs a label")
            label = None
        elif not isinstance(label, str) or label not in scheme.label_names:
            raise scheme.unknown_label(str(label))
        entry = {
            "id": seg_id,
            "start_time": start,
            "end_time": end,
            "label": label,
            "annotations": small_mapping(name, f"{at}.annotations", seg.get("annotations")),
        }
        for key in extra_int_keys:
            value = seg.get(key)
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise BadAnnotation(f"{name}: {at}.{key} must be a frame number")
                entry[key] = value
        out.append(entry)
    out.sort(key=lambda s: (s["start_time"], s["end_time"], s["id"]))
    return out


def known_duration(name: str, data: Mapping[str, Any], *keys: str) -> float | None:
    """The media duration the client reported (`duration`, or `video_metadata.duration`)."""
    for key in keys:
        holder: Any = data
        for part in key.split("."):
            holder = holder.get(part) if isinstance(holder, Mapping) else None
        if holder is not None:
            value = seconds(name, key, holder)
            return value if value and value > 0 else None
    return None
