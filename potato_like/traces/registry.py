"""The trace-format registry and the file reading every format shares.

A format is a `TraceFormat` subclass registered under its name: `detect(value)` says
whether one record looks like this format, `convert(records)` turns the records of one
file (each with its line number) into items. Bad input raises `TraceError` naming the file
and the line. A text format (`text_format = True`: ReAct, Aider) gets the whole file as one
record whose value is the text; `auto` offers a file that does not start with `{` or `[` to
the text formats' `detect_text` before reading it as JSON.
"""

from __future__ import annotations

import functools
import importlib
import json
import pkgutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

MAX_FILE_BYTES = 500 * 1024 * 1024
_FORMATS: dict[str, type[TraceFormat]] = {}


class TraceError(ValueError):
    """A trace file that cannot be read or converted, with where."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = str(path), line, message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Record:
    """One JSON value of a trace file and the line it starts on."""

    value: Any
    line: int
    path: str

    def error(self, message: str) -> TraceError:
        return TraceError(self.path, self.line, message)


class TraceFormat:
    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str] = ""
    # Auto-detection tries formats in this order (lower first): specific shapes before
    # generic ones.
    detect_order: ClassVar[int] = 50
    # A text format (ReAct, Aider) reads the whole file as one record whose value is the
    # text; `detect_text` looks at that text, `detect` is not asked.
    text_format: ClassVar[bool] = False

    def detect(self, value: Any) -> bool:
        raise NotImplementedError

    def detect_text(self, text: str) -> bool:
        return False

    def convert(self, records: list[Record]) -> Iterator[dict]:
        """Items from the records of one file (default: one item per record)."""
        for n, record in enumerate(records):
            yield self.convert_one(record, n)

    def convert_one(self, record: Record, n: int) -> dict:
        raise NotImplementedError


def register(cls: type[TraceFormat]) -> type[TraceFormat]:
    for name in (cls.name, *cls.aliases):
        if name in _FORMATS:
            raise ValueError(f"trace format {name!r} is registered twice")
        _FORMATS[name] = cls
    return cls


@functools.cache
def _load() -> None:
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name not in ("registry", "common", "cli"):
            importlib.import_module(f"{__package__}.{module.name}")


def formats() -> dict[str, type[TraceFormat]]:
    """Every registered name (aliases included) -> its format."""
    _load()
    return dict(_FORMATS)


def format_names() -> list[str]:
    return sorted({cls.name for cls in formats().values()})


def get_format(name: str) -> TraceFormat:
    found = formats().get(name)
    if found is None:
        raise ValueError(
            f"unknown trace format {name!r}; known: {', '.join(format_names())} (or auto)"
        )
    return found()


def _ordered() -> list[type[TraceFormat]]:
    return sorted(set(formats().values()), key=lambda c: (c.detect_order, c.name))


def detect_format(records: list[Record]) -> TraceFormat | None:
    if not records:
        return None
    first = records[0].value
    for cls in _ordered():
        fmt = cls()
        if not fmt.text_format and fmt.detect(first):
            return fmt
    return None


def detect_text_format(text: str) -> TraceFormat | None:
    """The text format of a file that is not JSON (it must not start with { or [)."""
    if text.lstrip()[:1] in ("{", "["):
        return None
    for cls in _ordered():
        fmt = cls()
        if fmt.text_format and fmt.detect_text(text):
            return fmt
    return None


# -- reading -----------------------------------------------------------------------------
def read_records(path: Path) -> list[Record]:
    """The JSON values of a .json file (the elements of a top-level array, each with its
    line) or of a JSON Lines file (one per non-empty line)."""
    return records_of_text(path, read_text(path))


def read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise TraceError(path, None, f"larger than {MAX_FILE_BYTES // 2**20} MB")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TraceError(path, None, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise TraceError(path, None, exc.strerror or str(exc)) from None
    if not text.strip():
        raise TraceError(path, None, "the file is empty")
    return text


def records_of_text(path: Path, text: str) -> list[Record]:
    stripped = text.lstrip()
    if not stripped:
        raise TraceError(path, None, "the file is empty")
    if path.suffix.lower() == ".jsonl" or (stripped[0] == "{" and _many_lines_of_json(text)):
        return list(_json_lines(path, text))
    return list(_json_document(path, text))


def _many_lines_of_json(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    try:
        json.loads(lines[0])
    except ValueError:
        return False
    return True


def _json_lines(path: Path, text: str) -> Iterator[Record]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            raise TraceError(path, number, f"not valid JSON ({_reason(exc)})") from None
        yield Record(value, number, str(path))


def _json_document(path: Path, text: str) -> Iterator[Record]:
    decoder = json.JSONDecoder()
    i = _skip(text, 0)
    if text[i] != "[":
        try:
            value, end = decoder.raw_decode(text, i)
        except ValueError as exc:
            raise TraceError(path, _line_of(text, getattr(exc, "pos", i)), _reason(exc)) from None
        if text[_skip(text, end) :].strip():
            raise TraceError(path, _line_of(text, end), "extra data after the JSON value")
        yield Record(value, _line_of(text, i), str(path))
        return
    i = _skip(text, i + 1)
    while i < len(text) and text[i] != "]":
        try:
            value, end = decoder.raw_decode(text, i)
        except ValueError as exc:
            pos = getattr(exc, "pos", i)
            raise TraceError(
                path, _line_of(text, pos), f"not valid JSON ({_reason(exc)})"
            ) from None
        yield Record(value, _line_of(text, i), str(path))
        i = _skip(text, end)
        if i < len(text) and text[i] == ",":
            i = _skip(text, i + 1)
        elif i >= len(text) or text[i] != "]":
            raise TraceError(path, _line_of(text, i), "expected ',' or ']' in the JSON array")
    if i >= len(text):
        raise TraceError(path, _line_of(text, len(text) - 1), "the JSON array is not closed")


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, max(0, pos)) + 1


def _reason(exc: ValueError) -> str:
    return getattr(exc, "msg", str(exc))


# -- importing ---------------------------------------------------------------------------
def import_files(format_name: str, paths: Iterable[Path]) -> Iterator[tuple[Path, str, dict]]:
    """(file, format used, item) for every trace of the files; `format_name` "auto" picks
    each file's format from its first record. Raises TraceError at the first problem."""
    seen: dict[str, str] = {}
    for path in paths:
        fmt, records = _read_as(path, format_name)
        for n, item in enumerate(fmt.convert(records)):
            item_id = str(item.get("id") or f"{path.stem}-{n + 1}")
            item["id"] = item_id
            if item_id in seen:
                raise TraceError(path, None, f"trace id {item_id!r} is also in {seen[item_id]}")
            seen[item_id] = str(path)
            yield path, fmt.name, item


def _read_as(path: Path, format_name: str) -> tuple[TraceFormat, list[Record]]:
    text = read_text(path)
    if format_name != "auto":
        fmt = get_format(format_name)
        if fmt.text_format:
            return fmt, [Record(text, 1, str(path))]
        return fmt, records_of_text(path, text)
    fmt = detect_text_format(text)
    if fmt is not None:
        return fmt, [Record(text, 1, str(path))]
    records = records_of_text(path, text)
    fmt = detect_format(records)
    if fmt is None:
        raise TraceError(
            path,
            records[0].line if records else None,
            "could not tell the trace format; name one of " + ", ".join(format_names()),
        )
    return fmt, records


def trace_rows(path: Path, format_name: str) -> Iterator[tuple[int, Any]]:
    """A data file of traces as the item importer reads rows: `(line, item)` per trace, or
    `(line, RowProblem)` for the first problem (`item_properties.trace_format`). The line is
    that of the trace's record where each record makes one trace (most formats), else of the
    file's first record."""
    from ..data.readers import RowProblem

    if path.suffix.lower() not in (".json", ".jsonl"):
        yield 1, RowProblem("item_properties.trace_format reads .json and .jsonl files only")
        return
    try:
        fmt, records = _read_as(path, format_name)
        if fmt.text_format:
            raise TraceError(path, None, f"{fmt.name} traces are text: use run.py import-traces")
        for n, item in enumerate(fmt.convert(records)):
            item["id"] = str(item.get("id") or f"{path.stem}-{n + 1}")
            yield records[min(n, len(records) - 1)].line, item
    except TraceError as err:
        yield err.line or 1, RowProblem(err.message)
