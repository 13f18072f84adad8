"""API keys (potato_like/api_keys.py says what they are): create, find by key, list, revoke.

Only hashes are stored. `last_used_at` is written at most once a minute per key, so a busy
script does not turn every request into a write."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, select, update

from ..api_keys import SHOWN_CHARS, ApiKey, key_hash, new_key
from .tables import api_keys

if TYPE_CHECKING:
    from . import Store

TOUCH_EVERY_SECONDS = 60.0
COLUMNS = (
    api_keys.c.id,
    api_keys.c.name,
    api_keys.c.key_prefix,
    api_keys.c.scopes,
    api_keys.c.project,
    api_keys.c.created_at,
    api_keys.c.last_used_at,
    api_keys.c.revoked_at,
)
BY_HASH = select(*COLUMNS).where(api_keys.c.key_hash == bindparam("h"))
TOUCH = (
    update(api_keys)
    .where((api_keys.c.id == bindparam("i")) & (api_keys.c.revoked_at.is_(None)))
    .values(last_used_at=bindparam("t"))
)


def _key(row) -> ApiKey:
    values = dict(row._mapping)
    values["scopes"] = tuple(s for s in values["scopes"].split(",") if s)
    return ApiKey(**values)


class ApiKeys:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(
        self, name: str, scopes: tuple[str, ...], project: str | None = None
    ) -> tuple[ApiKey, str]:
        """A new key: (its record, the key itself, which is never available again)."""
        key = new_key()
        now = time.time()
        record = ApiKey(
            id=str(uuid.uuid4()),
            name=name,
            key_prefix=key[:SHOWN_CHARS],
            scopes=scopes,
            project=project,
            created_at=now,
            last_used_at=None,
            revoked_at=None,
        )
        with self.store.write() as conn:
            conn.execute(
                api_keys.insert().values(
                    id=record.id,
                    name=name,
                    key_hash=key_hash(key),
                    key_prefix=record.key_prefix,
                    scopes=",".join(scopes),
                    project=project,
                    created_at=now,
                )
            )
        return record, key

    def ensure(self, name: str, key: str, scopes: tuple[str, ...], project: str | None) -> bool:
        """Store a key given in a config file (a workspace's bootstrap keys) unless it is
        already stored: True when added. A key once revoked stays revoked."""
        with self.store.write() as conn:
            if conn.execute(BY_HASH, {"h": key_hash(key)}).first() is not None:
                return False
            conn.execute(
                api_keys.insert().values(
                    id=str(uuid.uuid4()),
                    name=name,
                    key_hash=key_hash(key),
                    key_prefix=key[:SHOWN_CHARS],
                    scopes=",".join(scopes),
                    project=project,
                    created_at=time.time(),
                )
            )
        return True

    def find(self, key: str) -> ApiKey | None:
        """The unrevoked key record for a presented key (its use noted), or None."""
        with self.store.read() as conn:
            row = conn.execute(BY_HASH, {"h": key_hash(key)}).first()
        if row is None or row.revoked_at is not None:
            return None
        record = _key(row)
        now = time.time()
        if record.last_used_at is None or now - record.last_used_at > TOUCH_EVERY_SECONDS:
            with self.store.write() as conn:
                conn.execute(TOUCH, {"i": record.id, "t": now})
        return record

    def id_of(self, key: str) -> str | None:
        """The stored id of a key (revoked or not), without noting a use."""
        with self.store.read() as conn:
            row = conn.execute(BY_HASH, {"h": key_hash(key)}).first()
        return row.id if row else None

    def get(self, key_id: str) -> ApiKey | None:
        with self.store.read() as conn:
            row = conn.execute(select(*COLUMNS).where(api_keys.c.id == key_id)).first()
        return _key(row) if row else None

    def page(self, offset: int, limit: int, include_revoked: bool = False) -> tuple[list, int]:
        """(keys newest first, total) for one page of the list."""
        where = api_keys.c.revoked_at.is_(None) if not include_revoked else True
        with self.store.read() as conn:
            total = conn.execute(select(func.count()).select_from(api_keys).where(where)).scalar()
            rows = conn.execute(
                select(*COLUMNS)
                .where(where)
                .order_by(api_keys.c.created_at.desc(), api_keys.c.id)
                .offset(offset)
                .limit(limit)
            ).all()
        return [_key(r) for r in rows], int(total or 0)

    def revoke(self, key_id: str) -> bool:
        """True when the key existed and was not revoked yet."""
        with self.store.write() as conn:
            done = conn.execute(
                update(api_keys)
                .where((api_keys.c.id == key_id) & api_keys.c.revoked_at.is_(None))
                .values(revoked_at=time.time())
            )
        return done.rowcount == 1
