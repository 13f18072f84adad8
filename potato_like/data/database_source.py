"""`data_sources` entries of `type: database`: rows of a SQL query (or a table) become items.

The rows are kept in a JSON Lines copy in the data cache (`<cache_dir>/database/`), which
is imported like any data file, so a database that is down at the next start still leaves
the project its items. Without `live_ingestion` the copy is the query's result at start
(rows gone from the result are retired like rows removed from a file). With it, the copy
only grows: rows are added by id, never overwritten, so annotations on them are never
lost; data/live_ingest.py polls for new rows while the server runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..store.external_rows import ExternalDbError, open_engine, stream_rows

_SLUG = re.compile(r"[^A-Za-z0-9_.-]+")
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


@dataclass(frozen=True)
class LiveIngestion:
    """Potato's `live_ingestion` options (docs/data.md lists them)."""

    poll_seconds: float = 5.0
    cursor_column: str | None = None
    tiebreaker_column: str | None = None
    initial_cursor: str | float | None = None
    batch_size: int = 500
    overlap_seconds: float = 0.0
    safety_lag_seconds: float = 0.0
    backoff_initial_seconds: float = 1.0
    backoff_max_seconds: float = 300.0
    max_consecutive_failures: int = 0
    stop_after_items: int = 0
    replay_on_start: bool = True


@dataclass(frozen=True)
class DatabaseSource:
    id: str
    url: str  # a SQLAlchemy URL; may hold a password, so never shown (see `shown_url`)
    query: str  # the admin's SELECT (or SELECT * FROM table)
    id_column: str = "id"
    text_column: str | None = None
    live: LiveIngestion | None = None

    kind = "database"

    @property
    def explicit(self) -> bool:
        """Potato's explicit mode: the query binds `:cursor` itself."""
        return ":cursor" in self.query

    @property
    def shown_url(self) -> str:
        return _PASSWORD.sub(r"\1***@", self.url)

    @property
    def stem(self) -> str:
        digest = hashlib.sha256(f"{self.url}\n{self.query}".encode()).hexdigest()[:12]
        return f"{_SLUG.sub('_', self.id)[:60]}-{digest}"

    def copy_path(self, cache_dir: Path) -> Path:
        return cache_dir / "database" / f"{self.stem}.jsonl"


def load_at_start(source: DatabaseSource, cache_dir: Path) -> tuple[Path, str | None]:
    """(the copy to import, a warning or None). Reads the query now unless live ingestion
    says not to replay; if the database cannot be read, an existing copy is used with a
    warning, else ExternalDbError."""
    path = source.copy_path(cache_dir)
    live = source.live
    if live is not None and (source.explicit or not live.replay_on_start):
        if not path.exists():  # the poller reads from the cursor; nothing to replay
            append(path, [])
        return path, None
    try:
        engine = open_engine(source.url)
        if live is None:
            rows = (row for batch in stream_rows(engine, source.query) for row in batch)
            _write(path, rows)
        else:
            known = ids_in(path, source.id_column)
            fresh = []
            for batch in stream_rows(engine, source.query):
                fresh.extend(unseen(batch, source.id_column, known))
            append(path, fresh)
    except ExternalDbError as exc:
        if path.exists():
            return path, f"could not read the database ({exc}); using the rows read before"
        raise
    return path, None


def unseen(rows: list[dict], id_column: str, known: set[str]) -> list[dict]:
    """The rows whose id is new (and remember them in `known`); rows without an id are
    dropped (the importer would refuse them)."""
    out = []
    for row in rows:
        key = row.get(id_column)
        if key is None or str(key) in known:
            continue
        known.add(str(key))
        out.append(row)
    return out


def ids_in(path: Path, id_column: str) -> set[str]:
    if not path.exists():
        return set()
    found = set()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                value = json.loads(line).get(id_column)
                if value is not None:
                    found.add(str(value))
    return found


def append(path: Path, rows: list[dict]) -> None:
    """Add rows to the copy: written whole and renamed, so an import never reads half a
    line."""
    if not rows and path.exists():
        return
    old = path.read_bytes() if path.exists() else b""
    body = old + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    _replace(path, body)


def _write(path: Path, rows) -> None:
    _replace(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode())


def _replace(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rows-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
