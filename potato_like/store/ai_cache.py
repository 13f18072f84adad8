"""The LLM suggestion cache (`ai_support.cache_config.disk_cache`): one row per suggestion
in the project's database, so an insert costs the same at 100 entries as at 100,000
(the JSON file it replaces was rewritten whole for every new entry), the cache survives
restarts and every server process shares it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select

from .tables import ai_cache

if TYPE_CHECKING:
    from . import Store

BATCH = 2000


class AiCache:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._upsert = self.store.insert(ai_cache)

    def get(self, key: str) -> dict[str, Any] | None:
        with self.store.read() as conn:
            raw = conn.execute(select(ai_cache.c.value).where(ai_cache.c.key == key)).scalar()
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        self.put_many([(key, value)])

    def put_many(self, entries: Iterable[tuple[str, dict[str, Any]]]) -> int:
        """Insert or replace entries, in transactions of BATCH rows. Returns the count."""
        now = time.time()
        rows = [
            {"key": k, "value": json.dumps(v, ensure_ascii=False), "created_at": now}
            for k, v in entries
        ]
        stmt = self._upsert.on_conflict_do_update(
            index_elements=["key"],
            set_={"value": self._upsert.excluded.value, "created_at": now},
        )
        for start in range(0, len(rows), BATCH):
            with self.store.write() as conn:
                conn.execute(stmt, rows[start : start + BATCH])
        return len(rows)

    def count(self) -> int:
        with self.store.read() as conn:
            return conn.execute(select(func.count()).select_from(ai_cache)).scalar_one()

    def clear(self) -> int:
        with self.store.write() as conn:
            return conn.execute(delete(ai_cache)).rowcount
