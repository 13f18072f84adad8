"""Rate limits on logins, failed logins, registrations and wrong admin keys: counted in memory
by one server process, or in the store when several processes serve the project
(`run.py --workers N`, docs/deployment.md)."""

from __future__ import annotations

import contextlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from ..errors import PotatoLikeError
from ..password_hashing import hash_password
from ..store.rate_hits import StoreRateLimiter


class TooManyAttempts(PotatoLikeError):
    status = 429


@dataclass
class RateLimit:
    """A moving-window limit (in this process's memory, or in the store)."""

    rate: str
    name: str
    limiter: MovingWindowRateLimiter | StoreRateLimiter  # shared by the limits of one app

    def __post_init__(self) -> None:
        self._limit = parse(self.rate)
        self._limiter = self.limiter

    def hit(self, key: str, message: str) -> None:
        """Count one attempt; TooManyAttempts when the limit is exceeded."""
        if not self._limiter.hit(self._limit, self.name, key):
            self._refuse(key, message)

    def check(self, key: str, message: str) -> None:
        """TooManyAttempts when the limit is already used up (without counting)."""
        if not self._limiter.test(self._limit, self.name, key):
            self._refuse(key, message)

    def _refuse(self, key: str, message: str) -> None:
        stats = self._limiter.get_window_stats(self._limit, self.name, key)
        wait = max(1, int(stats.reset_time - time.time()))
        raise TooManyAttempts(f"{message} Try again in {wait} seconds.", retry_after=wait)


class Limits:
    """The limits on logins, failed logins, registrations and wrong admin keys."""

    def __init__(self, config, store=None) -> None:
        # With a store (run.py --workers N) every process counts into the same windows;
        # otherwise this process counts in memory.
        shared = (
            MovingWindowRateLimiter(MemoryStorage()) if store is None else StoreRateLimiter(store)
        )
        self.login = RateLimit(config.login_rate_limit, "login", shared)
        self.login_failures = RateLimit(config.login_failure_rate_limit, "login-failures", shared)
        self.registrations = RateLimit(config.registration_rate_limit, "registrations", shared)
        self.admin_key = RateLimit(config.admin_key_rate_limit, "admin-key", shared)
        self._dummy_hash: str | None = None
        self._lock = threading.Lock()

    def hit_login(self, username: str) -> None:
        key = f"{request.remote_addr}|{username.lower()}"
        self.login.hit(key, f"Too many login attempts for {username!r}.")

    def check_failures(self) -> None:
        """Failed logins per address, whatever the username (stops password spraying)."""
        self.login_failures.check(request.remote_addr or "", "Too many failed logins.")

    def failed_login(self) -> None:
        with contextlib.suppress(TooManyAttempts):
            self.login_failures.hit(request.remote_addr or "", "")

    def hit_registration(self) -> None:
        self.registrations.hit(request.remote_addr or "", "Too many new accounts from here.")

    def check_admin_key(self, key: str, also: Callable[[str], bool] | None = None) -> bool:
        """Whether `key` is the admin key (or one `also` accepts: an API key with the
        scope asked for); wrong keys are counted per address and, once too many, every key
        check from there answers 429 for a while."""
        addr = request.remote_addr or ""
        self.admin_key.check(addr, "Too many wrong admin keys.")
        # None at a workspace's root, which has admin-scoped API keys only.
        expected = current_app.extensions["potato_like"].admin_api_key
        if key and expected and hmac.compare_digest(key.encode(), expected.encode()):
            return True
        if key and also is not None and also(key):
            return True
        with contextlib.suppress(TooManyAttempts):
            self.admin_key.hit(addr, "")
        return False

    def dummy_hash(self) -> str:
        """A hash to check unknown users' passwords against, so that they take as long as
        known ones (names cannot be found by timing)."""
        with self._lock:
            if self._dummy_hash is None:
                self._dummy_hash = hash_password(secrets.token_urlsafe(16))
            return self._dummy_hash
