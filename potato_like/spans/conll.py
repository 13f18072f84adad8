"""Tokens and BIO tags for CoNLL exports.

Tokenisation: maximal runs of non-whitespace characters, further split wherever a span starts
or ends inside a run, so every span covers whole tokens. No sentence splitting: one item is one
sentence. Tags per span scheme: a token inside a span gets `B-<label>` (first token) or
`I-<label>`, else `O`. BIO cannot show overlap: where spans overlap, the span that starts first
(the longer one on a tie) wins and the tokens it covers are not tagged by the others.
A discontinuous span tags each of its segments, the first with B- and later ones with I-.
A column never holds whitespace: a run of it in a label (or name) becomes `_`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

_NON_SPACE = re.compile(r"\S+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str
    space_after: bool


def tokenize(text: str, cuts: Iterable[int] = ()) -> list[Token]:
    boundaries = sorted(set(cuts))
    tokens: list[Token] = []
    for match in _NON_SPACE.finditer(text):
        start, end = match.start(), match.end()
        inner = [c for c in boundaries if start < c < end]
        edges = [start, *inner, end]
        for a, b in itertools.pairwise(edges):
            tokens.append(Token(a, b, text[a:b], space_after=b < len(text) and text[b].isspace()))
    return tokens


def span_segments(span: dict) -> list[tuple[int, int]]:
    return [tuple(s) for s in span.get("segments") or [(span["start"], span["end"])]]


def column_text(value: str) -> str:
    """`value` fit for one whitespace-free column: each run of whitespace becomes `_`."""
    return _SPACES.sub("_", str(value).strip())


def bio_tags(tokens: list[Token], spans: list[dict]) -> list[str]:
    tags = ["O"] * len(tokens)
    ordered = sorted(spans, key=lambda s: (s["start"], -s["end"]))
    for span in ordered:
        covered = [
            i
            for i, tok in enumerate(tokens)
            if any(tok.start >= s and tok.end <= e for s, e in span_segments(span))
        ]
        if not covered or any(tags[i] != "O" for i in covered):
            continue  # overlaps a span already tagged
        for n, i in enumerate(covered):
            tags[i] = ("B-" if n == 0 else "I-") + column_text(span["label"])
    return tags


def cut_points(spans: Iterable[dict]) -> set[int]:
    points: set[int] = set()
    for span in spans:
        for s, e in span_segments(span):
            points.update((s, e))
    return points
