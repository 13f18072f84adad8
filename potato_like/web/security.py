"""Who is asking: sessions (flask-login + server-side rows), admin checks, CSRF policy and
rate limits on logins, registrations and admin keys."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from werkzeug.security import generate_password_hash

from ..errors import Forbidden, PotatoLikeError, Unauthorized
from ..project import Project
from ..store.login_sessions import LoginSession
from ..store.users import UserRow

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Endpoints that check the CSRF token themselves (still after the cross-site refusal below):
# the tracking beacon cannot set headers and sends the token inside its JSON body.
SELF_CSRF_ENDPOINTS = frozenset({"tracking.track_interactions"})
# Endpoints that act on credentials in the request, not with the session's authority: the
# token is needed only from browsers, which show these forms with it (docs/api.md).
CREDENTIAL_ENDPOINTS = frozenset(
    {"auth.auth", "auth.register", "auth.logout", "dashboard.admin_login_submit"}
)
SESSION_KEY = "sid"  # the session cookie field holding the server-side token
SESSION_CACHE_SECONDS = 5.0
# A session's last_seen_at is written at most this often (not on every request).
TOUCH_EVERY_SECONDS = 60.0


class SessionCookies(SecureCookieSessionInterface):
    """Session cookies are Secure whenever the request came over HTTPS (directly, or through
    a proxy trusted with `behind_proxy`), so one config serves both http and https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        forced = bool(app.config.get("SESSION_COOKIE_SECURE"))
        return forced or (has_request_context() and request.is_secure)

    def get_cookie_samesite(self, app: Flask) -> str | None:
        # MTurk shows the task in an iframe on its own site: the session cookie must be sent
        # there (SameSite=None, which browsers accept only with Secure, so over HTTPS).
        if self._embedded(app):
            return "None"
        return super().get_cookie_samesite(app)

    def get_cookie_partitioned(self, app: Flask) -> bool:
        # Partitioned (CHIPS): browsers that block third-party cookies keep this one, scoped
        # to the embedding site.
        return self._embedded(app) or super().get_cookie_partitioned(app)

    def _embedded(self, app: Flask) -> bool:
        return bool(app.config.get("POTATO_EMBEDDED_IN_IFRAME")) and self.get_cookie_secure(app)


class TooManyAttempts(PotatoLikeError):
    status = 429


def current_project() -> Project:
    return current_app.extensions["potato_like"]


class SessionUser(UserMixin):
    """The logged-in account as flask-login sees it: who, not their progress (which changes
    with every request and is always read from the store)."""

    def __init__(self, row: UserRow, project: Project) -> None:
        self.user_id = row.id
        self.id = str(row.id)
        self.username = row.username
        self.is_admin = row.username in project.config.admin_users


@dataclass
class RateLimit:
    """A moving-window limit, per process (each server process counts on its own)."""

    rate: str
    name: str

    def __post_init__(self) -> None:
        self._limit = parse(self.rate)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

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

    def __init__(self, config) -> None:
        self.login = RateLimit(config.login_rate_limit, "login")
        self.login_failures = RateLimit(config.login_failure_rate_limit, "login-failures")
        self.registrations = RateLimit(config.registration_rate_limit, "registrations")
        self.admin_key = RateLimit(config.admin_key_rate_limit, "admin-key")
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

    def check_admin_key(self, key: str) -> bool:
        """Whether `key` is the admin key; wrong keys are counted per address and, once
        too many, every key check from there answers 429 for a while."""
        addr = request.remote_addr or ""
        self.admin_key.check(addr, "Too many wrong admin keys.")
        expected = current_project().admin_api_key
        if key and hmac.compare_digest(key.encode(), expected.encode()):
            return True
        with contextlib.suppress(TooManyAttempts):
            self.admin_key.hit(addr, "")
        return False

    def dummy_hash(self) -> str:
        """A hash to check unknown users' passwords against, so that they take as long as
        known ones (names cannot be found by timing)."""
        with self._lock:
            if self._dummy_hash is None:
                self._dummy_hash = generate_password_hash(secrets.token_urlsafe(16))
            return self._dummy_hash


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


