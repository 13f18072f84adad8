"""Named locks held across processes that share one database (SQLite file or PostgreSQL).

A lock is a row in `store_locks`; taking it is one write transaction (BEGIN IMMEDIATE on
SQLite, a row lock on PostgreSQL): insert the row, or take it over when its holder's lease
ran out (a holder that died frees it after `seconds`). Use for rare, coarse work such as
advancing an IBWS round, never on a request's hot path."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import delete, or_, select, update

from .tables import store_locks

if TYPE_CHECKING:
    from . import Store

L = store_locks.c


def new_holder() -> str:
    return f"{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:12]}"


class Locks:
    def __init__(self, store: Store) -> None:
        self.store = store

    def acquire(self, name: str, holder: str, seconds: float = 300.0) -> bool:
        """Take the lock for `seconds` (or renew it); False when someone else holds it.
        Both statements are atomic on both databases, so two processes racing for a free
        lock cannot both win: one inserts, the other's insert does nothing and its update
        finds a live holder."""
        now = time.time()
        with self.store.write() as conn:
            inserted = conn.execute(
                self.store.insert(store_locks)
                .values(name=name, holder=holder, expires_at=now + seconds)
                .on_conflict_do_nothing(index_elements=["name"])
                .returning(L.name)
            ).first()
            if inserted is not None:
                return True
            taken = conn.execute(
                update(store_locks)
                .where(L.name == name, or_(L.holder == holder, L.expires_at <= now))
                .values(holder=holder, expires_at=now + seconds)
                .returning(L.name)
            ).first()
            return taken is not None

    def release(self, name: str, holder: str) -> None:
        with self.store.write() as conn:
            conn.execute(delete(store_locks).where(L.name == name, L.holder == holder))

    def holder(self, name: str) -> str | None:
        with self.store.read() as conn:
            row = conn.execute(select(L.holder, L.expires_at).where(L.name == name)).first()
        return row.holder if row is not None and row.expires_at > time.time() else None

    @contextmanager
    def held(self, name: str, seconds: float = 300.0) -> Iterator[bool]:
        """`with locks.held(name) as got:` - got is False when another holder has it."""
        holder = new_holder()
        got = self.acquire(name, holder, seconds)
        try:
            yield got
        finally:
            if got:
                self.release(name, holder)
