"""Who is asking: sessions (flask-login), admin checks, CSRF policy and login rate limits."""

from __future__ import annotations

import hmac
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

from ..errors import Forbidden, PotatoLikeError, Unauthorized
from ..project import Project
from ..store.users import UserRow

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Endpoints that check the CSRF token themselves (still after the cross-site refusal below):
# the tracking beacon cannot set headers and sends the token inside its JSON body.
SELF_CSRF_ENDPOINTS = frozenset({"tracking.track_interactions"})


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
class LoginLimiter:
    """Moving-window limit on login/registration attempts per (client address, username)."""

    rate: str

    def __post_init__(self) -> None:
        self._limit = parse(self.rate)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, username: str) -> None:
        key = f"{request.remote_addr}|{username.lower()}"
        if not self._limiter.hit(self._limit, "login", key):
            stats = self._limiter.get_window_stats(self._limit, "login", key)
            wait = max(1, int(stats.reset_time - time.time()))
            raise TooManyAttempts(
                f"Too many login attempts for {username!r}. Try again in {wait} seconds.",
                retry_after=wait,
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
    app.extensions["potato_like_login_limiter"] = LoginLimiter(project.config.login_rate_limit)

    @app.before_request
    def guard_cross_site():
        if request.method in SAFE_METHODS:
            return
        origin = request.headers.get("Origin")
        site = request.headers.get("Sec-Fetch-Site")
        if site == "cross-site" or (origin and not _same_origin(origin)):
            raise Forbidden("cross-site request refused")
        # Browsers send Origin / Sec-Fetch-Site / Referer; only browsers can be tricked into
        # forged requests, so they must also present the CSRF token (form field or
        # X-CSRFToken header). Scripts (no such headers, no ambient cookies) need not.
        if request.endpoint in SELF_CSRF_ENDPOINTS:
            return
        if origin or site or request.headers.get("Referer"):
            csrf.protect()


def login_limiter() -> LoginLimiter:
    return current_app.extensions["potato_like_login_limiter"]


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
            expected = current_project().admin_api_key
            if not hmac.compare_digest(key.encode(), expected.encode()):
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
