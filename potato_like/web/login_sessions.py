"""Server-side login sessions as the web app sees them: the cookie's token must name a live
row of store.login_sessions (logout and revocation delete it)."""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import TYPE_CHECKING

from flask import session

from ..store.login_sessions import LoginSession

if TYPE_CHECKING:
    from ..project import Project

SESSION_KEY = "sid"  # the session cookie field holding the server-side token
SESSION_CACHE_SECONDS = 5.0
# A session's last_seen_at is written at most this often (not on every request).
TOUCH_EVERY_SECONDS = 60.0


class SessionGuard:
    """Server-side sessions: the cookie carries a token (`sid`) that must name a live row
    of store.login_sessions. Rows are read through a short per-process cache, so a
    revocation reaches other processes within SESSION_CACHE_SECONDS."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.idle_seconds = project.config.session_idle_minutes * 60
        self.max_seconds = project.config.session_max_days * 86400
        self._cache: dict[str, tuple[LoginSession, float]] = {}
        self._lock = threading.Lock()
        self._last_purge = 0.0
        self.clock = time.time  # tests move it forward

    def start(self, user_id: int | None) -> None:
        """A new server-side session for this cookie (the previous one, if any, ends)."""
        self.end()
        session[SESSION_KEY] = self.project.store.login_sessions.start(user_id)
        self._purge_now_and_then()

    def end(self) -> None:
        token = session.pop(SESSION_KEY, None)
        if token:
            self.forget(token)
            self.project.store.login_sessions.end(token)

    def forget(self, token: str | None = None) -> None:
        """Drop cached rows (one token, or all after a revocation)."""
        with self._lock:
            if token is None:
                self._cache.clear()
            else:
                self._cache.pop(token, None)

    def is_live(self) -> bool:
        token = session.get(SESSION_KEY)
        if not isinstance(token, str):
            return False
        now = self.clock()
        mono = time.monotonic()
        hit = self._cache.get(token)
        if hit is not None and hit[1] > mono:
            row = hit[0]
        else:
            row = self.project.store.login_sessions.get(token)
            if row is None:
                return False
            self._remember(token, row, mono)
        if now - row.last_seen_at > self.idle_seconds or now - row.created_at > self.max_seconds:
            self.end()
            return False
        if now - row.last_seen_at > TOUCH_EVERY_SECONDS:
            self.project.store.login_sessions.touch(token, now)
            self._remember(token, dataclasses.replace(row, last_seen_at=now), mono)
        return True

    def _remember(self, token: str, row: LoginSession, mono: float) -> None:
        with self._lock:
            if len(self._cache) >= 50_000:
                self._cache.clear()
            self._cache[token] = (row, mono + SESSION_CACHE_SECONDS)

    def _purge_now_and_then(self) -> None:
        now = time.time()
        if now - self._last_purge < 3600:
            return
        self._last_purge = now
        self.project.store.login_sessions.purge_expired(
            now - self.idle_seconds, now - self.max_seconds
        )
