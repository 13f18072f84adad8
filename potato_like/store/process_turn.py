"""The write turn between processes on one SQLite file (`run.py --workers N`, or any other
processes opening the same project).

SQLite lets one writer in at a time; a second `BEGIN IMMEDIATE` waits in SQLite's busy
handler, which sleeps in growing steps (1, 2, 5, 10 ... 100 ms) and retries, so a writer can
lose to newer arrivals again and again: the busy-wait tails. Instead, each process takes an
exclusive `flock` on `<database>-writelock` before it begins a write transaction and releases
it after the commit. A process waiting for the lock sleeps in the kernel and is woken when the
holder releases it: no polling, no sleep steps. The kernel drops the lock of a process that
dies (kill -9 included), so a crashed worker never blocks the others.

One lock per process: the threads of a process already queue for `Store._write_turn` first,
so only one thread per process ever waits here. Where `fcntl` is missing (Windows), or for an
in-memory database, this is a no-op and SQLite's busy handler is all there is.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux/macOS
    fcntl = None


class ProcessTurn:
    """A context manager: hold the cross-process write lock of one SQLite file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._fd: int | None = None
        if path is not None and fcntl is not None:
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    @classmethod
    def for_engine(cls, engine: Engine) -> ProcessTurn:
        if engine.dialect.name != "sqlite":
            return cls(None)
        database = engine.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return cls(None)
        return cls(Path(f"{database}-writelock"))

    def __enter__(self) -> ProcessTurn:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_EX)  # blocks in the kernel until it is ours
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
