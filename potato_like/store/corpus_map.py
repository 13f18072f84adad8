"""The corpus map's current build (embeddings/corpus_map.py writes it, web/corpus_map.py
reads it): one row holding the points, clusters and neighbours as JSON, replaced whole by
each build; and the items it is built from."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select

from .tables import corpus_maps, items

if TYPE_CHECKING:
    from . import Store

I = items.c  # noqa: E741
CHUNK = 2000


class CorpusMapStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def documents(self) -> Iterator[tuple[str, str]]:
        """(item id, text) of every item not retired, in seq order, read in chunks."""
        after = -1
        while True:
            with self.store.read() as conn:
                rows = conn.execute(
                    select(I.seq, I.id, I.text)
                    .where(I.retired == 0, I.seq > after)
                    .order_by(I.seq)
                    .limit(CHUNK)
                ).all()
            for row in rows:
                yield row.id, row.text or ""
            if len(rows) < CHUNK:
                return
            after = rows[-1].seq

    def save(self, data: dict[str, Any]) -> float:
        built_at = time.time()
        with self.store.write() as conn:
            conn.execute(delete(corpus_maps))
            conn.execute(insert(corpus_maps).values(id=1, built_at=built_at, data=json.dumps(data)))
        return built_at

    def built_at(self) -> float | None:
        with self.store.read() as conn:
            return conn.execute(select(corpus_maps.c.built_at)).scalar()

    def load(self) -> tuple[float, dict[str, Any]] | None:
        with self.store.read() as conn:
            row = conn.execute(select(corpus_maps.c.built_at, corpus_maps.c.data)).first()
        return None if row is None else (row.built_at, json.loads(row.data))
