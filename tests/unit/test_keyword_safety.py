"""Keyword patterns cannot stall the server: linear-time matching, limits checked at start."""

from __future__ import annotations

import random
import re
import time

import pytest

import potato_like.config  # noqa: F401  (import order: config before spans)
from potato_like.cli import main
from potato_like.spans.keywords import compile_word
from tests.conftest import base_config, write_config, write_items


def _reference(word: str) -> re.Pattern[str]:
    """Potato's meaning of a keyword, as a backtracking regex (fine on small inputs)."""
    body = r"\w*".join(re.escape(p) for p in word.split("*"))
    body = re.sub(r"(\\ )+", r"\\s+", body)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


@pytest.mark.parametrize(
    "word", ["a*a*a*a*a*b", "*a*a*a*a*a*", "a* a* a* a* b", "a*-*a*-*a*-*b", "a*****b"]
)
def test_pathological_keywords_take_linear_time(word):
    text = " ".join(["a" * 150, "-".join(["a" * 40] * 4), " ".join(["a"] * 300)])
    started = time.perf_counter()
    list(compile_word(word).finditer(text * 5))
    assert time.perf_counter() - started < 0.5


def test_same_matches_as_potatos_wildcard_on_random_inputs():
    rng = random.Random(13)
    alphabet = "ab -.*"
    for _ in range(3000):
        word = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7))).strip()
        if not word.replace("*", "").replace(" ", "").replace("-", "").replace(".", ""):
            continue
        text = "".join(rng.choice("abAB -.\t") for _ in range(rng.randint(0, 25)))
        mine = [(m.start(), m.end()) for m in compile_word(word).finditer(text)]
        theirs = [(m.start(), m.end()) for m in _reference(word).finditer(text)]
        assert mine == theirs, (word, text)


def test_check_refuses_an_overlong_keyword_with_file_and_line(tmp_path, capsys):
    write_items(tmp_path / "data.jsonl", 2)
    (tmp_path / "kw.tsv").write_text(
        "Word\tLabel\tSchema\ngood*\tA\tsentiment\n" + "x" * 201 + "\tA\tsentiment\n"
    )
    path = write_config(tmp_path, base_config(keyword_highlights_file="kw.tsv"))
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert "keyword_highlights_file: kw.tsv:3: a keyword may have at most 200 characters" in err