def install(app: Flask, project: Project) -> None:
    manager = LoginManager()
    manager.login_view = "auth.login_page"
    manager.login_message = "Please log in to continue."

    @manager.user_loader
    def load_user(user_id: str):
        try:
            uid = int(user_id)
        except ValueError:
            return None
        return project.session_users.get(uid, lambda: _load(uid))

    def _load(uid: int):
        row = project.store.users.get(uid)
        return SessionUser(row, project) if row else None

    @manager.unauthorized_handler
    def unauthorized():
        raise Unauthorized("No active session")

    manager.init_app(app)
    csrf = CSRFProtect()
    csrf.init_app(app)
    cfg = project.config
    app.config.update(
        # A page's token lives as long as an idle session; pages fetch a fresh one
        # (GET /api/csrf_token) when it has expired.
        WTF_CSRF_TIME_LIMIT=int(cfg.session_idle_minutes * 60),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(days=cfg.session_max_days),
    )
    app.extensions["potato_like_limits"] = Limits(cfg)
    app.extensions["potato_like_sessions"] = SessionGuard(project)

    @app.before_request
    def enforce_server_session():
        # A cookie whose server-side session ended (logout, revocation, idle or too old)
        # no longer reads or writes anything.
        if "_user_id" not in session and ADMIN_KEY_SESSION not in session:
            return
        if not sessions().is_live():
            session.clear()
            g.pop("_login_user", None)

    @app.before_request
    def guard_cross_site():
        if request.method in SAFE_METHODS:
            return
        origin = request.headers.get("Origin")
        site = request.headers.get("Sec-Fetch-Site")
        if site == "cross-site" or (origin and not _same_origin(origin)):
            raise Forbidden("cross-site request refused")
        if request.endpoint in SELF_CSRF_ENDPOINTS:
            return
        if origin or site or request.headers.get("Referer"):
            csrf.protect()  # browsers always present the token (form field or X-CSRFToken)
            return
        if request.endpoint in CREDENTIAL_ENDPOINTS:
            return  # scripts send credentials, which a forged request would not know
        if app.config["SESSION_COOKIE_NAME"] not in request.cookies:
            return  # no ambient credentials (scripts with an API key): nothing to forge
        if not not_a_form_post():
            # A request without browser headers may still come from a browser (old ones,
            # privacy tools strip them): form-like posts need the token here too.
            csrf.protect()


def not_a_form_post() -> bool:
    """Requests a cross-site page cannot make without a CORS preflight (which we never
    grant): a method other than POST (PUT, DELETE, ...), a custom header, or a body type
    that HTML forms cannot send."""
    if request.method != "POST":
        return True
    if request.headers.get("X-Requested-With") or request.headers.get("X-API-Key"):
        return True
    return request.mimetype == "application/json"


def limits() -> Limits:
    return current_app.extensions["potato_like_limits"]


def sessions() -> SessionGuard:
    return current_app.extensions["potato_like_sessions"]


def _same_origin(origin: str) -> bool:
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" == f"{request.scheme}://{request.host}"


def require_user() -> SessionUser:
    if not current_user.is_authenticated:
        raise Unauthorized("No active session")
    return current_user._get_current_object()


def login_required_json(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        require_user()
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """An admin user's session, or the admin API key in X-API-Key / Authorization: Bearer."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = request.headers.get("X-API-Key")
        auth = request.headers.get("Authorization", "")
        if not key and auth.lower().startswith("bearer "):
            key = auth[7:].strip()
        if key:
            if not limits().check_admin_key(key):
                raise Unauthorized("invalid API key")
            g.admin_via_key = True
            return view(*args, **kwargs)
        if is_admin_session():
            return view(*args, **kwargs)
        if not current_user.is_authenticated:
            raise Unauthorized("admin access needs an admin session or the X-API-Key header")
        raise Forbidden("admin access only")

    return wrapped


ADMIN_KEY_SESSION = "potato_admin_key"


def is_admin_session() -> bool:
    """An admin user's login, or a browser that entered the admin key on /admin/login (the
    flag is bound to the key, so a new key ends such sessions)."""
    if current_user.is_authenticated and current_user.is_admin:
        return True
    marker = session.get(ADMIN_KEY_SESSION)
    return bool(marker) and hmac.compare_digest(marker, key_marker(current_project().admin_api_key))


def key_marker(key: str) -> str:
    return hmac.new(key.encode(), b"admin-session", "sha256").hexdigest()


def session_started_at() -> float:
    return float(session.get("started_at") or time.time())
