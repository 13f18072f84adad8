"""Accounts and sessions: register, log in (password, passwordless, url_direct), log out.
Crowd arrivals at GET / are handled by web/crowd.py."""

from __future__ import annotations

import re
import time

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import BadRequest, Conflict, Forbidden, PotatoLikeError, Unauthorized
from ..export.user_dirs import prepare_user_dir
from .errors import wants_json
from .security import SessionUser, current_project, login_limiter

bp = Blueprint("auth", __name__)

_USERNAME = re.compile(r"^[^\s/\\\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]{0,99}$")
MIN_PASSWORD = 4


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


def _allowed(username: str) -> bool:
    cfg = current_project().config
    return cfg.allow_all_users or any(u.username == username for u in cfg.users)


def _start_session(row) -> None:
    project = current_project()
    session.clear()
    session.permanent = True
    login_user(SessionUser(row, project), remember=False)
    session["started_at"] = time.time()


def _done(status: int = 200):
    """Where a successful login or registration goes: JSON for scripts, else the task."""
    if wants_json():
        return jsonify(status="success", username=current_user.username), status
    return redirect(url_for("annotate.annotate_page"))


def _login_error(err: PotatoLikeError, mode: str):
    if wants_json():
        raise err
    return render_template("auth/login.html", error=err.message, mode=mode), err.status


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
    return render_template("auth/login.html", mode="login")


@bp.get("/register")
def register_page():
    return render_template("auth/login.html", mode="register")


@bp.post("/auth")
@bp.post("/login")
def auth():
    try:
        username, password = _credentials()
        _check_username(username)
        login_limiter().hit(username)
        project = current_project()
        if not project.config.require_password:
            login_without_password(username, kind="passwordless", password=password)
            return _done()
        row = project.store.users.by_name(username)
        if (
            row is None
            or not row.password_hash
            or not password
            or not check_password_hash(row.password_hash, password)
        ):
            raise Unauthorized("Invalid username or password")
        _start_session(row)
        return _done()
    except PotatoLikeError as err:
        return _login_error(err, "login")


@bp.post("/register")
def register():
    try:
        username, password = _credentials()
        _check_username(username)
        login_limiter().hit(username)
        project = current_project()
        if not _allowed(username):
            raise Forbidden(f"{username!r} is not on this project's list of users")
        if project.config.require_password and len(password) < MIN_PASSWORD:
            raise BadRequest(f"choose a password of at least {MIN_PASSWORD} characters")
        hashed = generate_password_hash(password) if password else None
        prepare_user_dir(project.config.output_dir, username)
        row = project.store.users.create(username, hashed, phase=project.config.study.first_phase)
        _start_session(row)
        return _done(201)
    except PotatoLikeError as err:
        return _login_error(err, "register")


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    if wants_json():
        return jsonify(status="success")
    return redirect(url_for("auth.home"))


def login_without_password(username: str, *, kind: str, password: str = "") -> None:
    """Passwordless and url_direct login: the name is the identity. A name that belongs to a
    password account cannot be claimed this way (only with its password)."""
    _check_username(username)
    project = current_project()
    if not _allowed(username):
        raise Forbidden(f"{username!r} is not on this project's list of users")
    row = project.store.users.by_name(username)
    if row is None:
        prepare_user_dir(project.config.output_dir, username)
        try:
            row = project.store.users.create(
                username, None, login_kind=kind, phase=project.config.study.first_phase
            )
        except Conflict:
            row = project.store.users.by_name(username)
    if row.password_hash and not (password and check_password_hash(row.password_hash, password)):
        raise Unauthorized(f"{username!r} is a password account; log in with its password")
    _start_session(row)
