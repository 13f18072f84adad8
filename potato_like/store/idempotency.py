"""`Idempotency-Key` on /api/v1 creates: a key is reserved (per API key) with a hash of the
request before the create runs, so two concurrent requests with one key never both create;
the first successful answer is then kept and replayed for the same request. A failed create
frees the key again."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from .tables import idempotency_keys

if TYPE_CHECKING:
    from . import Store

KEEP_SECONDS = 24 * 3600.0
# A reservation whose request never finished (the process died) is dropped after this.
IN_FLIGHT_SECONDS = 120.0
IN_FLIGHT = 0  # status_code of a reserved key whose request is still running


def _this(api_key: str, key: str):
    return and_(idempotency_keys.c.api_key == api_key, idempotency_keys.c.key == key)


class Idempotency:
    def __init__(self, store: Store) -> None:
        self.store = store

    def find(self, api_key: str, key: str) -> dict | None:
        """{request_hash, status_code (0: in flight), response}, or None."""
        with self.store.read() as conn:
            row = conn.execute(select(idempotency_keys).where(_this(api_key, key))).first()
        return dict(row._mapping) if row is not None else None

    def reserve(self, api_key: str, key: str, request_hash: str) -> bool:
        """Take the key for a request about to run; False when it is taken (by an answer
        kept, or a request still running). Expired answers and stale reservations go."""
        now = time.time()
        try:
            with self.store.write() as conn:
                conn.execute(
                    delete(idempotency_keys).where(
                        and_(
                            _this(api_key, key),
                            or_(
                                idempotency_keys.c.created_at < now - KEEP_SECONDS,
                                and_(
                                    idempotency_keys.c.status_code == IN_FLIGHT,
                                    idempotency_keys.c.created_at < now - IN_FLIGHT_SECONDS,
                                ),
                            ),
                        )
                    )
                )
                conn.execute(
                    idempotency_keys.insert().values(
                        api_key=api_key,
                        key=key,
                        request_hash=request_hash,
                        status_code=IN_FLIGHT,
                        response="",
                        created_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    def complete(self, api_key: str, key: str, status_code: int, response: str) -> None:
        with self.store.write() as conn:
            conn.execute(
                update(idempotency_keys)
                .where(_this(api_key, key))
                .values(status_code=status_code, response=response, created_at=time.time())
            )

    def release(self, api_key: str, key: str) -> None:
        """The request failed: the key may be used again."""
        with self.store.write() as conn:
            conn.execute(
                delete(idempotency_keys).where(
                    and_(_this(api_key, key), idempotency_keys.c.status_code == IN_FLIGHT)
                )
            )
