"""`annotation_type: video_annotation` — time segments, frame classifications, keyframes
and object tracks (boxes at keyframes, interpolated between them) on a video.

Stored as Potato's client sends it: `{"_data": "<json>"}` with `segments`
(`{id, start_time, end_time, start_frame, end_frame, label, annotations}`),
`frame_annotations` (`{frame: {id, frame, time, label}}`), `keyframes`
(`[{id, frame, time, label, note}]`), `tracking`
(`{object id: {id, label, color, keyframes: {frame: {frame, time, bbox: {x, y, width,
height}}}}}`) and `video_metadata` (`{duration, fps, width, height}`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from ..media.paths import local_media_file
from .audio_annotation import DEFAULT_COLORS
from .registry import register
from .timeline import (
    DATA_KEY,
    TimelineScheme,
    clean_segments,
    entry_list,
    known_duration,
    seconds,
    short_text,
)

MODES = ("segment", "frame", "keyframe", "tracking", "combined")
INTERPOLATIONS = ("linear", "none")
MAX_FRAME = 10_000_000


@register("video_annotation")
class VideoAnnotation(TimelineScheme):
    macro = "schemes/video_annotation.html"
    script = "js/video-annotation.js"
    option_keys = (
        "labels",
        "mode",
        "min_segments",
        "max_segments",
        "timeline_height",
        "zoom_enabled",
        "playback_rate_control",
        "frame_stepping",
        "show_timecode",
        "video_fps",
        "tracking_options",
        "source_field",
        "sequential_key_binding",
        "propagation",
    )

    def parse_options(self, reader: ConfigReader) -> None:
        self.mode = reader.str("mode", "segment", choices=MODES)
        self.read_labels(reader, required=self.mode != "tracking")
        self.read_segment_limits(reader)
        self.read_source(reader)
        self.timeline_height = reader.number("timeline_height", 70, integer=True, minimum=30)
        self.zoom_enabled = reader.bool("zoom_enabled", True)
        self.playback_rate_control = reader.bool("playback_rate_control", False)
        self.frame_stepping = reader.bool("frame_stepping", True)
        self.show_timecode = reader.bool("show_timecode", True)
        self.video_fps = float(reader.number("video_fps", 30, minimum=0.001, maximum=1000))
        tracking = reader.child("tracking_options")
        tracking.warn_unknown(("interpolation", "auto_advance_frames", "show_trajectories"))
        self.interpolation = tracking.str("interpolation", "linear", choices=INTERPOLATIONS)
        self.auto_advance = tracking.number("auto_advance_frames", 1, integer=True, minimum=1)
        self.assign_keys(reader.bool("sequential_key_binding", False))
        if reader.has("propagation"):
            reader.warn(
                "propagation",
                "automatic propagation is not implemented; boxes are interpolated between "
                "the keyframes an annotator draws",
            )

    def page_config(self) -> dict[str, Any]:
        return {
            "schema": self.name,
            "mode": self.mode,
            "labels": [
                {
                    "name": label.name,
                    "text": label.shown,
                    "key": label.key,
                    "color": label.color or DEFAULT_COLORS[i % len(DEFAULT_COLORS)],
                }
                for i, label in enumerate(self.labels)
            ],
            "fps": self.video_fps,
            "minSegments": self.min_segments,
            "maxSegments": self.max_segments,
            "rateControl": self.playback_rate_control,
            "frameStepping": self.frame_stepping,
            "interpolation": self.interpolation,
            "autoAdvance": self.auto_advance,
            "src": self.media_src,
        }

    def _label(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or (self.labels and value not in self.label_names):
            raise (
                self.unknown_label(str(value))
                if isinstance(value, str)
                else BadAnnotation(f"{self.name}: {where} needs a label")
            )
        return value

    def clean_data(self, data: Mapping[str, Any]) -> dict[str, Any] | None:
        name = self.name
        duration = known_duration(name, data, "video_metadata.duration", "duration")
        segments = clean_segments(
            self,
            data.get("segments"),
            duration=duration,
            label_required=True,
            extra_int_keys=("start_frame", "end_frame"),
        )
        if self.max_segments is not None and len(segments) > self.max_segments:
            raise BadAnnotation(f"{name}: at most {self.max_segments} segments")
        frames = {}
        raw_frames = data.get("frame_annotations") or {}
        if not isinstance(raw_frames, Mapping):
            raise BadAnnotation(f"{name}: frame_annotations must be an object")
        for key, entry in raw_frames.items():
            frame = _frame(name, f"frame_annotations[{key!r}]", key)
            if not isinstance(entry, Mapping):
                raise BadAnnotation(f"{name}: frame_annotations[{key!r}] must be an object")
            frames[str(frame)] = {
                "id": f"frame_{frame}",
                "frame": frame,
                "time": seconds(
                    name, f"frame {frame} time", entry.get("time", frame / self.video_fps)
                ),
                "label": self._label(entry.get("label"), f"frame {frame}"),
            }
        keyframes = []
        for i, entry in enumerate(entry_list(name, "keyframes", data.get("keyframes"))):
            if not isinstance(entry, Mapping):
                raise BadAnnotation(f"{name}: keyframes[{i}] must be an object")
            frame = _frame(name, f"keyframes[{i}].frame", entry.get("frame"))
            keyframes.append(
                {
                    "id": short_text(name, f"keyframes[{i}].id", entry.get("id") or f"kf_{i + 1}"),
                    "frame": frame,
                    "time": seconds(
                        name, f"keyframes[{i}].time", entry.get("time", frame / self.video_fps)
                    ),
                    "label": short_text(
                        name, f"keyframes[{i}].label", entry.get("label") or "keyframe"
                    ),
                    "note": short_text(name, f"keyframes[{i}].note", entry.get("note") or "", 2000),
                }
            )
        keyframes.sort(key=lambda k: (k["frame"], k["id"]))
        tracking = self._tracks(data.get("tracking"), data)
        if not (segments or frames or keyframes or tracking):
            return None
        out: dict[str, Any] = {
            "segments": segments,
            "frame_annotations": frames,
            "keyframes": keyframes,
            "tracking": tracking,
        }
        meta = data.get("video_metadata")
        if isinstance(meta, Mapping):
            out["video_metadata"] = {
                k: meta[k]
                for k in ("duration", "fps", "width", "height")
                if isinstance(meta.get(k), (int, float))
                and not isinstance(meta.get(k), bool)
                and math.isfinite(meta[k])
            }
        return out

    def _tracks(self, raw: Any, data: Mapping[str, Any]) -> dict[str, Any]:
        name = self.name
        if raw is None:
            return {}
        if not isinstance(raw, Mapping) or len(raw) > 1000:
            raise BadAnnotation(f"{name}: tracking must be an object of at most 1000 tracks")
        meta = data.get("video_metadata") if isinstance(data.get("video_metadata"), Mapping) else {}
        width, height = meta.get("width"), meta.get("height")
        out = {}
        for obj_id, track in raw.items():
            at = f"tracking[{obj_id!r}]"
            short_text(name, at, obj_id)
            if not isinstance(track, Mapping):
                raise BadAnnotation(f"{name}: {at} must be an object")
            label = track.get("label") or "object"
            if self.labels:
                label = self._label(label, at)
            boxes = track.get("keyframes") or {}
            if not isinstance(boxes, Mapping) or len(boxes) > MAX_FRAME:
                raise BadAnnotation(f"{name}: {at}.keyframes must be an object")
            clean_boxes = {}
            for key, box in boxes.items():
                frame = _frame(name, f"{at}.keyframes[{key!r}]", key)
                bbox = box.get("bbox") if isinstance(box, Mapping) else None
                if not isinstance(bbox, Mapping):
                    raise BadAnnotation(f"{name}: {at} frame {frame} needs a bbox")
                x, y, w, h = (
                    _num(name, f"{at} frame {frame} bbox.{k}", bbox.get(k))
                    for k in ("x", "y", "width", "height")
                )
                if w <= 0 or h <= 0:
                    raise BadAnnotation(f"{name}: {at} frame {frame}: the box has no area")
                if (
                    isinstance(width, (int, float))
                    and isinstance(height, (int, float))
                    and (x < 0 or y < 0 or x + w > width + 1 or y + h > height + 1)
                ):
                    raise BadAnnotation(f"{name}: {at} frame {frame}: the box leaves the frame")
                clean_boxes[str(frame)] = {
                    "frame": frame,
                    "time": seconds(
                        name, f"{at} frame {frame} time", box.get("time", frame / self.video_fps)
                    ),
                    "bbox": {"x": x, "y": y, "width": w, "height": h},
                }
            out[str(obj_id)] = {
                "id": str(obj_id),
                "label": label,
                "color": short_text(name, f"{at}.color", track.get("color") or "", 40),
                "keyframes": clean_boxes,
            }
        return out

    # -- vision pre-annotations (ai/vision/frames.py) --------------------------------------
    @property
    def detects_on_frames(self) -> bool:
        """Tracks are boxes on frames, so a vision detector can pre-annotate them."""
        return self.mode in ("tracking", "combined")

    def local_file(self, source: str) -> Path | None:
        return local_media_file(self.task_dir, source)

    def value_from_tracks(self, tracks: list[Mapping[str, Any]], meta: Mapping[str, Any]):
        """The stored value for detected tracks ([{id, label, keyframes: [{frame, time,
        bbox}]}], boxes in video pixels), checked like an annotator's answer."""
        tracking = {
            str(t["id"]): {
                "id": str(t["id"]),
                "label": t["label"],
                "color": "",
                "keyframes": {str(k["frame"]): dict(k) for k in t["keyframes"]},
            }
            for t in tracks
        }
        video = {k: meta[k] for k in ("duration", "fps", "width", "height") if k in meta}
        value = {"tracking": tracking, "video_metadata": video}
        return self.normalize({DATA_KEY: json.dumps(value)})

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        count = len(self.data(label_map).get("segments", []))
        if self.min_segments and self.mode in ("segment", "combined") and count < self.min_segments:
            return f"at least {self.min_segments} segment(s) are needed, got {count}"
        return super().missing_requirement(label_map)

    def timeline_tiers(self, label_map: Mapping[str, str]) -> dict[str, list[tuple]]:
        data = self.data(label_map)
        tiers = {}
        segments = data.get("segments", [])
        if segments:
            tiers[self.name] = [(s["start_time"], s["end_time"], s["label"]) for s in segments]
        return tiers

    def tracks(self, label_map: Mapping[str, str]) -> list[tuple[str, str, int, dict]]:
        """(track id, label, frame, bbox) for every frame of every track: keyframes as drawn,
        frames between them linearly interpolated (unless `interpolation: none`)."""
        rows = []
        for track in self.data(label_map).get("tracking", {}).values():
            keys = sorted(track["keyframes"].values(), key=lambda k: k["frame"])
            for a, b in zip(keys, [*keys[1:], None], strict=True):
                rows.append((track["id"], track["label"], a["frame"], a["bbox"]))
                if b is None or self.interpolation == "none":
                    continue
                span = b["frame"] - a["frame"]
                for f in range(a["frame"] + 1, b["frame"]):
                    t = (f - a["frame"]) / span
                    box = {
                        k: round(a["bbox"][k] + (b["bbox"][k] - a["bbox"][k]) * t, 3)
                        for k in a["bbox"]
                    }
                    rows.append((track["id"], track["label"], f, box))
        return rows


def _frame(name: str, where: str, value: Any) -> int:
    try:
        frame = int(value) if isinstance(value, str) and value.isdigit() else value
    except ValueError:
        frame = value
    if isinstance(frame, bool) or not isinstance(frame, int) or not 0 <= frame <= MAX_FRAME:
        raise BadAnnotation(f"{name}: {where} must be a frame number")
    return frame


def _num(name: str, where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadAnnotation(f"{name}: {where} must be a number")
    return round(float(value), 3)
