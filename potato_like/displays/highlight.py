"""Syntax highlighting with Pygments, as data: each line is a list of (css class, text)
pieces that the template escapes and wraps in spans. The classes are Pygments' short token
names, coloured by static/css/pygments.css (class-based, so no inline style under the CSP).
"""

from __future__ import annotations

from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

MAX_HIGHLIGHTED = 200_000  # characters; longer text is shown plain


def lexer_for(language: str | None = None, filename: str | None = None):
    try:
        if language:
            return get_lexer_by_name(language, stripnl=False, ensurenl=False)
        if filename:
            return get_lexer_for_filename(filename, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None
    return None


def highlighted_lines(text: str, language: str | None = None, filename: str | None = None):
    """The lines of `text` as lists of (class, piece); class "" for plain text."""
    lexer = lexer_for(language, filename) if len(text) <= MAX_HIGHLIGHTED else None
    if lexer is None:
        return [[("", line)] for line in text.split("\n")]
    lines: list[list[tuple[str, str]]] = [[]]
    for token, piece in lexer.get_tokens(text):
        css = _css_class(token)
        parts = piece.split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append([])
            if part:
                lines[-1].append((css, part))
    if len(lines) > 1 and not lines[-1] and not text.endswith("\n"):
        lines.pop()
    return lines


def _css_class(token) -> str:
    while token not in STANDARD_TYPES:
        token = token.parent
    return STANDARD_TYPES[token]
