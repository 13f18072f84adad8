"""`annotation_type: audio_annotation` — labelled time segments of an audio file, drawn on
its waveform (peaks from `/api/waveform/generate`), plus labels for the whole file.

Stored as Potato's client sends it: `{"_data": "<json>"}` with
`{"segments": [{id, start_time, end_time, label, annotations}], "file_labels": [...]}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .registry import register
from .timeline import TimelineScheme, clean_segments, entry_list, known_duration

MODES = ("label", "questions", "both")
COLOR_MAPS = ("viridis", "magma", "plasma", "inferno", "grayscale")
DEFAULT_COLORS = ("#4ECDC4", "#FF6B6B", "#45B7D1", "#96CEB4", "#FFEAA7", "#DDA0DD", "#95A5A6")


@register("audio_annotation")
class AudioAnnotation(TimelineScheme):
    macro = "schemes/audio_annotation.html"
    script = "js/audio-annotation.js"
    waveform_lookahead = True  # media/lookahead.py computes the next items' waveforms
    option_keys = (
        "labels",
        "mode",
        "segment_schemes",
        "min_segments",
        "max_segments",
        "zoom_enabled",
        "playback_rate_control",
        "waveform",
        "spectrogram",
        "spectrogram_options",
        "source_field",
        "sequential_key_binding",
    )

    def parse_options(self, reader: ConfigReader) -> None:
        self.mode = reader.str("mode", "label", choices=MODES)
        if self.mode in ("label", "both"):
            self.read_labels(reader)
        elif reader.has("labels"):
            self.read_labels(reader, required=False)
        self.segment_schemes = reader.raw.get("segment_schemes") or []
        if self.mode in ("questions", "both") and (
            not isinstance(self.segment_schemes, list) or not self.segment_schemes
        ):
            reader.problem("segment_schemes", f"must be a non-empty list in mode {self.mode!r}")
        self.read_segment_limits(reader)
        self.read_source(reader)
        self.zoom_enabled = reader.bool("zoom_enabled", True)
        self.playback_rate_control = reader.bool("playback_rate_control", False)
        self.show_waveform = reader.bool("waveform", True)
        self.spectrogram = reader.bool("spectrogram", False)
        spec = reader.child("spectrogram_options")
        spec.warn_unknown(("fft_size", "hop_length", "frequency_range", "color_map"))
        self.spectrogram_options = {
            "fft_size": spec.number("fft_size", 512, integer=True, minimum=64, maximum=8192),
            "color_map": spec.str("color_map", "viridis", choices=COLOR_MAPS),
        }
        self.assign_keys(reader.bool("sequential_key_binding", False))

    def label_colors(self) -> dict[str, str]:
        return {
            label.name: label.color or DEFAULT_COLORS[i % len(DEFAULT_COLORS)]
            for i, label in enumerate(self.labels)
        }

    def page_config(self) -> dict[str, Any]:
        """What audio-annotation.js needs (rendered as JSON in the template)."""
        return {
            "schema": self.name,
            "mode": self.mode,
            "labels": [
                {"name": label.name, "text": label.shown, "key": label.key, "color": color}
                for label, color in zip(self.labels, self.label_colors().values(), strict=True)
            ],
            "minSegments": self.min_segments,
            "maxSegments": self.max_segments,
            "zoom": self.zoom_enabled,
            "rateControl": self.playback_rate_control,
            "spectrogram": self.spectrogram,
            "spectrogramOptions": self.spectrogram_options,
            "src": self.media_src,
        }

    def clean_data(self, data: Mapping[str, Any]) -> dict[str, Any] | None:
        duration = known_duration(self.name, data, "duration")
        segments = clean_segments(
            self, data.get("segments"), duration=duration, label_required=self.mode == "label"
        )
        if self.max_segments is not None and len(segments) > self.max_segments:
            raise BadAnnotation(f"{self.name}: at most {self.max_segments} segments")
        file_labels = []
        for label in entry_list(self.name, "file_labels", data.get("file_labels")):
            if not isinstance(label, str) or label not in self.label_names:
                raise self.unknown_label(str(label))
            if label not in file_labels:
                file_labels.append(label)
        if not segments and not file_labels:
            return None
        out: dict[str, Any] = {"segments": segments}
        if file_labels:
            out["file_labels"] = file_labels
        if duration is not None:
            out["duration"] = duration
        return out

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        count = len(self.data(label_map).get("segments", []))
        if self.min_segments and count < self.min_segments:
            return f"at least {self.min_segments} segment(s) are needed, got {count}"
        return super().missing_requirement(label_map)

    def timeline_tiers(self, label_map: Mapping[str, str]) -> dict[str, list[tuple]]:
        segments = self.data(label_map).get("segments", [])
        return {self.name: [(s["start_time"], s["end_time"], s["label"] or "") for s in segments]}
