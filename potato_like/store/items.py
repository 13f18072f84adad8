"""Items: looked up by id or seq; text is read from the store on demand, never cached."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, select

from .tables import items

if TYPE_CHECKING:
    from . import Store


@dataclass(frozen=True)
class ItemRow:
    seq: int
    id: str
    text: str
    fields: dict[str, Any]  # the row's other fields
    holders: int
    done_count: int
    is_open: bool

    def data(self, text_key: str) -> dict[str, Any]:
        """The original data row (text put back under its key)."""
        out = dict(self.fields)
        out[text_key] = self.text
        return out


_COLUMNS = (
    items.c.seq,
    items.c.id,
    items.c.text,
    items.c.data,
    items.c.holders,
    items.c.done_count,
    items.c.is_open,
)


ITEM_BY_ID = select(*_COLUMNS).where(items.c.id == bindparam("id"), items.c.retired == 0)
ITEM_BY_SEQ = select(*_COLUMNS).where(items.c.seq == bindparam("s"))
SEQ_BY_ID = select(items.c.seq).where(items.c.id == bindparam("id"), items.c.retired == 0)


def _item(row) -> ItemRow:
    return ItemRow(
        seq=row.seq,
        id=row.id,
        text=row.text,
        fields=json.loads(row.data),
        holders=row.holders,
        done_count=row.done_count,
        is_open=bool(row.is_open),
    )


class Items:
    def __init__(self, store: Store) -> None:
        self.store = store

    def by_id(self, item_id: str, conn: Connection | None = None) -> ItemRow | None:
        if conn is not None:
            row = conn.execute(ITEM_BY_ID, {"id": item_id}).first()
        else:
            with self.store.read() as c:
                row = c.execute(ITEM_BY_ID, {"id": item_id}).first()
        return _item(row) if row else None

    def by_seq(self, seq: int, conn: Connection | None = None) -> ItemRow | None:
        if conn is not None:
            row = conn.execute(ITEM_BY_SEQ, {"s": seq}).first()
        else:
            with self.store.read() as c:
                row = c.execute(ITEM_BY_SEQ, {"s": seq}).first()
        return _item(row) if row else None

    def seq_of(self, item_id: str, conn: Connection) -> int | None:
        return conn.execute(SEQ_BY_ID, {"id": item_id}).scalar()

    def count(self) -> int:
        with self.store.read() as conn:
            return self.store.counter(conn, "items")

    def iter_id_fields(self, batch: int = 2000):
        """(item id, fields) of every item, in import order, streamed."""
        with self.store.read() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(
                select(items.c.id, items.c.data).order_by(items.c.seq)
            )
            for row in result:
                yield row.id, json.loads(row.data) if row.data else {}

    def iter_data(self, batch: int = 2000):
        """Every item's fields (its `data` JSON), in import order, streamed."""
        with self.store.read() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(
                select(items.c.data).order_by(items.c.seq)
            )
            for row in result:
                yield json.loads(row.data) if row.data else {}
