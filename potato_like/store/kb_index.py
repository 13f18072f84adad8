"""A local knowledge base's search index: an SQLite FTS5 file derived from the KB file.

The index lives next to the project database (`kb_<name>.sqlite3` in the output directory,
also for PostgreSQL deployments: it is derived data, rebuilt from the KB file whenever the
file's SHA-256 changes). It is built into a temporary file and renamed into place, so readers
in other processes never see half an index.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..private_files import touch_private

SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE entities (id TEXT PRIMARY KEY, name TEXT NOT NULL, aliases TEXT NOT NULL,"
    " description TEXT NOT NULL)",
    "CREATE VIRTUAL TABLE entity_text USING fts5(id UNINDEXED, name, aliases, description,"
    " tokenize = 'unicode61 remove_diacritics 2')",
)
SEARCH = (
    "SELECT e.id, e.name, e.aliases, e.description FROM entity_text"
    " JOIN entities e ON e.id = entity_text.id"
    " WHERE entity_text MATCH :match"
    # an exact name first, then names starting with the query, then by relevance
    " ORDER BY lower(e.name) = lower(:query) DESC, instr(lower(e.name), lower(:query)) = 1 DESC,"
    " bm25(entity_text, 0, 10.0, 5.0, 1.0), e.name LIMIT :limit"
)
BY_ID = "SELECT id, name, aliases, description FROM entities WHERE id = ?"


class KbIndex:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def source_hash(self) -> str | None:
        if not self.path.exists():
            return None
        try:
            with contextlib.closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as c:
                row = c.execute("SELECT value FROM meta WHERE key = 'source_sha256'").fetchone()
                return row[0] if row else None
        except sqlite3.DatabaseError:
            return None

    def rebuild(self, source_hash: str, entities: Iterable[tuple[str, str, list[str], str]]) -> int:
        """Write a fresh index from (id, name, aliases, description) rows; returns the count."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        touch_private(tmp)
        count = 0
        try:
            with contextlib.closing(sqlite3.connect(tmp)) as conn:
                for statement in SCHEMA:
                    conn.execute(statement)
                for entity_id, name, aliases, description in entities:
                    alias_json = json.dumps(aliases, ensure_ascii=False)
                    conn.execute(
                        "INSERT OR REPLACE INTO entities VALUES (?, ?, ?, ?)",
                        (entity_id, name, alias_json, description),
                    )
                    conn.execute(
                        "INSERT INTO entity_text VALUES (?, ?, ?, ?)",
                        (entity_id, name, " | ".join(aliases), description),
                    )
                    count += 1
                conn.execute("INSERT INTO meta VALUES ('source_sha256', ?)", (source_hash,))
                conn.commit()
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
        self._local = threading.local()  # reopen connections on the new file
        return count

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.conn = conn
        return conn

    def search(self, query: str, limit: int) -> list[dict[str, Any]]:
        terms = [t for t in _terms(query)]
        if not terms:
            return []
        match = " ".join(f'"{t}"*' for t in terms)
        params = {"match": match, "query": query.strip(), "limit": limit}
        return [_row(r) for r in self._conn().execute(SEARCH, params)]

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        row = self._conn().execute(BY_ID, (entity_id,)).fetchone()
        return _row(row) if row else None


def _terms(query: str) -> Iterator[str]:
    word = []
    for ch in query:
        if ch.isalnum():
            word.append(ch)
        elif word:
            yield "".join(word)
            word = []
    if word:
        yield "".join(word)


def _row(row) -> dict[str, Any]:
    return {"id": row[0], "name": row[1], "aliases": json.loads(row[2]), "description": row[3]}
