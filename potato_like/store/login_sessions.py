"""Server-side login sessions: created at login, deleted at logout or revocation."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, select, update

from .tables import login_sessions

if TYPE_CHECKING:
    from . import Store

SESSION_BY_ID = select(login_sessions).where(login_sessions.c.id == bindparam("sid"))
TOUCH = (
    update(login_sessions)
    .where(login_sessions.c.id == bindparam("sid"))
    .values(last_seen_at=bindparam("now"))
)


@dataclass(frozen=True)
class LoginSession:
    id: str
    user_id: int | None
    created_at: float
    last_seen_at: float


def session_id(token: str) -> str:
    """The stored id of a cookie's token (a database leak does not give usable cookies)."""
    return hashlib.sha256(token.encode()).hexdigest()


class LoginSessions:
    def __init__(self, store: Store) -> None:
        self.store = store

    def start(self, user_id: int | None) -> str:
        """A new session; returns the token the cookie carries."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self.store.write() as conn:
            conn.execute(
                login_sessions.insert().values(
                    id=session_id(token), user_id=user_id, created_at=now, last_seen_at=now
                )
            )
        return token

    def get(self, token: str) -> LoginSession | None:
        with self.store.read() as conn:
            row = conn.execute(SESSION_BY_ID, {"sid": session_id(token)}).first()
        return LoginSession(**row._mapping) if row else None

    def touch(self, token: str, now: float) -> None:
        with self.store.write() as conn:
            conn.execute(TOUCH, {"sid": session_id(token), "now": now})

    def end(self, token: str) -> None:
        with self.store.write() as conn:
            conn.execute(delete(login_sessions).where(login_sessions.c.id == session_id(token)))

    def revoke_user(self, user_id: int) -> int:
        """End every session of a user (password change, admin action); how many ended."""
        with self.store.write() as conn:
            return conn.execute(
                delete(login_sessions).where(login_sessions.c.user_id == user_id)
            ).rowcount

    def purge_expired(self, idle_before: float, created_before: float) -> int:
        with self.store.write() as conn:
            return conn.execute(
                delete(login_sessions).where(
                    (login_sessions.c.last_seen_at < idle_before)
                    | (login_sessions.c.created_at < created_before)
                )
            ).rowcount
