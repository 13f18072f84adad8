"""Accounts and sessions: register, log in (password, passwordless, url_direct), log out.
Crowd arrivals at GET / are handled by web/crowd.py."""

from __future__ import annotations

import re
import time

from flask import (
    Blueprint,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from ..accounts import STAFF_KIND, check_can_log_in, create_account, is_reserved
from ..errors import BadRequest, Conflict, Forbidden, NotFound, PotatoLikeError, Unauthorized
from ..export.user_dirs import prepare_user_dir
from ..password_hashing import hash_password, verify
from ..passwords import check_new_password
from .errors import wants_json
from .security import SessionUser, admin_required, current_project, limits, sessions

bp = Blueprint("auth", __name__)

_USERNAME = re.compile(r"^[^\s/\\\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]{0,99}$")


def _credentials() -> tuple[str, str]:
    """Username and password from our form fields or Potato's (email/pass), or JSON."""
    data = request.get_json(silent=True) if request.is_json else None
    source = data if isinstance(data, dict) else request.form
    username = source.get("username") or source.get("email") or ""
    password = source.get("password") or source.get("pass") or ""
    if not isinstance(username, str) or not isinstance(password, str):
        raise BadRequest("username and password must be strings")
    return username.strip(), password


def _check_username(username: str) -> None:
    if not username:
        raise BadRequest("a username is required")
    if not _USERNAME.match(username) or username in (".", ".."):
        raise BadRequest(
            "usernames are 1-100 characters without slashes, control characters or a leading space"
        )


def _start_session(row) -> None:
    project = current_project()
    check_can_log_in(project.config, row)
    sessions().end()  # the previous server-side session of this cookie, if any
    session.clear()
    session.permanent = True
    login_user(SessionUser(row, project), remember=False)
    session["started_at"] = time.time()
    sessions().start(row.id)


def _done(status: int = 200):
    """Where a successful login or registration goes: JSON for scripts, else the task."""
    if wants_json():
        return jsonify(status="success", username=current_user.username), status
    return redirect(url_for("annotate.annotate_page"))


def _login_error(err: PotatoLikeError, mode: str):
    if wants_json():
        raise err
    # A browser registering a taken name gets the page with the message and 200, as from
    # Potato (whose clients read the page); JSON clients get the 409.
    status = 200 if mode == "register" and isinstance(err, Conflict) else err.status
    return render_template("auth/login.html", error=err.message, mode=mode), status


@bp.get("/")
def home():
    project = current_project()
    cfg = project.config
    if cfg.crowd is not None and cfg.login.from_url:
        from . import crowd

        response = crowd.arrival()
        if response is not None:
            return response
        if not current_user.is_authenticated and cfg.crowd.provider != "url_direct":
            return crowd.missing_link_page()
    if current_user.is_authenticated:
        return redirect(url_for("annotate.annotate_page"))
    if cfg.login.from_url and cfg.require_password is False:
        return render_template(
            "auth/login.html",
            mode="login",
            error=f"Open this study from the link you were given (it carries "
            f"'{cfg.login.url_argument}'), or enter your ID below.",
        )
    return render_template("auth/login.html", mode="login")


@bp.get("/login")
def login_page():
    # Back after logging in must not land on the form again: someone signed in goes on to
    # the task, and the form is never kept in the browser's history cache.
    if current_user.is_authenticated:
        return redirect(url_for("annotate.annotate_page"))
    response = make_response(render_template("auth/login.html", mode="login"))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/register")
def register_page():
    if (closed := _registration_closed()) is not None:
        return render_template("auth/login.html", mode="login", error=closed), 403
    return render_template("auth/login.html", mode="register")


@bp.post("/auth")
@bp.post("/login")
def auth():
    try:
        username, password = _credentials()
        _check_username(username)
        limits().hit_login(username)
        limits().check_failures()
        project = current_project()
        if not project.config.require_password:
            login_without_password(username, kind="passwordless", password=password)
            return _done()
        row = project.store.users.by_name(username)
        # Unknown names and accounts without a password are checked against a dummy hash,
        # so they answer as slowly as known ones (no enumeration of names by timing).
        stored = row.password_hash if row is not None and row.password_hash else None
        matches, rehash = verify(stored or limits().dummy_hash(), password or "-")
        if stored is None or not password or not matches:
            raise Unauthorized("Invalid username or password")
        if rehash:  # an older hash (werkzeug scrypt/pbkdf2): argon2id from now on
            project.store.users.set_password(row.id, hash_password(password), row.login_kind)
        _start_session(row)
        return _done()
    except PotatoLikeError as err:
        if isinstance(err, Unauthorized):
            limits().failed_login()  # counted per address, whatever the name
        return _login_error(err, "login")


def _registration_closed() -> str | None:
    crowd = current_project().config.crowd
    if crowd is not None and crowd.provider != "url_direct":
        return (
            "This study's accounts come from its recruitment platform: open it from the link "
            "you were given there."
        )
    return None


@bp.post("/register")
def register():
    try:
        if (closed := _registration_closed()) is not None:
            raise Forbidden(closed)
        username, password = _credentials()
        _check_username(username)
        limits().hit_login(username)
        limits().hit_registration()
        project = current_project()
        if project.config.require_password:
            check_new_password(password, username)
        hashed = hash_password(password) if password else None
        row = create_account(project, username, hashed, login_kind="password")
        _start_session(row)
        return _done(201)
    except PotatoLikeError as err:
        return _login_error(err, "register")


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Log out. GET too, as in Potato (its pages link to /logout): ending one's own session
    is harmless even when another site triggers it."""
    sessions().end()
    logout_user()
    session.clear()
    if wants_json():
        return jsonify(status="success")
    return redirect(url_for("auth.home"))


@bp.get("/api/csrf_token")
def csrf_token():
    """A fresh CSRF token for this session (pages ask again when theirs has expired)."""
    return jsonify(csrf_token=generate_csrf())


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data


@bp.post("/admin/api/users")
@admin_required
def admin_create_user():
    """An admin creates an account with a password; the only way besides the config to
    create a reserved (staff) name."""
    data = _json_body()
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise BadRequest("username and password must be strings")
    username = username.strip()
    _check_username(username)
    check_new_password(password, username)
    project = current_project()
    prepare_user_dir(project.config.output_dir, username)
    project.store.users.create(
        username,
        hash_password(password),
        login_kind=STAFF_KIND if is_reserved(project.config, username) else "password",
        phase=project.config.study.first_phase,
    )
    return jsonify(status="success", username=username), 201


@bp.post("/admin/api/user/<username>/password")
@admin_required
def admin_set_password(username: str):
    """Set a new password; every session of the user ends."""
    password = _json_body().get("password")
    if not isinstance(password, str):
        raise BadRequest("password must be a string")
    check_new_password(password, username)
    project = current_project()
    row = project.store.users.by_name(username)
    if row is None:
        raise NotFound(f"no user {username!r}")
    kind = STAFF_KIND if is_reserved(project.config, username) else row.login_kind
    project.store.users.set_password(row.id, hash_password(password), kind)
    project.store.password_resets.end_for_user(row.id, time.time())  # open reset links too
    ended = project.store.login_sessions.revoke_user(row.id)
    sessions().forget()
    return jsonify(status="success", username=username, sessions_ended=ended)


@bp.post("/admin/api/user/<username>/revoke_sessions")
@admin_required
def revoke_sessions(username: str):
    """End every session of a user (a lost laptop, a departing annotator)."""
    project = current_project()
    row = project.store.users.by_name(username)
    if row is None:
        raise NotFound(f"no user {username!r}")
    ended = project.store.login_sessions.revoke_user(row.id)
    sessions().forget()
    return jsonify(status="success", username=username, sessions_ended=ended)


def login_without_password(username: str, *, kind: str, password: str = "") -> None:
    """Passwordless and url_direct login: the name is the identity. A name that belongs to a
    password account cannot be claimed this way (only with its password), nor can a
    reserved (staff) name."""
    _check_username(username)
    project = current_project()
    row = project.store.users.by_name(username)
    if row is None:
        if kind == "passwordless":
            limits().hit_registration()
        try:
            row = create_account(project, username, None, login_kind=kind)
        except Conflict:
            row = project.store.users.by_name(username)
    elif not row.password_hash and is_reserved(project.config, username):
        # A staff name claimed before names were reserved: never usable without a password.
        raise Forbidden(f"{username!r} is reserved for the project's staff")
    elif not project.config.allow_all_users and not any(
        u.username == username for u in project.config.users
    ):
        raise Forbidden(f"{username!r} is not on this project's list of users")
    if row.password_hash and not (password and verify(row.password_hash, password)[0]):
        raise Unauthorized(f"{username!r} is a password account; log in with its password")
    _start_session(row)
