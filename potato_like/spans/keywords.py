"""Keyword highlights (`keyword_highlights_file`): a TSV with the columns Word, Label, Schema.

A Word is a word or phrase; `*` stands for any run of letters/digits (so `excel*` matches
"excellent"), everything else is literal; matching takes linear time (keyword_pattern.py).
Matching ignores case and only takes whole words; a combining mark (an accent
in decomposed text, an Indic vowel sign) belongs to the word it follows, so `cafe` does not
match the start of "cafe\u0301" and `excel*` takes "excelle\u0301nt" whole. Matches are
reported as code-point offsets, sorted by position, one per (start, end, schema, label).
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .colors import color_for
from .keyword_pattern import KeywordError, KeywordPattern

if TYPE_CHECKING:
    from ..config.model import ProjectConfig

MAX_RULES = 50_000
HEADER = ("word", "label", "schema")


@dataclass(frozen=True)
class KeywordRule:
    word: str
    label: str
    schema: str
    pattern: KeywordPattern


def compile_word(word: str) -> KeywordPattern:
    """Raises KeywordError for a keyword that cannot be used (see keyword_pattern.py)."""
    return KeywordPattern(word)


def read_keywords(path: Path, problems: list[str], where: str) -> tuple[KeywordRule, ...]:
    """Parse the TSV; each bad line becomes a problem `where: file:line: ...`."""
    rules: list[KeywordRule] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for n, row in enumerate(csv.reader(fh, delimiter="\t"), start=1):
                if not row or all(not c.strip() for c in row):
                    continue
                if n == 1 and tuple(c.strip().lower() for c in row[:3]) == HEADER:
                    continue
                if len(row) < 3 or not all(c.strip() for c in row[:3]):
                    problems.append(f"{where}: {path.name}:{n}: expected Word<TAB>Label<TAB>Schema")
                    continue
                word, label, schema = (c.strip() for c in row[:3])
                try:
                    pattern = compile_word(word)
                except KeywordError as exc:
                    problems.append(f"{where}: {path.name}:{n}: {exc}")
                    continue
                rules.append(KeywordRule(word, label, schema, pattern))
                if len(rules) > MAX_RULES:
                    problems.append(f"{where}: more than {MAX_RULES} keywords")
                    break
    except OSError as exc:
        problems.append(f"{where}: cannot read {path}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        problems.append(f"{where}: {path} is not UTF-8 text")
    return tuple(rules)


def _in_word(ch: str) -> bool:
    """A word character, counting combining marks (Python's \\w leaves them out)."""
    return ch.isalnum() or ch == "_" or unicodedata.category(ch)[0] == "M"


def _whole_word(rule: KeywordRule, text: str, start: int, end: int) -> tuple[int, int] | None:
    """The match widened over marks by a leading / trailing `*`; None when a mark next to it
    shows that it is only part of a word."""
    if rule.word.startswith("*"):
        while start > 0 and _in_word(text[start - 1]):
            start -= 1
    if rule.word.endswith("*"):
        while end < len(text) and _in_word(text[end]):
            end += 1
    if (start > 0 and _in_word(text[start - 1])) or (end < len(text) and _in_word(text[end])):
        return None
    return start, end


def find_keywords(config: ProjectConfig, text: str) -> list[dict[str, Any]]:
    seen: dict[tuple, dict[str, Any]] = {}
    for rule in config.keyword_rules:
        for match in rule.pattern.finditer(text):
            span = _whole_word(rule, text, match.start(), match.end())
            if span is None:
                continue
            key = (*span, rule.schema, rule.label)
            if key in seen:
                continue
            seen[key] = {
                "label": rule.label,
                "start": span[0],
                "end": span[1],
                "text": text[span[0] : span[1]],
                "reasoning": f"Keyword: {rule.word} → {rule.label}",
                "schema": rule.schema,
                "color": color_for(config, rule.schema, rule.label),
            }
    return [seen[k] for k in sorted(seen, key=lambda k: (k[0], -k[1], k[2], k[3]))]
