"""Password reset links: one row per link, keyed by the SHA-256 of its token (the token
itself is never stored, so a copy of the database gives no usable links)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, bindparam, delete, func, select, update

from .tables import login_sessions, password_resets, users

if TYPE_CHECKING:
    from . import Store

# Ended and expired rows are kept this long (so a used link still answers "already used"),
# then deleted when the next link is issued.
KEEP_ENDED_SECONDS = 30 * 86400

LINK_BY_HASH = select(password_resets).where(password_resets.c.token_hash == bindparam("h"))


@dataclass(frozen=True)
class ResetLink:
    token_hash: str
    user_id: int
    created_at: float
    expires_at: float
    ended_at: float | None
    ended_reason: str | None


@dataclass(frozen=True)
class ResetDone:
    user_id: int
    sessions_ended: int


class PasswordResets:
    def __init__(self, store: Store) -> None:
        self.store = store

    def issue(self, user_id: int, token_hash: str, now: float, expires_at: float) -> None:
        """Record a new link; the user's earlier open links end ("replaced")."""
        with self.store.write() as conn:
            self._end_open(conn, user_id, "replaced", now)
            conn.execute(
                delete(password_resets).where(
                    func.coalesce(password_resets.c.ended_at, password_resets.c.expires_at)
                    < now - KEEP_ENDED_SECONDS
                )
            )
            conn.execute(
                password_resets.insert().values(
                    token_hash=token_hash, user_id=user_id, created_at=now, expires_at=expires_at
                )
            )

    def find(self, token_hash: str) -> ResetLink | None:
        with self.store.read() as conn:
            row = conn.execute(LINK_BY_HASH, {"h": token_hash}).first()
        return ResetLink(**row._mapping) if row else None

    def complete(self, token_hash: str, password_hash: str, now: float) -> ResetDone | None:
        """Use a link: in one transaction the link ends ("used") if it is still open and
        unexpired, its user gets the new password, their other links end and every session
        of theirs is deleted. None when the link was not usable (also when another request
        used it first)."""
        with self.store.write() as conn:
            row = conn.execute(LINK_BY_HASH, {"h": token_hash}).first()
            if row is None:
                return None
            claimed = conn.execute(
                update(password_resets)
                .where(
                    (password_resets.c.token_hash == token_hash)
                    & password_resets.c.ended_at.is_(None)
                    & (password_resets.c.expires_at > now)
                )
                .values(ended_at=now, ended_reason="used")
            ).rowcount
            if claimed != 1:
                return None
            conn.execute(
                update(users).where(users.c.id == row.user_id).values(password_hash=password_hash)
            )
            self._end_open(conn, row.user_id, "password_changed", now)
            ended = conn.execute(
                delete(login_sessions).where(login_sessions.c.user_id == row.user_id)
            ).rowcount
        return ResetDone(user_id=row.user_id, sessions_ended=ended)

    def end_for_user(self, user_id: int, now: float, reason: str = "password_changed") -> int:
        """End a user's open links (their password was set another way); how many ended."""
        with self.store.write() as conn:
            return self._end_open(conn, user_id, reason, now)

    def open_count(self, user_id: int, now: float) -> int:
        with self.store.read() as conn:
            return conn.execute(
                select(func.count())
                .select_from(password_resets)
                .where(
                    (password_resets.c.user_id == user_id)
                    & password_resets.c.ended_at.is_(None)
                    & (password_resets.c.expires_at > now)
                )
            ).scalar_one()

    @staticmethod
    def _end_open(conn: Connection, user_id: int, reason: str, now: float) -> int:
        return conn.execute(
            update(password_resets)
            .where((password_resets.c.user_id == user_id) & password_resets.c.ended_at.is_(None))
            .values(ended_at=now, ended_reason=reason)
        ).rowcount
