"""Accounts."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict
from .tables import users

if TYPE_CHECKING:
    from . import Store


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    password_hash: str | None
    login_kind: str
    phase: str
    created_at: float
    last_active_at: float | None
    current_pos: int
    next_pos: int
    order_cursor: int
    assigned_count: int
    done_count: int
    max_items: int | None
    study_status: str = "active"
    status_reason: str | None = None
    qc_pending: str | None = None


USER_BY_ID = select(users).where(users.c.id == bindparam("u"))
USER_BY_NAME = select(users).where(users.c.username == bindparam("name"))
SET_PASSWORD = (
    update(users)
    .where(users.c.id == bindparam("u"))
    .values(password_hash=bindparam("h"), login_kind=bindparam("k"))
)
SET_MAX_ITEMS = update(users).where(users.c.id == bindparam("u")).values(max_items=bindparam("m"))


def user_from_row(row) -> UserRow:
    return UserRow(**{k: row._mapping[k] for k in UserRow.__dataclass_fields__})


class Users:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, user_id: int) -> UserRow | None:
        with self.store.read() as conn:
            row = conn.execute(USER_BY_ID, {"u": user_id}).first()
        return user_from_row(row) if row else None

    def by_name(self, username: str) -> UserRow | None:
        with self.store.read() as conn:
            row = conn.execute(USER_BY_NAME, {"name": username}).first()
        return user_from_row(row) if row else None

    def create(
        self,
        username: str,
        password_hash: str | None,
        *,
        login_kind: str = "password",
        phase: str = "annotation",
    ) -> UserRow:
        """Create an account; Conflict when the name is taken (also under races)."""
        now = time.time()
        try:
            with self.store.write() as conn:
                conn.execute(
                    users.insert().values(
                        username=username,
                        password_hash=password_hash,
                        login_kind=login_kind,
                        phase=phase,
                        created_at=now,
                        last_active_at=now,
                    )
                )
                row = conn.execute(select(users).where(users.c.username == username)).one()
        except IntegrityError:
            raise Conflict(f"the username {username!r} is already taken") from None
        return user_from_row(row)

    def count(self) -> int:
        with self.store.read() as conn:
            return conn.execute(select(func.count()).select_from(users)).scalar_one()

    def active_since(self, ts: float) -> list[int]:
        with self.store.read() as conn:
            rows = conn.execute(select(users.c.id).where(users.c.last_active_at >= ts))
            return [r.id for r in rows]

    def all_names(self) -> list[tuple[int, str]]:
        with self.store.read() as conn:
            rows = conn.execute(select(users.c.id, users.c.username).order_by(users.c.id))
            return [(r.id, r.username) for r in rows]

    def set_max_items(self, user_id: int, max_items: int | None) -> bool:
        """Override max_annotations_per_user for one user (None: back to the project's cap).
        False when the user does not exist."""
        with self.store.write() as conn:
            return bool(conn.execute(SET_MAX_ITEMS, {"u": user_id, "m": max_items}).rowcount)

    def set_password(self, user_id: int, password_hash: str, login_kind: str) -> bool:
        """Replace a user's password hash (and login kind); False when the user does not
        exist."""
        with self.store.write() as conn:
            params = {"u": user_id, "h": password_hash, "k": login_kind}
            return bool(conn.execute(SET_PASSWORD, params).rowcount)
