"""Keyword patterns in linear time: literal text plus Potato's one wildcard, `*`.

Potato turns `*` into the regex `\\w*`; a keyword with several stars then backtracks
polynomially (`a*a*a*a*a*b` against a 200-letter word took 25 s, stalling the process, since
`re` holds the GIL). Here a `*` never makes the regex guess. A star can only match word
characters, and the text next to a run of stars and word letters in a keyword is a non-word
character, whitespace or the keyword's edge, so that run must match one whole word of the
text. The regex therefore takes whole words atomically (a lookahead capture and its
back-reference: no backtracking into them, on any Python) and each word is then checked
against its part of the keyword with a greedy glob test, which is linear for `*`-only globs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MAX_KEYWORD_LENGTH = 200


class KeywordError(ValueError):
    """A keyword that cannot be used; the message says why."""


class KeywordPattern:
    """Matches one keyword in a text; `finditer` yields re.Match objects for whole matches."""

    def __init__(self, word: str) -> None:
        if len(word) > MAX_KEYWORD_LENGTH:
            raise KeywordError(f"a keyword may have at most {MAX_KEYWORD_LENGTH} characters")
        word = re.sub(r"\*+", "*", " ".join(word.split()))  # `**` means what `*` means
        if not word.replace("*", "").strip():
            raise KeywordError("a keyword needs a letter or digit")
        parts: list[str] = []
        self._globs: dict[int, list[str]] = {}  # group number -> the word's glob pieces
        for chunk in re.findall(r"[\w*]+|\s|[^\w\s*]", word):
            if chunk.isspace():
                parts.append(_atomic(r"\s+", len(parts) + 1))
            elif "*" in chunk:
                parts.append(_atomic(r"\w*", len(parts) + 1))
                self._globs[len(parts)] = chunk.lower().split("*")
            else:
                parts.append(f"({re.escape(chunk)})")
        self.regex = re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)", re.IGNORECASE)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        pos = 0
        while pos <= len(text):
            match = self.regex.search(text, pos)
            if match is None:
                return
            if all(_glob(pieces, match.group(n).lower()) for n, pieces in self._globs.items()):
                yield match
                pos = match.end() if match.end() > match.start() else match.end() + 1
            else:
                pos = match.start() + 1


def _glob(pieces: list[str], word: str) -> bool:
    """Does `word` match pieces[0] * pieces[1] * ... * pieces[-1]? Greedy leftmost search of
    the middle pieces is exact when `*` is the only wildcard."""
    first, last = pieces[0], pieces[-1]
    if len(word) < len(first) + len(last) or not word.startswith(first):
        return False
    if not word.endswith(last):
        return False
    at, stop = len(first), len(word) - len(last)
    for piece in pieces[1:-1]:
        found = word.find(piece, at, stop)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def _atomic(body: str, group: int) -> str:
    """`body` taken greedily with no backtracking into it: `(?=(body))\\N`."""
    return rf"(?=({body}))\{group}"
