"""Potato-compatible per-user output: `<output_annotation_dir>/<user>/annotated_instances.jsonl`
and Potato's `<user>/user_state.json` (export/user_state.py), written by the same flush.

These files are exports of the store, never read back. A save marks its user (and the item)
dirty; a background thread brings dirty users' files up to date every
`output_flush_seconds`, and `close()` (server shutdown) flushes the rest.

Two ways to bring a file up to date:
- **append** (the usual case: the user finished new items further down their list): the
  lines of the items after the last one in the file are appended in one write, then fsync.
  Its cost is the new lines only, so a user with 10,000 finished items costs no more per
  flush than one with ten.
- **rewrite** (an edit or a cleared answer on an item already in the file, an item outside
  the user's list, the first flush of this process, or a file someone else replaced or
  changed): the whole file is written to a temp file, fsynced and renamed over the old one,
  so a reader never sees half a file.
A crash during an append (or a power cut before its fsync) can leave the last line cut
short. So at start `resume` rewrites from the store the files of everyone active since the
last complete flush *and* every file whose last line is cut (no final newline), logging a
warning; and `read_user_file`, the reader for tools, skips a cut last line with a warning.
Complete lines are never dropped: the store holds every answer and a rewrite writes them all.
`user_state.json` is one JSON document, so it is always rewritten whole (temp + rename), as
Potato does at every save; only users with changes are written at each flush.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..private_files import make_private_dir, open_private
from .project_file import file_name, project_file_lines
from .rows import potato_line
from .user_dirs import user_dir
from .user_state import FILE_NAME as STATE_FILE_NAME
from .user_state import build_user_state

if TYPE_CHECKING:
    from ..config.model import ProjectConfig
    from ..store import Store

log = logging.getLogger("potato_like")
FILE_NAME = "annotated_instances.jsonl"
FLUSHED_AT = "outputs_flushed_at"  # meta key: every change before this time is in the files


# The writer thread sleeps at least this many times as long as its last flush took, so it
# never takes more than about a sixth of the process's time (the GIL it shares with requests).
DUTY_FACTOR = 5.0
WHOLE_FILE = None  # a dirty mark that says "rewrite": the changed items are not known


@dataclass(frozen=True)
class FileState:
    """What this process last wrote to a user's file: the file's identity and size then (so
    a change by anyone else is noticed) and the last position of the user's list in it."""

    inode: int
    size: int
    last_position: int | None


