"""`annotation_type: spectrogram_annotation` — labelled time-frequency boxes drawn on a
spectrogram of the item's audio, computed on the server with librosa
(`POST /api/spectrogram/generate`, media/spectrogram.py).

Wire format (Potato's): one JSON list sent as `"<schema>:<schema>"` (or `"<schema>:_data"`):
`[{"start_s": 1.25, "end_s": 1.9, "low_hz": 2500.0, "high_hz": 6200.0, "label": "..."}]`.
`low_hz`/`high_hz` are both null for a time-only box (a full-height band). Provenance keys
of imported boxes (`source`, `ai_model`, `confidence`, `import_format`, `edited`) are kept.
The server checks each box (positive size, inside the audio's duration and under its
Nyquist frequency when the audio is a project file it can read, a known label) and stores
the list sorted by start time.
"""

from __future__ import annotations

import copy
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from ..media.paths import in_media_dir, media_kind, relative_media_path
from ..media.spectrogram import audio_info
from .registry import register
from .timeline import DURATION_SLACK, TimelineScheme

COLORMAPS = ("viridis", "magma", "grayscale")
FFT_SIZES = (256, 512, 1024, 2048, 4096)
SCALES = ("linear", "mel")
DEFAULT_COLORS = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#9333ea", "#0891b2",
                  "#db2777", "#65a30d", "#ea580c", "#4f46e5")  # fmt: skip
PROVENANCE = {"source": str, "ai_model": str, "import_format": str}
MAX_BOXES = 5000


