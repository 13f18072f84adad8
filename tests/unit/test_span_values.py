"""Server-side span validation (offsets are code points), keyword matching and colours."""

from __future__ import annotations

import pytest

from potato_like.config.reader import ConfigReader
from potato_like.errors import BadAnnotation
from potato_like.schemes.span import Span
from potato_like.spans.colors import css_color
from potato_like.spans.keywords import compile_word


def span_scheme(**extra) -> Span:
    raw = {"annotation_type": "span", "name": "e", "labels": ["A", "B"], **extra}
    reader = ConfigReader(raw)
    scheme = Span(reader, 0, None)
    assert not reader.problems, reader.problems
    return scheme


CASES = [
    ("👩‍👩‍👧 family 😀 Ana", "Ana"),  # ZWJ emoji sequence: 5 code points, 8 UTF-16 units
    ("東京タワー is tall", "タワー"),
    ("cafe\u0301 au lait", "cafe\u0301"),  # combining accent: 5 code points
    ("مرحبا بالعالم hello", "بالعالم"),  # right-to-left
    ("line\r\nnext", "next"),
    ("\U0001d518\U0001d52b\U0001d526 math", "math"),  # astral (Fraktur) letters first
]


@pytest.mark.parametrize(("text", "word"), CASES)
def test_offsets_are_python_string_indices(text, word):
    start = text.index(word)
    value = span_scheme().value_for(
        [{"label": "A", "start": start, "end": start + len(word)}], text
    )
    assert value["spans"][0]["text"] == word
    # The same span in UTF-16 units is refused whenever the prefix has astral characters.
    utf16_start = len(text[:start].encode("utf-16-le")) // 2
    if utf16_start != start:
        with pytest.raises(BadAnnotation, match="code points"):
            span_scheme().value_for(
                [
                    {
                        "label": "A",
                        "start": utf16_start,
                        "end": utf16_start + len(word),
                        "text": word,
                    }
                ],
                text,
            )


def test_ids_are_stable_and_unique():
    scheme = span_scheme()
    spans = [{"label": "A", "start": 0, "end": 3}, {"label": "B", "start": 0, "end": 3}]
    value = scheme.value_for(spans, "abc def")
    assert [s["id"] for s in value["spans"]] == ["e_A___0_3", "e_B___0_3"]
    assert scheme.value_for(list(reversed(spans)), "abc def") == value
    with pytest.raises(BadAnnotation, match="two spans have the id"):
        scheme.value_for([{**spans[0], "id": "x"}, {**spans[1], "id": "x"}], "abc def")


def test_discontinuous_needs_the_option_and_valid_segments():
    with pytest.raises(BadAnnotation, match="allow_discontinuous"):
        span_scheme().value_for([{"label": "A", "segments": [[0, 1], [2, 3]]}], "abcd")
    scheme = span_scheme(allow_discontinuous=True)
    value = scheme.value_for([{"label": "A", "segments": [[2, 3], [0, 1]]}], "abcd")
    assert value["spans"][0]["segments"] == [[0, 1], [2, 3]]
    assert (value["spans"][0]["start"], value["spans"][0]["end"]) == (0, 3)
    with pytest.raises(BadAnnotation, match="out of range"):
        scheme.value_for([{"label": "A", "segments": [[0, 1], [2, 9]]}], "abcd")


def test_empty_list_clears():
    assert span_scheme().value_for([], "abc") == {}


@pytest.mark.parametrize(
    ("word", "text", "hits"),
    [
        ("excel*", "Excellent and excels, not inexcelable", ["Excellent", "excels"]),
        ("bad", "bad badly Bad", ["bad", "Bad"]),
        ("New York", "new   york", ["new   york"]),
        ("東京", "東京です", []),  # whole words only; CJK runs are one word
        ("a.b", "a.b axb", ["a.b"]),  # regex characters are literal
    ],
)
def test_keyword_patterns(word, text, hits):
    assert [m.group() for m in compile_word(word).finditer(text)] == hits


@pytest.mark.parametrize(
    ("raw", "css"),
    [
        ("#abc", "#abc"),
        ("(255, 128, 0)", "rgb(255, 128, 0)"),
        ([1, 2, 3], "rgb(1, 2, 3)"),
        ("rgba(1,2,3,0.5)", "rgba(1,2,3,0.5)"),
        ("teal", "teal"),
        ("(256, 0, 0)", None),
        ("url(x)", None),
        (7, None),
    ],
)
def test_css_colors(raw, css):
    assert css_color(raw) == css
