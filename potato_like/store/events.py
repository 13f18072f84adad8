"""The append-only event log: who changed what, when. Written inside the caller's transaction."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from .tables import events

if TYPE_CHECKING:
    from . import Store


APPEND = events.insert()


class Events:
    def __init__(self, store: Store) -> None:
        self.store = store

    def append(
        self,
        conn: Connection,
        kind: str,
        *,
        user_id: int | None = None,
        item_seq: int | None = None,
        schema: str | None = None,
        data: Any = None,
        ts: float | None = None,
    ) -> None:
        conn.execute(
            APPEND,
            {
                "ts": ts if ts is not None else time.time(),
                "user_id": user_id,
                "item_seq": item_seq,
                "kind": kind,
                "schema": schema,
                "data": json.dumps(data if data is not None else {}, ensure_ascii=False),
            },
        )