@register("spectrogram_annotation")
class SpectrogramAnnotation(TimelineScheme):
    macro = "schemes/spectrogram_annotation.html"
    script = "js/spectrogram-annotation.js"
    stylesheet = "css/spectrogram-annotation.css"
    json_list = True
    summarizes_answers = True
    option_keys = (
        "labels",
        "source_field",
        "min_freq",
        "max_freq",
        "fft_size",
        "colormap",
        "height",
        "min_boxes",
        "max_boxes",
        "instructions",
        # ours: the frequency axis and the STFT hop
        "frequency_scale",
        "n_mels",
        "hop_length",
    )

    def parse_options(self, reader: ConfigReader) -> None:
        self.read_labels(reader)
        taken = {label.key for label in self.labels if label.key}
        for i, label in enumerate(self.labels[:9]):
            if not label.key and str(i + 1) not in taken:
                self.labels[i] = replace(label, key=str(i + 1))
        self.source_field = reader.str("source_field", "audio_url")
        self.min_freq = float(reader.number("min_freq", 0, minimum=0))
        max_freq = reader.number("max_freq", None, minimum=0)
        self.max_freq = float(max_freq) if max_freq is not None else None
        if self.max_freq is not None and self.max_freq <= self.min_freq:
            reader.problem("max_freq", "must be above min_freq")
        self.fft_size = reader.number("fft_size", 1024, integer=True)
        if self.fft_size not in FFT_SIZES:
            reader.problem("fft_size", f"must be one of {', '.join(map(str, FFT_SIZES))}")
            self.fft_size = 1024
        self.colormap = reader.str("colormap", "viridis", choices=COLORMAPS)
        self.height = reader.number("height", 280, integer=True, minimum=1, maximum=4000)
        self.min_boxes = reader.number("min_boxes", 0, integer=True, minimum=0)
        self.max_boxes = reader.number("max_boxes", None, integer=True, minimum=0)
        self.instructions = reader.str("instructions", "", allow_empty=True) or ""
        self.frequency_scale = reader.str("frequency_scale", "linear", choices=SCALES)
        self.n_mels = reader.number("n_mels", 128, integer=True, minimum=16, maximum=512)
        self.hop_length = reader.number("hop_length", None, integer=True, minimum=16)
        if self.hop_length is not None and self.hop_length > self.fft_size:
            reader.problem("hop_length", "must not exceed fft_size")

    @property
    def spectrogram_settings(self) -> dict[str, Any]:
        """What media/spectrogram.py computes the image with (the web route asks for it)."""
        return {
            "fft_size": self.fft_size,
            "hop_length": self.hop_length,
            "frequency_scale": self.frequency_scale,
            "n_mels": self.n_mels,
            "min_freq": self.min_freq,
            "max_freq": self.max_freq,
            "colormap": self.colormap,
        }

    def label_colors(self) -> dict[str, str]:
        return {
            label.name: label.color or DEFAULT_COLORS[i % len(DEFAULT_COLORS)]
            for i, label in enumerate(self.labels)
        }

    audio_value: str | None = None  # per page: the item's audio (a project path or URL)
    audio_is_project_file = False

    def for_page(self, fields, annotator, item_id, seed):
        value = fields.get(self.source_field)
        kind = media_kind(value)
        if kind is None:
            return self
        page = copy.copy(self)
        page.audio_value = value.strip()
        page.audio_is_project_file = kind == "project"
        return page

    def page_config(self) -> dict[str, Any]:
        colors = self.label_colors()
        return {
            "schema": self.name,
            "labels": [
                {"name": lb.name, "text": lb.shown, "key": lb.key or "", "color": colors[lb.name]}
                for lb in self.labels
            ],
            "audio": self.audio_value,
            "height": self.height,
            "minBoxes": self.min_boxes,
            "maxBoxes": self.max_boxes,
        }

    # -- values -----------------------------------------------------------------------------
    def clean_data(self, data: Any) -> list[dict[str, Any]] | None:
        if isinstance(data, Mapping):  # {"boxes": [...]} as some clients wrap it
            data = data.get("boxes", data.get("segments"))
        if not isinstance(data, list):
            raise BadAnnotation(f"{self.name}: the answer must be a JSON list of boxes")
        limit = MAX_BOXES if self.max_boxes is None else self.max_boxes
        if len(data) > limit:
            raise BadAnnotation(f"{self.name}: at most {limit} boxes")
        boxes = [self._box(i, raw) for i, raw in enumerate(data)]
        boxes.sort(key=lambda b: (b["start_s"], b["end_s"], b["low_hz"] or 0.0))
        return boxes or None

    def _box(self, i: int, raw: Any) -> dict[str, Any]:
        where = f"{self.name}: box {i + 1}"
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{where} must be an object")
        start, end = _seconds(raw, "start_s", where), _seconds(raw, "end_s", where)
        if end <= start:
            raise BadAnnotation(f"{where}: end_s must be after start_s")
        low, high = raw.get("low_hz"), raw.get("high_hz")
        if (low is None) != (high is None):
            raise BadAnnotation(f"{where}: give both low_hz and high_hz, or neither")
        if low is not None:
            low, high = _hertz(low, "low_hz", where), _hertz(high, "high_hz", where)
            if high <= low:
                raise BadAnnotation(f"{where}: high_hz must be above low_hz")
        label = raw.get("label")
        if label not in self.label_names:
            raise self.unknown_label(str(label))
        box = {"start_s": start, "end_s": end, "low_hz": low, "high_hz": high, "label": label}
        for key, kind in PROVENANCE.items():
            if isinstance(raw.get(key), kind):
                box[key] = raw[key][:200]
        confidence = raw.get("confidence")
        if isinstance(confidence, (int, float)) and not isinstance(confidence, bool):
            box["confidence"] = float(confidence)
        if raw.get("edited") is True:
            box["edited"] = True
        return box

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        boxes = self.data(label_map)
        if not boxes:
            return
        path = self.audio_path(fields)
        info = audio_info(path) if path is not None else None
        if info is None:
            return  # remote or unreadable audio: the image route reports that
        duration, nyquist = info
        for i, box in enumerate(boxes):
            if box["end_s"] > duration + DURATION_SLACK:
                raise BadAnnotation(
                    f"{self.name}: box {i + 1} ends at {box['end_s']:g} s, after the end of "
                    f"the audio ({duration:.3f} s)"
                )
            if box["high_hz"] is not None and box["high_hz"] > nyquist:
                raise BadAnnotation(
                    f"{self.name}: box {i + 1} reaches {box['high_hz']:g} Hz, above the "
                    f"audio's Nyquist frequency ({nyquist:g} Hz)"
                )

    def audio_path(self, fields: Mapping) -> Path | None:
        """The item's audio as a file under the task directory, or None."""
        value = fields.get(self.source_field)
        clean = relative_media_path(value) if isinstance(value, str) else None
        if clean is None:
            return None
        root = Path(self.task_dir).resolve()
        try:
            target = (root / in_media_dir(root, clean)).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        return target if target.is_relative_to(root) and target.is_file() else None

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        count = len(self.data(label_map))
        if self.min_boxes and count < self.min_boxes:
            return f"at least {self.min_boxes} box(es) are needed, got {count}"
        return super().missing_requirement(label_map)

    def timeline_tiers(self, label_map: Mapping[str, str]) -> dict[str, list[tuple]]:
        return {self.name: [(b["start_s"], b["end_s"], b["label"]) for b in self.data(label_map)]}

    def time_frequency_boxes(self, label_map: Mapping[str, str]) -> list[dict[str, Any]]:
        """Its boxes (the `spectrogram_boxes` export reads this)."""
        return self.data(label_map)

    def dashboard_summary(self, label_maps):
        boxes = [b for m in label_maps for b in self.data(m)]
        return {
            "boxes": len(boxes),
            "boxes_per_label": dict(Counter(b["label"] for b in boxes).most_common()),
            "mean_box_seconds": round(sum(b["end_s"] - b["start_s"] for b in boxes) / len(boxes), 3)
            if boxes
            else None,
        }

    def answer_map(self, value: Any) -> dict[str, Any]:
        import json

        return {"_data": value if isinstance(value, str) else json.dumps(value)}

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "source_field": self.source_field}


def _seconds(raw: Mapping, key: str, where: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadAnnotation(f"{where}: {key} must be a number of seconds")
    if value < 0:
        raise BadAnnotation(f"{where}: {key} must not be negative")
    return round(float(value), 4)


def _hertz(value: Any, key: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadAnnotation(f"{where}: {key} must be a number of hertz")
    if value < 0:
        raise BadAnnotation(f"{where}: {key} must not be negative")
    return round(float(value), 2)
