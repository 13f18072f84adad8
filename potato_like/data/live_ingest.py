"""Live ingestion of a `type: database` source: a background thread polls for rows newer
than a stored cursor and adds them as items while the server runs.

- Keyset paging on (cursor_column, tiebreaker_column), never OFFSET, so rows inserted while
  reading are neither skipped nor repeated; `overlap_seconds` re-reads the boundary on the
  first page of each poll (for wall-clock cursors), and id de-duplication drops the repeats.
- The cursor is kept in `<output_dir>/live_ingestion_state.json` and never moves back.
- Failures back off exponentially with jitter; the server and its annotators carry on.
- The poll runs in its own thread (only in the leader process of `--workers N`); requests
  only start it, they never wait for a query.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..store.external_rows import (
    ExternalDbError,
    explicit_sql,
    managed_sql,
    open_engine,
    read_rows,
)
from .database_source import DatabaseSource, append, ids_in, unseen

log = logging.getLogger("potato_like")
STATE_FILE = "live_ingestion_state.json"


@dataclass
class LiveStatus:
    polls_total: int = 0
    polls_failed: int = 0
    rows_fetched: int = 0
    items_added: int = 0
    duplicates_skipped: int = 0
    consecutive_failures: int = 0
    last_error: str | None = None
    last_poll_at: float | None = None
    last_cursor: Any = None
    is_running: bool = False
    stopped_reason: str | None = None


@dataclass
class LiveIngestor:
    """One live source of one project. `on_rows()` imports the grown copy."""

    source: DatabaseSource
    copy: Path
    state_dir: Path
    on_rows: Callable[[], None]
    status: LiveStatus = field(default_factory=LiveStatus)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _known: set[str] | None = None

    # -- the cursor ---------------------------------------------------------------------
    def cursor(self) -> tuple[Any, Any]:
        saved = _read_state(self.state_dir).get(self.source.id) or {}
        if "cursor" in saved:
            return saved["cursor"], saved.get("tiebreak")
        return self.source.live.initial_cursor, None

    def _save_cursor(self, value: Any, tiebreak: Any) -> None:
        state = _read_state(self.state_dir)
        state[self.source.id] = {"cursor": value, "tiebreak": tiebreak}
        _write_state(self.state_dir, state)
        self.status.last_cursor = value

    # -- one poll -----------------------------------------------------------------------
    def poll(self) -> int:
        """Read every new row now (page after page) and import them; the number of items
        added. Raises ExternalDbError (the cursor stays where it was)."""
        with self._lock:
            self.status.polls_total += 1
            self.status.last_poll_at = time.time()
            try:
                added = self._poll()
            except ExternalDbError as exc:
                self.status.polls_failed += 1
                self.status.consecutive_failures += 1
                self.status.last_error = str(exc)
                raise
            self.status.consecutive_failures = 0
            self.status.last_error = None
            return added

    def _poll(self) -> int:
        live = self.source.live
        engine = open_engine(self.source.url)
        tie_col = live.tiebreaker_column or self.source.id_column
        if self._known is None:
            self._known = ids_in(self.copy, self.source.id_column)
        value, tiebreak = self.cursor()
        first, added = True, 0
        while not self._stop.is_set():
            room = self._room()
            if room == 0:
                break
            rows = self._page(engine, value, tiebreak, tie_col, rewind=first)
            first = False
            if not rows:
                break
            kept = _before_lag(rows, live.cursor_column, live.safety_lag_seconds)
            self.status.rows_fetched += len(kept)
            new = unseen(kept, self.source.id_column, self._known)
            self.status.duplicates_skipped += len(kept) - len(new)
            if room is not None:
                new = new[:room]
            if new:
                append(self.copy, new)
                self.on_rows()
                added += len(new)
                self.status.items_added += len(new)
            if kept:
                last = kept[-1]
                value, tiebreak = _advance((value, tiebreak), last, live.cursor_column, tie_col)
                self._save_cursor(value, tiebreak)
            if len(kept) < len(rows) or len(rows) < live.batch_size:
                break  # the rest is newer than the safety lag, or there is no more
        return added

    def _page(self, engine, value, tiebreak, tie_col: str, rewind: bool) -> list[dict]:
        live = self.source.live
        params: dict[str, Any] = {"limit": live.batch_size}
        if self.source.explicit:
            params["cursor"] = value
            return read_rows(engine, explicit_sql(self.source.query), params, live.batch_size)
        if value is not None and rewind and live.overlap_seconds:
            value, tiebreak = _rewound(value, live.overlap_seconds), None
        after = "" if value is None else "value" if tiebreak is None else "keyset"
        params.update(cv=value, ct=tiebreak)
        sql = managed_sql(engine, self.source.query, live.cursor_column, tie_col, after)
        return read_rows(engine, sql, params, live.batch_size)

    def _room(self) -> int | None:
        cap = self.source.live.stop_after_items
        return None if not cap else max(0, cap - self.status.items_added)

    # -- the thread ---------------------------------------------------------------------
    def ensure_running(self) -> None:
        with self._lock:
            if self._thread is not None or self.status.stopped_reason:
                return
            self._thread = threading.Thread(
                target=self._run, name=f"potato-like-live-{self.source.id}", daemon=True
            )
            self.status.is_running = True
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        live = self.source.live
        wait = 0.0
        try:
            while not self._stop.wait(wait):
                try:
                    self.poll()
                    wait = live.poll_seconds
                except ExternalDbError as exc:
                    failures = self.status.consecutive_failures
                    if live.max_consecutive_failures and failures >= live.max_consecutive_failures:
                        self.status.stopped_reason = f"{failures} failures in a row"
                        log.error("live source %s stopped: %s", self.source.id, exc)
                        return
                    wait = backoff(failures, live)
                    log.warning("live source %s: %s (retry in %.1f s)", self.source.id, exc, wait)
                except Exception:  # a bad row or import must not kill the poller silently
                    log.exception("live source %s", self.source.id)
                    self.status.consecutive_failures += 1
                    wait = backoff(self.status.consecutive_failures, live)
                if self._room() == 0:
                    self.status.stopped_reason = "stop_after_items reached"
                    return
        finally:
            self.status.is_running = False

    def describe(self) -> dict:
        return {"source_id": self.source.id, "type": "database", **self.status.__dict__}


def backoff(failures: int, live) -> float:
    """Seconds to wait after `failures` failed polls in a row: doubling from the initial
    delay up to the ceiling, with up to 25% jitter."""
    base = min(live.backoff_max_seconds, live.backoff_initial_seconds * 2 ** max(0, failures - 1))
    return base * (0.75 + random.random() * 0.25)


def _advance(current, row: dict, cursor_col: str, tie_col: str):
    value, tiebreak = row.get(cursor_col), row.get(tie_col)
    if value is None:
        return current
    return value, tiebreak


def _rewound(value: Any, seconds: float) -> Any:
    """The cursor moved back by `seconds`: numbers directly, ISO timestamps as times (in
    the same textual form, so text columns still compare in order)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value - seconds
    if isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        sep = " " if len(value) > 10 and value[10] == " " else "T"
        return (when - dt.timedelta(seconds=seconds)).isoformat(sep=sep)
    return value


def _before_lag(rows: list[dict], cursor_col: str, lag: float) -> list[dict]:
    """The rows up to the first one newer than now - lag (rows are in cursor order)."""
    if not lag:
        return rows
    limit = time.time() - lag
    out = []
    for row in rows:
        when = _epoch(row.get(cursor_col))
        if when is not None and when > limit:
            break
        out.append(row)
    return out


def _epoch(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        return when.timestamp()
    return None


def _read_state(directory: Path) -> dict:
    path = directory / STATE_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_state(directory: Path, state: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".live-", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(state, fh, default=str)
        os.replace(tmp, directory / STATE_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
