"""Stream rows out of data files with their line numbers.

Each reader yields `(line, row)` where row is a dict, or `(line, ProblemText)` for a row that
cannot be parsed, so the importer can report `file:line: problem` for every bad row instead of
stopping at the first or skipping silently. Nothing here holds a whole file in memory except a
`.json` file that is a single JSON array (JSON Lines is the format for big projects).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


class RowProblem(str):
    """A message about an unparseable row (a str subclass, to tell it apart from a row)."""


Rows = Iterator[tuple[int, "dict[str, Any] | RowProblem"]]

_READERS: dict[str, Callable[[Path], Rows]] = {}


def reader(*suffixes: str):
    def add(fn: Callable[[Path], Rows]) -> Callable[[Path], Rows]:
        for suffix in suffixes:
            _READERS[suffix] = fn
        return fn

    return add


def read_rows(path: Path) -> Rows:
    fn = _READERS.get(path.suffix.lower())
    if fn is None:
        raise ValueError(f"{path}: unsupported data file type")
    return fn(path)


@reader(".jsonl")
def read_jsonl(path: Path) -> Rows:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        for number, line in enumerate(_decoded_lines(fh, path), start=1):
            if isinstance(line, RowProblem):
                yield number, line
                return
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, RowProblem(f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            if not isinstance(row, dict):
                yield number, RowProblem(f"expected a JSON object, got {type(row).__name__}")
                continue
            yield number, row


@reader(".json")
def read_json(path: Path) -> Rows:
    """A JSON array of objects, or (as Potato has always read .json files) JSON Lines."""
    with path.open("r", encoding="utf-8-sig") as fh:
        try:
            head = fh.read(4096)
        except UnicodeDecodeError as exc:
            yield 1, RowProblem(f"not UTF-8 text ({exc.reason})")
            return
    if not head.lstrip().startswith("["):
        yield from read_jsonl(path)
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        yield 1, RowProblem(f"not UTF-8 text ({exc.reason})")
        return
    decoder = json.JSONDecoder()
    try:
        rows = decoder.decode(text)
    except json.JSONDecodeError as exc:
        yield exc.lineno, RowProblem(f"invalid JSON: {exc.msg} (column {exc.colno})")
        return
    if not isinstance(rows, list):
        yield 1, RowProblem("expected a JSON array of objects or one JSON object per line")
        return
    # Line numbers of each element: find each element's start by scanning the array text.
    for line, row in zip(_array_element_lines(text, decoder), rows, strict=False):
        if isinstance(row, dict):
            yield line, row
        else:
            yield line, RowProblem(f"expected a JSON object, got {type(row).__name__}")


def _array_element_lines(text: str, decoder: json.JSONDecoder) -> Iterator[int]:
    pos = text.index("[") + 1
    line = text.count("\n", 0, pos) + 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            if text[pos] == "\n":
                line += 1
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return
        yield line
        _, end = decoder.raw_decode(text, pos)
        line += text.count("\n", pos, end)
        pos = end


@reader(".csv")
def read_csv(path: Path) -> Rows:
    yield from _read_table(path, ",")


@reader(".tsv")
def read_tsv(path: Path) -> Rows:
    yield from _read_table(path, "\t")


def _read_table(path: Path, delimiter: str) -> Rows:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        table = csv.reader(_decoded_lines(fh, path), delimiter=delimiter)
        try:
            header = next(table)
        except StopIteration:
            return
        except csv.Error as exc:
            yield 1, RowProblem(f"cannot parse header: {exc}")
            return
        if any(isinstance(h, RowProblem) for h in header):
            yield 1, RowProblem("not UTF-8 text")
            return
        header = [h.strip() for h in header]
        dupes = sorted({h for h in header if header.count(h) > 1})
        if dupes:
            yield 1, RowProblem(f"duplicate column name(s): {', '.join(dupes)}")
            return
        while True:
            start = table.line_num + 1
            try:
                cells = next(table)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, RowProblem(f"cannot parse row: {exc}")
                return
            except _NotText as exc:
                yield exc.line, RowProblem(str(exc))
                return
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                yield start, RowProblem(f"has {len(cells)} fields but the header has {len(header)}")
                continue
            yield start, dict(zip(header, cells, strict=True))


class _NotText(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"not UTF-8 text ({reason})")
        self.line = line


def _decoded_lines(fh, path: Path) -> Iterator[Any]:
    """Lines of a text file; a decoding error ends the stream with a RowProblem (JSONL) or
    raises _NotText (tables) carrying the line number."""
    number = 0
    try:
        for number, line in enumerate(fh, start=1):  # noqa: B007
            yield line
    except UnicodeDecodeError as exc:
        if path.suffix.lower() in (".csv", ".tsv"):
            raise _NotText(number + 1, exc.reason) from None
        yield RowProblem(f"not UTF-8 text ({exc.reason})")
