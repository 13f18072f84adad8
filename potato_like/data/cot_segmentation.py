"""Potato's `cot_segmentation`: split a long chain-of-thought string of each item into a
list of steps when the data is imported, so `cot_trace` shows them and `process_reward`
(or any step-level type) answers them step by step.

    cot_segmentation:
      source_key: reasoning    # the field holding the reasoning text (required)
      target_key: cot_steps    # where the step list goes (default cot_steps)
      strategy: auto           # blank_line | numbered | markers | sentence | auto
      min_step_chars: 40       # a shorter step is merged into the one before it
      max_steps: 200           # at most this many steps (the rest are dropped)
      markers: ["<step>"]      # markers strategy: the separators
      sentences_per_step: 1    # sentence strategy: sentences per step

Each step is `{"index", "text", "type", "char_start", "char_end"}`; offsets are into the
source text. An item whose `target_key` already holds a non-empty list keeps it. `auto` uses
the first of markers, numbered, blank_line, sentence that gives two or more steps. Potato's
`llm` strategy (asking the AI endpoint for the boundaries) is not built: it is accepted
with a warning and segments as `auto`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

STRATEGIES = ("blank_line", "numbered", "markers", "sentence", "llm", "auto")
DEFAULT_MARKERS = ("<step>", "</step>", "<think>", "</think>", "\n---\n", "\n***\n")
KEYS = (
    "source_key",
    "target_key",
    "strategy",
    "min_step_chars",
    "max_steps",
    "markers",
    "sentences_per_step",
    "llm_max_chars",
)
_NUMBERED = re.compile(r"(?im)^[ \t]*(?:step[ \t]+\d+[.):]?|\d+[.)]|\d+[ \t]*[-\u2013])[ \t]+")
_BLANK = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])[ \t]+(?=[A-Z0-9\"'(])")
_ACTION = re.compile(
    r"^\s*(action|call|tool|execute|run)\b|^\s*[A-Za-z_][\w.]*\(.*\)\s*$", re.I | re.S
)
_OBSERVATION = re.compile(r"^\s*(observation|result|output)\b", re.I)
_ANSWER = re.compile(r"^\s*(final answer|answer|therefore|so the answer)\b", re.I)

Span = tuple[int, int]


@dataclass(frozen=True)
class CotSegmentation:
    source_key: str
    target_key: str = "cot_steps"
    strategy: str = "auto"
    min_step_chars: int = 0
    max_steps: int = 200
    markers: tuple[str, ...] = DEFAULT_MARKERS
    sentences_per_step: int = 1

    @property
    def signature(self) -> str:
        """Changes when the settings change (the data is imported again then)."""
        text = json.dumps(self.__dict__, sort_keys=True, default=list)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def apply(self, row: dict[str, Any]) -> dict[str, Any]:
        """The row with `target_key` filled from `source_key` (unless already a list)."""
        existing = row.get(self.target_key)
        text = row.get(self.source_key)
        if (isinstance(existing, list) and existing) or not isinstance(text, str):
            return row
        return {**row, self.target_key: self.segment(text)}

    def segment(self, text: str) -> list[dict[str, Any]]:
        if not text.strip():
            return []
        spans = self.spans(text) or [_trim(text, 0, len(text))]
        spans = _merge_short(spans, self.min_step_chars)
        if self.max_steps > 0:
            spans = spans[: self.max_steps]
        return [
            {
                "index": i,
                "text": text[s:e],
                "type": _step_type(text[s:e]),
                "char_start": s,
                "char_end": e,
            }
            for i, (s, e) in enumerate(spans)
        ]

    def spans(self, text: str) -> list[Span]:
        strategy = "auto" if self.strategy == "llm" else self.strategy
        if strategy == "blank_line":
            return _between(text, [m.span() for m in _BLANK.finditer(text)])
        if strategy == "numbered":
            return _from_starts(text, [m.start() for m in _NUMBERED.finditer(text)])
        if strategy == "markers":
            return _between(text, _marker_spans(text, self.markers))
        if strategy == "sentence":
            return _sentences(text, self.sentences_per_step)
        for spans in (
            _between(text, _marker_spans(text, self.markers)),
            _from_starts(text, [m.start() for m in _NUMBERED.finditer(text)]),
            _between(text, [m.span() for m in _BLANK.finditer(text)]),
            _sentences(text, self.sentences_per_step),
        ):
            if len(spans) >= 2:
                return spans
        return []


def read_cot_segmentation(r) -> CotSegmentation | None:
    """The `cot_segmentation` block of a config (a ConfigReader), or None."""
    if not r.has("cot_segmentation"):
        return None
    c = r.child("cot_segmentation")
    c.warn_unknown(KEYS)
    source = c.str("source_key", None, required=True)
    strategy = c.str("strategy", "auto", choices=STRATEGIES)
    if strategy == "llm":
        c.warn("strategy", "'llm' is not built here: the reasoning is segmented as 'auto'")
    if c.has("llm_max_chars"):
        c.number("llm_max_chars", 12000, integer=True, minimum=1)
    markers = c.string_list("markers") if c.has("markers") else list(DEFAULT_MARKERS)
    if source is None:
        return None
    return CotSegmentation(
        source_key=source,
        target_key=c.str("target_key", "cot_steps"),
        strategy=strategy or "auto",
        min_step_chars=c.number("min_step_chars", 0, integer=True, minimum=0),
        max_steps=c.number("max_steps", 200, integer=True, minimum=0),
        markers=tuple(m for m in markers if m),
        sentences_per_step=c.number("sentences_per_step", 1, integer=True, minimum=1),
    )


def _trim(text: str, start: int, end: int) -> Span:
    chunk = text[start:end]
    return start + len(chunk) - len(chunk.lstrip()), end - (len(chunk) - len(chunk.rstrip()))


def _between(text: str, separators: list[Span]) -> list[Span]:
    """The non-blank stretches of text between the separator spans."""
    out, cursor = [], 0
    for s, e in [*sorted(separators), (len(text), len(text))]:
        if s > cursor:
            a, b = _trim(text, cursor, s)
            if b > a:
                out.append((a, b))
        cursor = max(cursor, e)
    return out


def _from_starts(text: str, starts: list[int]) -> list[Span]:
    """Steps that begin at each start offset (text before the first one is a step too)."""
    cuts = sorted({0, len(text), *(s for s in starts if 0 < s < len(text))})
    out = []
    for a, b in itertools.pairwise(cuts):
        a, b = _trim(text, a, b)
        if b > a:
            out.append((a, b))
    return out if len(starts) else []


def _marker_spans(text: str, markers) -> list[Span]:
    out = []
    for marker in markers:
        start = text.find(marker)
        while start != -1:
            out.append((start, start + len(marker)))
            start = text.find(marker, start + len(marker))
    return out


def _sentences(text: str, per_step: int) -> list[Span]:
    spans = _between(text, [m.span() for m in _SENTENCE_END.finditer(text)])
    if per_step <= 1:
        return spans
    return [
        (g[0][0], g[-1][1])
        for g in (spans[i : i + per_step] for i in range(0, len(spans), per_step))
    ]


def _merge_short(spans: list[Span], min_chars: int) -> list[Span]:
    if min_chars <= 0 or len(spans) <= 1:
        return spans
    merged: list[Span] = []
    for s, e in spans:
        if merged and e - s < min_chars:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    if len(merged) > 1 and merged[0][1] - merged[0][0] < min_chars:
        merged[:2] = [(merged[0][0], merged[1][1])]
    return merged


def _step_type(text: str) -> str:
    if _ANSWER.match(text):
        return "answer"
    if _OBSERVATION.match(text):
        return "observation"
    if _ACTION.match(text):
        return "action"
    return "thought"
