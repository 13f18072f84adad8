"""The cross-document event registry's events (Potato's event_registry): one row per event
holding its body as JSON. Every change is one write transaction that reads the row, applies
the change and writes it back, so concurrent annotators never lose each other's edits; a
change made against an older `updated_at` than the stored one is refused (StaleWrite)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update

from .tables import registry_events

if TYPE_CHECKING:
    from . import Store

Body = dict[str, Any]


class StaleWrite(Exception):
    def __init__(self, current: Body) -> None:
        super().__init__("stale_write")
        self.current = current


def iso_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{time.time_ns() % 10**9:09d}Z"


class EventRegistry:
    def __init__(self, store: Store) -> None:
        self.store = store

    def seed(self, events: list[Body]) -> int:
        """Add seed events whose id is not stored yet (an edited event is never reset)."""
        added = 0
        with self.store.write() as conn:
            have = set(conn.execute(select(registry_events.c.event_id)).scalars())
            for event in events:
                if event["id"] not in have:
                    self._insert(conn, event)
                    have.add(event["id"])
                    added += 1
        return added

    def _insert(self, conn, body: Body) -> None:
        conn.execute(
            insert(registry_events).values(
                event_id=body["id"], body=json.dumps(body), version=1, updated_at=time.time()
            )
        )

    def create(self, body: Body) -> Body:
        with self.store.write() as conn:
            self._insert(conn, body)
        return body

    def all(self) -> list[Body]:
        with self.store.read() as conn:
            rows = conn.execute(select(registry_events.c.body).order_by(registry_events.c.event_id))
            return [json.loads(b) for b in rows.scalars()]

    def get(self, event_id: str) -> Body | None:
        with self.store.read() as conn:
            found = conn.execute(
                select(registry_events.c.body).where(registry_events.c.event_id == event_id)
            ).scalar()
        return json.loads(found) if found else None

    def change(
        self, event_id: str, apply: Callable[[Body], None], expected_updated_at: str | None = None
    ) -> Body | None:
        """apply(body) in place, in one transaction; None when there is no such event."""
        with self.store.write() as conn:
            row = conn.execute(
                select(registry_events.c.body, registry_events.c.version).where(
                    registry_events.c.event_id == event_id
                )
            ).first()
            if row is None:
                return None
            body = json.loads(row.body)
            if expected_updated_at is not None and expected_updated_at != body.get("updated_at"):
                raise StaleWrite(body)
            apply(body)
            body["updated_at"] = iso_now()
            conn.execute(
                update(registry_events)
                .where(registry_events.c.event_id == event_id)
                .values(body=json.dumps(body), version=row.version + 1, updated_at=time.time())
            )
        return body

    def delete(self, event_id: str) -> bool:
        with self.store.write() as conn:
            gone = conn.execute(
                delete(registry_events).where(registry_events.c.event_id == event_id)
            )
        return gone.rowcount > 0
