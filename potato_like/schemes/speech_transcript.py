"""`annotation_type: speech_transcript` — a time-aligned transcript from the item, tagged
segment by segment with speech errors (ASR error, TTS artifact, ...) and, optionally, a
corrected text.

Items carry `segments_key` (a list of `{start, end, text, speaker}`) and optionally
`audio_key` (an audio URL or project path). Stored as Potato does: a JSON list of the
annotated segments only, `[{index, start, end, errors: [...], correction}]`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .item_timeline import MAX_ROWS, item_rows
from .registry import register
from .timeline import TimelineScheme, entry_list, media_src, seconds

ERROR_TYPES = ("asr_error", "tts_artifact", "mispronunciation", "disfluency")
MAX_CORRECTION = 10_000


@register("speech_transcript")
class SpeechTranscript(TimelineScheme):
    macro = "schemes/speech_transcript.html"
    script = "js/speech-transcript.js"
    waveform_lookahead = True  # media/lookahead.py computes the next items' waveforms
    json_list = True
    option_keys = ("segments_key", "audio_key", "error_types", "allow_correction")

    def parse_options(self, reader: ConfigReader) -> None:
        self.segments_key = reader.str("segments_key", "segments")
        self.audio_key = reader.str("audio_key", "audio")
        types = reader.string_list("error_types") if reader.has("error_types") else []
        self.error_types = tuple(types) or ERROR_TYPES
        self.allow_correction = reader.bool("allow_correction", True)
        self.rows: list[dict[str, Any]] = []

    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        page = copy.copy(self)
        page.media_src = media_src(fields.get(self.audio_key))
        page.rows = item_rows(fields.get(self.segments_key))
        return page

    def page_config(self) -> dict[str, Any]:
        return {"schema": self.name, "src": self.media_src}

    def clean_data(self, data: Any) -> Any:
        if not isinstance(data, list):
            raise BadAnnotation(f"{self.name}: the annotation must be a JSON list of segments")
        out = {}
        for i, entry in enumerate(entry_list(self.name, "segments", data)):
            at = f"[{i}]"
            if not isinstance(entry, Mapping):
                raise BadAnnotation(f"{self.name}: {at} must be an object")
            index = entry.get("index")
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < MAX_ROWS:
                raise BadAnnotation(f"{self.name}: {at}.index must be a segment number")
            errors = entry.get("errors") or []
            if not isinstance(errors, list) or any(e not in self.error_types for e in errors):
                raise BadAnnotation(
                    f"{self.name}: {at}.errors must be a list of {', '.join(self.error_types)}"
                )
            correction = entry.get("correction") or ""
            if not isinstance(correction, str) or len(correction) > MAX_CORRECTION:
                raise BadAnnotation(f"{self.name}: {at}.correction must be text")
            if correction and not self.allow_correction:
                raise BadAnnotation(f"{self.name}: corrections are not enabled")
            if not errors and not correction.strip():
                continue
            out[index] = {
                "index": index,
                "start": seconds(self.name, f"{at}.start", entry.get("start"), allow_none=True),
                "end": seconds(self.name, f"{at}.end", entry.get("end"), allow_none=True),
                "errors": sorted(set(errors), key=self.error_types.index),
                "correction": correction,
            }
        return [out[k] for k in sorted(out)] or None

    def timeline_tiers(self, label_map: Mapping[str, str]) -> dict[str, list[tuple]]:
        rows = [r for r in self.data(label_map) if r["start"] is not None and r["end"] is not None]
        return {
            self.name: [
                (r["start"], r["end"], r["correction"] or ", ".join(r["errors"])) for r in rows
            ]
        }
