"""`Idempotency-Key` on /api/v1 creates: the first answer to (API key, Idempotency-Key) is
kept with a hash of the request, and replayed for the same request; a different request
under the same key is refused by the caller."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, select
from sqlalchemy.exc import IntegrityError

from .tables import idempotency_keys

if TYPE_CHECKING:
    from . import Store

KEEP_SECONDS = 24 * 3600.0


class Idempotency:
    def __init__(self, store: Store) -> None:
        self.store = store

    def find(self, api_key: str, key: str) -> dict | None:
        """The stored answer {request_hash, status_code, response}, or None (also once it is
        older than KEEP_SECONDS)."""
        with self.store.read() as conn:
            row = conn.execute(
                select(idempotency_keys).where(
                    and_(idempotency_keys.c.api_key == api_key, idempotency_keys.c.key == key)
                )
            ).first()
        if row is None or row.created_at < time.time() - KEEP_SECONDS:
            return None
        return dict(row._mapping)

    def remember(
        self, api_key: str, key: str, request_hash: str, status_code: int, response: str
    ) -> bool:
        """Keep the answer; False when a concurrent request with the key was first."""
        now = time.time()
        try:
            with self.store.write() as conn:
                conn.execute(
                    delete(idempotency_keys).where(
                        and_(
                            idempotency_keys.c.api_key == api_key,
                            idempotency_keys.c.key == key,
                            idempotency_keys.c.created_at < now - KEEP_SECONDS,
                        )
                    )
                )
                conn.execute(
                    idempotency_keys.insert().values(
                        api_key=api_key,
                        key=key,
                        request_hash=request_hash,
                        status_code=status_code,
                        response=response,
                        created_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True
