"""Rows of the webhook outbox (`webhook_deliveries`); the sending lives in webhooks/outbox.py.

A row is written in the caller's transaction (so a completion and its webhook commit or roll
back together), claimed by one delivery pass at a time (a compare-and-set on
`next_attempt_at`, so several processes on one database never send a row twice at once),
then marked delivered, rescheduled, or given up."""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import Connection, and_, func, select, update

from .tables import meta, webhook_deliveries

if TYPE_CHECKING:
    from . import Store

T = webhook_deliveries
SECRET_META = "webhooks.secret"  # noqa: S105 (the meta key's name, not a secret)
STATUSES = ("pending", "delivered", "failed", "undeliverable")


class OutboxRows:
    def __init__(self, store: Store) -> None:
        self.store = store
        # How deliveries go out (webhooks.outbox.DeliverySettings), set by whoever opened the
        # store (a project, a workspace); None: the defaults (no allow-listed hosts, no SMTP).
        self.settings = None

    # -- the signing secret ---------------------------------------------------------------
    def secret(self) -> str:
        """The store's webhook signing secret (`whsec_` + base64 of 32 random bytes),
        created on first use; concurrent first uses agree on one."""
        found = self.store.get_meta(SECRET_META)
        if found:
            return found
        import base64

        fresh = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")
        with self.store.write() as conn:
            stmt = self.store.insert(meta).values(key=SECRET_META, value=fresh)
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))
        return self.store.get_meta(SECRET_META) or fresh

    # -- writing --------------------------------------------------------------------------
    def insert(self, conn: Connection, row: dict) -> None:
        conn.execute(T.insert().values(**row))

    def due(self, now: float, limit: int = 50) -> list[dict]:
        """Pending rows whose next attempt is due, oldest first."""
        query = (
            select(T)
            .where(and_(T.c.status == "pending", T.c.next_attempt_at <= now))
            .order_by(T.c.next_attempt_at)
            .limit(limit)
        )
        with self.store.read() as conn:
            return [_row(r) for r in conn.execute(query)]

    def claim(self, delivery_id: str, expected: float, hold_until: float) -> bool:
        """Take a due row for one attempt: its next attempt moves to `hold_until` (so a
        process that dies mid-attempt leaves it to be retried then). False when another
        pass took it first."""
        with self.store.write() as conn:
            result = conn.execute(
                update(T)
                .where(
                    and_(
                        T.c.id == delivery_id,
                        T.c.status == "pending",
                        T.c.next_attempt_at == expected,
                    )
                )
                .values(next_attempt_at=hold_until)
            )
        return result.rowcount == 1

    def record(self, delivery_id: str, **values) -> None:
        """Store an attempt's outcome (status, attempts, next_attempt_at, last_* ...)."""
        with self.store.write() as conn:
            conn.execute(update(T).where(T.c.id == delivery_id).values(**values))

    def resend(self, delivery_id: str, now: float, retry_until: float) -> bool:
        """Queue a delivery again (whatever its status) with a fresh retry window."""
        with self.store.write() as conn:
            result = conn.execute(
                update(T)
                .where(T.c.id == delivery_id)
                .values(
                    status="pending",
                    next_attempt_at=now,
                    retry_until=retry_until,
                    delivered_at=None,
                )
            )
        return result.rowcount == 1

    # -- reading --------------------------------------------------------------------------
    def get(self, delivery_id: str) -> dict | None:
        with self.store.read() as conn:
            row = conn.execute(select(T).where(T.c.id == delivery_id)).first()
        return _row(row) if row is not None else None

    def recent(self, limit: int = 50, offset: int = 0, status: str | None = None) -> list[dict]:
        """Deliveries, newest first."""
        query = select(T).order_by(T.c.created_at.desc(), T.c.id.desc())
        if status is not None:
            query = query.where(T.c.status == status)
        with self.store.read() as conn:
            return [_row(r) for r in conn.execute(query.limit(limit).offset(offset))]

    def counts(self) -> dict[str, int]:
        """How many deliveries per status (every status present, zero when none)."""
        with self.store.read() as conn:
            rows = conn.execute(select(T.c.status, func.count()).group_by(T.c.status)).all()
        found = dict.fromkeys(STATUSES, 0)
        found.update({status: n for status, n in rows})
        return found

    def retrying(self) -> int:
        """Pending deliveries that failed at least once."""
        with self.store.read() as conn:
            return conn.execute(
                select(func.count()).where(and_(T.c.status == "pending", T.c.attempts > 0))
            ).scalar_one()

    def next_due(self) -> float | None:
        """When the earliest pending delivery is due (None: nothing pending)."""
        with self.store.read() as conn:
            return conn.execute(
                select(func.min(T.c.next_attempt_at)).where(T.c.status == "pending")
            ).scalar()


def _row(row) -> dict:
    found = dict(row._mapping)
    found["headers"] = json.loads(found.get("headers") or "{}")
    return found
