"""Potato-compatible per-user output: `<output_annotation_dir>/<user>/annotated_instances.jsonl`.

These files are exports of the store, never read back. A save marks its user dirty; a
background thread rewrites dirty users' files every `output_flush_seconds`, and `close()`
(server shutdown) flushes the rest. Each file is replaced atomically (temp file, fsync,
rename), so a reader or a crash never sees half a file.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .rows import potato_line

if TYPE_CHECKING:
    from ..config.model import ProjectConfig
    from ..store import Store

log = logging.getLogger("potato_like")
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")
FILE_NAME = "annotated_instances.jsonl"
FLUSHED_AT = "outputs_flushed_at"  # meta key: every change before this time is in the files


def user_dir_name(username: str) -> str:
    """A directory name for a user: readable, never a path separator or a dot-only name."""
    name = _UNSAFE.sub(lambda m: f"_{ord(m.group()):x}_", username)
    return name if name.strip(".") else f"_{name}"


def write_atomically(path: Path, lines) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


class OutputWriter:
    def __init__(self, store: Store, config: ProjectConfig) -> None:
        self.store = store
        self.config = config
        self._dirty: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def resume(self) -> int:
        """After a crash the files may lag the store: rewrite those of everyone active since
        the last complete flush (recorded in the store)."""
        since = float(self.store.get_meta(FLUSHED_AT) or 0)
        stale = self.store.users.active_since(since)
        for user_id in stale:
            self.mark_dirty(user_id)
        return len(stale)

    def mark_dirty(self, user_id: int) -> None:
        with self._lock:
            self._dirty.add(user_id)
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(
                    target=self._run, name="potato-like-output", daemon=True
                )
                self._thread.start()

    def path_for(self, username: str) -> Path:
        return self.config.output_dir / user_dir_name(username) / FILE_NAME

    def flush(self) -> int:
        """Write every dirty user's file now; returns how many were written."""
        started = time.time()
        with self._lock:
            dirty, self._dirty = self._dirty, set()
        written = 0
        for user_id in sorted(dirty):
            try:
                self.write_user(user_id)
                written += 1
            except OSError as exc:
                log.error("cannot write output for user %s: %s", user_id, exc)
                with self._lock:
                    self._dirty.add(user_id)  # try again next time
        with self._lock:
            caught_up = not self._dirty
        if dirty and caught_up:
            with self.store.write() as conn:
                self.store.set_meta(conn, FLUSHED_AT, repr(started))
        return written

    def write_user(self, user_id: int) -> Path | None:
        user = self.store.users.get(user_id)
        if user is None:
            return None
        path = self.path_for(user.username)
        rows = self.store.annotations.iter_annotated(user_id=user_id)
        write_atomically(
            path,
            (json.dumps(potato_line(row, self.config), ensure_ascii=False) + "\n" for row in rows),
        )
        return path

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.flush()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._stop.wait(self.config.output_flush_seconds)
            self.flush()
