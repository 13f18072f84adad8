"""Stream rows out of data files with their line numbers.

Each reader yields `(line, row)` where row is a dict, or `(line, ProblemText)` for a row that
cannot be parsed, so the importer can report `file:line: problem` for every bad row instead of
stopping at the first or skipping silently. Nothing here holds a whole file in memory except a
`.json` file that is a single JSON array (JSON Lines is the format for big projects).
"""

from __future__ import annotations

import codecs
import csv
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class FileOptions:
    """Per data file: its declared `encoding`, and Potato's `filter_by_prior_annotation` as
    the item ids that matched (`keep(id)` is True for those, or for the others with
    `invert`)."""

    encoding: str | None = None
    matched: frozenset[str] | None = None
    invert: bool = False
    # The rows of a live database source: empty until the first row arrives.
    may_be_empty: bool = False

    def keep(self, item_id: str) -> bool:
        return self.matched is None or ((item_id in self.matched) != self.invert)


class RowProblem(str):
    """A message about an unparseable row (a str subclass, to tell it apart from a row)."""


Rows = Iterator[tuple[int, "dict[str, Any] | RowProblem"]]

_READERS: dict[str, Callable[[Path, str], Rows]] = {}
DEFAULT_ENCODING = "utf-8-sig"  # UTF-8, with or without a byte-order mark
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
FALLBACK_ENCODING = "cp1252"  # Windows' Western European, a superset of latin-1's letters


def detect_encoding(path: Path, declared: str | None = None) -> tuple[str, str | None]:
    """(encoding to read `path` with, a warning or None). A declared encoding (Potato's
    `encoding` of a data_files entry, `data_directory_encoding`) is used as given. Otherwise
    a byte-order mark decides (UTF-8, UTF-16, UTF-32); a file without one is UTF-8 when all of
    it decodes as UTF-8, else it is read as Windows-1252 (latin-1's superset) with a warning."""
    if declared:
        return declared, None
    with path.open("rb") as fh:
        head = fh.read(4)
        for bom, name in _BOMS:
            if head.startswith(bom):
                return name, None
        fh.seek(0)
        sample = fh.read(4096)
        if sample.count(b"\x00") * 4 >= len(sample) > 0:  # ASCII text as UTF-16, no BOM
            odd = sample[1::2].count(b"\x00") >= sample[0::2].count(b"\x00")
            name = "utf-16-le" if odd else "utf-16-be"
            return name, f"no byte-order mark, but it looks like UTF-16: read as {name}"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            fallback = FALLBACK_ENCODING
            try:
                path.read_bytes().decode(fallback)
            except UnicodeDecodeError:
                fallback = "latin-1"  # every byte is a character
            return fallback, (
                f"not UTF-8 and no encoding given: read as {fallback}; set `encoding` on its "
                "data_files entry if that is wrong"
            )
    return DEFAULT_ENCODING, None


def reader(*suffixes: str):
    def add(fn: Callable[[Path, str], Rows]) -> Callable[[Path, str], Rows]:
        for suffix in suffixes:
            _READERS[suffix] = fn
        return fn

    return add


def read_rows(path: Path, encoding: str = DEFAULT_ENCODING) -> Rows:
    fn = _READERS.get(path.suffix.lower())
    if fn is None:
        raise ValueError(f"{path}: unsupported data file type")
    return fn(path, encoding)


@reader(".jsonl")
def read_jsonl(path: Path, encoding: str = DEFAULT_ENCODING) -> Rows:
    with path.open("r", encoding=encoding, newline="") as fh:
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
def read_json(path: Path, encoding: str = DEFAULT_ENCODING) -> Rows:
    """A JSON array of objects, or (as Potato has always read .json files) JSON Lines."""
    with path.open("r", encoding=encoding) as fh:
        try:
            head = fh.read(4096)
        except UnicodeDecodeError as exc:
            yield 1, RowProblem(f"not UTF-8 text ({exc.reason})")
            return
    if not head.lstrip().startswith("["):
        yield from read_jsonl(path, encoding)
        return
    try:
        text = path.read_text(encoding=encoding)
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
def read_csv(path: Path, encoding: str = DEFAULT_ENCODING) -> Rows:
    yield from _read_table(path, ",", encoding)


@reader(".tsv")
def read_tsv(path: Path, encoding: str = DEFAULT_ENCODING) -> Rows:
    yield from _read_table(path, "\t", encoding)


def _read_table(path: Path, delimiter: str, encoding: str = DEFAULT_ENCODING) -> Rows:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with path.open("r", encoding=encoding, newline="") as fh:
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
