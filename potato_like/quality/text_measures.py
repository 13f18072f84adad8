"""Measures over texts that the text-work types store and compare: Levenshtein distance (of
characters or of words), a word-level diff, and SQuAD's answer normalisation with its exact
match and token F1."""

from __future__ import annotations

import difflib
import re
import string
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCTUATION = set(string.punctuation)


def levenshtein(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Edit distance (insertions, deletions, substitutions, each 1) between two sequences of
    characters or words. One numpy row per element of `a`: fast enough for post-edits of a
    few pages."""
    # What both share at the start and the end costs nothing (most of a post-edit).
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    a, b = a[start:], b[start:]
    end = 0
    while end < min(len(a), len(b)) and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[: len(a) - end], b[: len(b) - end]
    if not a:
        return len(b)
    if not b:
        return len(a)
    import numpy as np  # loaded on first use

    codes: dict[Hashable, int] = {}
    a_codes = np.array([codes.setdefault(x, len(codes)) for x in a], dtype=np.int64)
    b_codes = np.array([codes.setdefault(x, len(codes)) for x in b], dtype=np.int64)
    index = np.arange(len(b) + 1, dtype=np.int64)
    row = index.copy()
    for i, code in enumerate(a_codes, start=1):
        new = np.empty_like(row)
        new[0] = i
        # deletion (from above) and substitution (diagonal); insertion (from the left) is
        # a running minimum of new[k] + (j - k), i.e. index + accumulate(min)(new - index)
        new[1:] = np.minimum(row[1:] + 1, row[:-1] + (b_codes != code))
        row = index + np.minimum.accumulate(new - index)
    return int(row[-1])


def words(text: str) -> list[str]:
    return text.split()


def word_diff(original: str, edited: str) -> list[dict[str, str]]:
    """The edit as word-level operations: `equal`, `delete`, `insert`, `replace` with the
    words before (`from`) and after (`to`)."""
    before, after = words(original), words(edited)
    ops = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        op: dict[str, str] = {"op": tag}
        if i2 > i1:
            op["from"] = " ".join(before[i1:i2])
        if j2 > j1 and tag != "equal":
            op["to"] = " ".join(after[j1:j2])
        ops.append(op)
    return ops


def normalize_answer(text: str) -> str:
    """SQuAD's normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(a: str, b: str) -> float:
    return float(normalize_answer(a) == normalize_answer(b))


def token_f1(a: str, b: str) -> float:
    """SQuAD's token F1 between two answers (both empty: 1; one empty: 0)."""
    ta, tb = normalize_answer(a).split(), normalize_answer(b).split()
    if not ta or not tb:
        return float(ta == tb)
    common = sum((Counter(ta) & Counter(tb)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(tb), common / len(ta)
    return 2 * precision * recall / (precision + recall)


def mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def as_int(value: Any) -> int | None:
    """An offset sent as a number or a digit string; None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,9}", value.strip()):
        return int(value.strip())
    return None
