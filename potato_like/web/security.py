"""Who is asking: sessions (flask-login + server-side rows), admin checks, CSRF policy and
rate limits on logins, registrations and admin keys."""

from __future__ import annotations

import datetime as dt
import hmac
import time
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect

from ..api_keys import presented_key
from ..errors import Forbidden, Unauthorized
from ..project import Project
from ..store.users import UserRow
from ..unsafe_settings import is_loopback
from .key_lookup import allows, find_key, get_key
from .login_sessions import SessionGuard
from .rate_limits import Limits

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Endpoints that check the CSRF token themselves (still after the cross-site refusal below):
# the tracking beacon cannot set headers and sends the token inside its JSON body.
SELF_CSRF_ENDPOINTS = frozenset({"tracking.track_interactions"})
# Endpoints that act on credentials in the request, not with the session's authority: the
# token is needed only from browsers, which show these forms with it (docs/api.md).
CREDENTIAL_ENDPOINTS = frozenset(
    {"auth.auth", "auth.register", "auth.logout", "dashboard.admin_login_submit"}
)


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
    app.extensions["potato_like_limits"] = Limits(
        cfg, project.store if project.shared_rate_limits else None
    )
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
        key = presented_key(request.headers)
        # A missing or wrong key is 403, as in Potato (its clients and tests expect it);
        # wrong keys still count towards the admin-key rate limit (429). An API key with the
        # admin scope (run.py keys create) is as good as the admin key.
        if key:
            if not limits().check_admin_key(key, also=admin_scoped_key):
                raise Forbidden("invalid API key")
            g.admin_via_key = True
            return view(*args, **kwargs)
        if is_admin_session():
            return view(*args, **kwargs)
        if not current_user.is_authenticated:
            raise Forbidden(
                "Admin API key required: send the X-API-Key header or sign in as an admin"
            )
        raise Forbidden("admin access only")

    return wrapped


def admin_scoped_key(key: str) -> bool:
    record = find_key(key)  # this project's keys, and a workspace's (within its restriction)
    if record is None or not allows(record, "admin"):
        return False
    g.api_key = record
    return True


ADMIN_KEY_SESSION = "potato_admin_key"
API_KEY_MARKER = "key:"  # the session's admin marker names an API key (key_marker is hex)
# Set by `run.py --debug` (which refuses any host but loopback): admin pages and APIs need no
# key for requests from this machine, as in Potato's --debug.
DEBUG_OPEN_ADMIN = "POTATO_DEBUG_OPEN_ADMIN"
_FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP")


def debug_open_admin() -> bool:
    """True only under `run.py --debug`, for a request that came from this machine straight
    (no proxy headers, no `behind_proxy`) to a loopback host name (not a DNS-rebound name):
    a local proxy forwarding other machines' requests, or a web page of another site
    reaching localhost, never gets in without the key."""
    if not current_app.config.get(DEBUG_OPEN_ADMIN):
        return False
    cfg = current_project().config
    if cfg.behind_proxy or not is_loopback(cfg.host):
        return False
    if any(h in request.headers for h in _FORWARDING_HEADERS):
        return False
    if not is_loopback(request.remote_addr or ""):
        return False
    host = request.host
    host = host[1:].split("]", 1)[0] if host.startswith("[") else host.rsplit(":", 1)[0]
    return is_loopback(host)


def is_admin_session() -> bool:
    """An admin user's login, or a browser that entered the admin key (or an admin-scoped
    API key) on /admin/login (the flag is bound to the key, so a new admin key or revoking
    the API key ends such sessions), or any request from this
    machine under `run.py --debug` (debug_open_admin)."""
    if current_user.is_authenticated and current_user.is_admin:
        return True
    if debug_open_admin():
        return True
    marker = session.get(ADMIN_KEY_SESSION)
    if not marker:
        return False
    if marker.startswith(API_KEY_MARKER):
        # Signed in with an admin-scoped API key: as long as it stays unrevoked (and, in a
        # workspace, allowed on this project).
        record = get_key(marker[len(API_KEY_MARKER) :])
        return record is not None and allows(record, "admin")
    return hmac.compare_digest(marker, key_marker(current_project().admin_api_key))


def key_marker(key: str) -> str:
    return hmac.new(key.encode(), b"admin-session", "sha256").hexdigest()


def session_started_at() -> float:
    return float(session.get("started_at") or time.time())