def has_cut_last_line(path: Path) -> bool:
    """True when the file does not end with a newline (an append cut short by a crash)."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return False
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) != b"\n"
    except OSError:
        return False  # no file (yet): nothing cut


def read_user_file(path: Path) -> list[dict]:
    """The records of a per-user file. An incomplete last line (a crash mid-append) is
    skipped with a logged warning; every complete line is returned. A complete line that is
    not JSON (someone edited the file) is skipped with a warning too, never an exception."""
    records: list[dict] = []
    with path.open("rb") as fh:
        data = fh.read()
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the file ends with a newline
    if tail:
        log.warning(
            "%s: ignoring an incomplete last line (%d bytes, no newline): cut short by a "
            "crash; the next start rewrites the file from the database",
            path,
            len(tail),
        )
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line.decode("utf-8")))
        except (UnicodeDecodeError, ValueError):
            log.warning("%s:%d: ignoring a line that is not JSON", path, number)
    return records


def write_atomically(path: Path, lines) -> None:
    make_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with os.fdopen(open_private(tmp), "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextlib.contextmanager
def output_lock(output_dir: Path):
    """An exclusive lock on `<output dir>/.output-writer.lock` between processes (no-op
    without fcntl)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux/macOS
        yield
        return
    make_private_dir(output_dir)
    fd = os.open(output_dir / ".output-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing drops the lock


class OutputWriter:
    def __init__(self, store: Store, config: ProjectConfig) -> None:
        self.store = store
        self.config = config
        # user id -> the item seqs changed since the last flush (WHOLE_FILE: not known)
        self._dirty: dict[int, set[int] | None] = {}
        self._files: dict[int, FileState] = {}
        self._failing: set[int] = set()  # users whose file could not be written (logged once)
        self._lock = threading.Lock()  # guards _dirty
        self._flushing = threading.Lock()  # one flush at a time (writer thread, admin, close)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Whether a complete flush advances FLUSHED_AT. The worker processes of
        # `run.py --workers N` do not: one worker catching up says nothing about another's
        # pending files, so there the master records it (mark_flushed) at start and after
        # a clean stop, and a worker restarted after a crash resumes from that mark.
        self.records_flushes = True

    def pending(self) -> bool:
        """Whether some user's file is not up to date yet."""
        with self._lock:
            return bool(self._dirty)

    def mark_flushed(self, at: float) -> None:
        """Record that every change before `at` is in the files."""
        with self.store.write() as conn:
            self.store.set_meta(conn, FLUSHED_AT, repr(at))

    def resume(self) -> int:
        """After a crash the files may lag the store or end in a cut line: rewrite those of
        everyone active since the last complete flush (recorded in the store) and every file
        whose last line is incomplete. Returns how many files will be rewritten."""
        since = float(self.store.get_meta(FLUSHED_AT) or 0)
        stale = set(self.store.users.active_since(since))
        for user_id, username in self.store.users.all_names():
            path = self.path_for(username)
            if user_id not in stale and has_cut_last_line(path):
                log.warning(
                    "%s ends in an incomplete line (cut short by a crash): rewriting it from "
                    "the database",
                    path,
                )
                stale.add(user_id)
        for user_id in stale:
            self.mark_dirty(user_id)
        return len(stale)

    def mark_dirty(self, user_id: int, item_seq: int | None = None) -> None:
        """The user's answers changed (on `item_seq`; None: somewhere)."""
        with self._lock:
            if item_seq is None:
                self._dirty[user_id] = WHOLE_FILE
            elif user_id not in self._dirty:
                self._dirty[user_id] = {item_seq}
            elif self._dirty[user_id] is not WHOLE_FILE:
                self._dirty[user_id].add(item_seq)
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(
                    target=self._run, name="potato-like-output", daemon=True
                )
                self._thread.start()

    def path_for(self, username: str) -> Path:
        return user_dir(self.config.output_dir, username) / FILE_NAME

    def flush(self) -> int:
        """Write every dirty user's file now; returns how many were written. Several server
        processes (`run.py --workers N`) flush one at a time (a lock file in the output
        directory), so a file's size checked before an append is still its size when the
        append is written; a file another process changed is rewritten, not appended to."""
        with self._flushing, output_lock(self.config.output_dir):
            return self._flush()

    def _flush(self) -> int:
        started = time.time()
        with self._lock:
            dirty, self._dirty = self._dirty, {}
        written = 0
        for user_id in sorted(dirty):
            try:
                self.write_user(user_id, dirty[user_id])
                written += 1
                if user_id in self._failing:
                    self._failing.discard(user_id)
                    log.info("output for user %s is written again", user_id)
            except OSError as exc:
                if user_id not in self._failing:  # once, not at every flush
                    self._failing.add(user_id)
                    log.error("cannot write output for user %s (retrying): %s", user_id, exc)
                self._files.pop(user_id, None)
                self.mark_dirty(user_id)  # try again next time, from scratch
        if dirty and self.config.output_annotation_format:
            self.write_project_file()
        with self._lock:
            caught_up = not self._dirty
        if dirty and caught_up and self.records_flushes:
            with self.store.write() as conn:
                self.store.set_meta(conn, FLUSHED_AT, repr(started))
        return written

    def write_user(self, user_id: int, changed: set[int] | None = WHOLE_FILE) -> Path | None:
        """Bring the user's file up to date: append when only items after the file's last
        one changed (`changed`: their seqs), else rewrite it."""
        user = self.store.users.get(user_id)
        if user is None:
            return None
        path = self.path_for(user.username)
        state = self._files.get(user_id)
        if state is not None and changed and self._appendable(path, state, user_id, changed):
            self._append(path, user_id, state)
            self.write_state(user, path.parent)
            return path
        positions: list[int] = []

        def lines():
            for row in self.store.annotations.iter_annotated(user_id=user_id):
                if row.position is not None:
                    positions.append(row.position)
                yield self._line(row)

        write_atomically(path, lines())
        stat = path.stat()
        self._files[user_id] = FileState(stat.st_ino, stat.st_size, max(positions, default=None))
        self.write_state(user, path.parent)
        return path

    def write_project_file(self) -> Path | None:
        """Potato 1.x's annotated_instances.<output_annotation_format> with everyone's answers
        (export/project_file.py), rebuilt whole. A failure is logged; the file is written
        again at the next flush with changes."""
        path = self.config.output_dir / file_name(self.config.output_annotation_format)
        try:
            write_atomically(path, project_file_lines(self.store, self.config))
        except OSError as exc:
            log.error("cannot write %s (written again at the next change): %s", path, exc)
            return None
        return path

    def write_state(self, user, directory: Path) -> None:
        """Potato's user_state.json for the user, rewritten whole (temp file + rename) after
        their jsonl file, in the same flush."""
        rows = self.store.annotations.iter_annotated(user_id=user.id)
        state = build_user_state(self.store, self.config, user, rows)
        text = json.dumps(state, ensure_ascii=False, indent=2) + "\n"
        write_atomically(directory / STATE_FILE_NAME, [text])

    def _line(self, row) -> str:
        return json.dumps(potato_line(row, self.config), ensure_ascii=False) + "\n"

    def _appendable(self, path: Path, state: FileState, user_id: int, changed: set[int]) -> bool:
        try:
            stat = path.stat()
        except OSError:
            return False
        if (stat.st_ino, stat.st_size) != (state.inode, state.size):
            return False  # replaced or changed by someone else (another server process)
        positions = self.store.assignments.positions(user_id, changed)
        after = -1 if state.last_position is None else state.last_position
        return len(positions) == len(changed) and all(p > after for p in positions.values())

    def _append(self, path: Path, user_id: int, state: FileState) -> None:
        rows = list(
            self.store.annotations.iter_annotated(
                user_id=user_id, after_position=state.last_position
            )
        )
        if not rows:
            return
        data = "".join(self._line(row) for row in rows).encode("utf-8")
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(f"short write to {path} ({written} of {len(data)} bytes)")
            os.fsync(fd)
        finally:
            os.close(fd)
        last = max(row.position for row in rows if row.position is not None)
        self._files[user_id] = FileState(state.inode, state.size + len(data), last)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.flush()

    def _run(self) -> None:
        took = 0.0
        while not self._stop.is_set():
            self._stop.wait(max(self.config.output_flush_seconds, DUTY_FACTOR * took))
            started = time.perf_counter()
            self.flush()
            took = time.perf_counter() - started
