"""Password reset over the web: admins issue one-time links (our route and Potato's
/admin/create_reset_token), Potato's /admin/reset_password sets a password directly, and the
link's page /reset/<token> lets the account's owner choose a new one. /forgot-password only
explains how to get a link: showing links to anonymous visitors (as Potato does) would let
anyone reset anyone's password. Rules and storage: potato_like/password_reset.py."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify, make_response, redirect, render_template, request, url_for
from flask_wtf.csrf import ValidationError, validate_csrf

from .. import password_reset
from ..errors import BadRequest, PotatoLikeError
from ..passwords import MIN_PASSWORD_LENGTH
from .errors import wants_json
from .rate_limits import TooManyAttempts
from .security import admin_required, current_project, is_admin_session, limits, sessions

bp = Blueprint("password_reset", __name__)


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data


def _hours(data: dict) -> float | None:
    """An optional `ttl_hours` (Potato's name) or `hours`: between 0.1 and 720."""
    raw = data.get("ttl_hours", data.get("hours"))
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0.1 <= raw <= 720:
        raise BadRequest("ttl_hours must be a number of hours between 0.1 and 720")
    return float(raw)


def _issue(username: str, hours: float | None):
    project = current_project()
    link = password_reset.issue_link(project.store, project.config, username, hours=hours)
    url = url_for("password_reset.reset_page", token=link.token, _external=True)
    return jsonify(
        status="success",
        username=link.username,
        reset_link=url,
        token=link.token,
        expires_in_hours=link.hours,
        expires_at=link.expires_at,
    )


@bp.post("/admin/api/user/<username>/reset_link")
@admin_required
def admin_reset_link(username: str):
    """A one-time reset link for an existing, non-staff account; earlier links end."""
    data = request.get_json(silent=True) if request.data else {}
    return _issue(username, _hours(data if isinstance(data, dict) else {}))


@bp.post("/admin/annotators/<username>/reset_link")
def dashboard_reset_link(username: str):
    """The dashboard's "Reset link" button (a form post: CSRF token required): issues a link
    and shows it once, to be passed on to the annotator."""
    if not is_admin_session():
        return redirect(url_for("dashboard.admin_login", next=url_for("dashboard.annotators_page")))
    project = current_project()
    try:
        link = password_reset.issue_link(project.store, project.config, username)
    except PotatoLikeError as err:
        html = render_template(
            "admin/reset_link.html", tab="annotators", username=username, error=err.message
        )
        return _no_store(make_response(html, err.status))
    url = url_for("password_reset.reset_page", token=link.token, _external=True)
    expires = dt.datetime.fromtimestamp(link.expires_at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    html = render_template(
        "admin/reset_link.html",
        tab="annotators",
        username=link.username,
        link=link,
        url=url,
        expires=expires,
    )
    return _no_store(make_response(html))


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/admin/create_reset_token")
@admin_required
def admin_create_reset_token():
    """Potato's name for the same: JSON {"username": ..., "ttl_hours": ...}."""
    data = _json_body()
    username = data.get("username")
    if not isinstance(username, str) or not username.strip():
        raise BadRequest("username is required")
    return _issue(username.strip(), _hours(data))


@bp.post("/admin/reset_password")
@admin_required
def admin_reset_password():
    """Potato's direct reset: JSON {"username": ..., "new_password": ...}."""
    data = _json_body()
    username, password = data.get("username"), data.get("new_password")
    if not isinstance(username, str) or not isinstance(password, str) or not username:
        raise BadRequest("username and new_password are required strings")
    project = current_project()
    ended = password_reset.set_password(project.store, project.config, username, password)
    sessions().forget()
    return jsonify(
        status="success",
        message=f"Password reset for {username!r}",
        username=username,
        sessions_ended=ended,
    )


def _page(status: int = 200, **context):
    """The reset page (or JSON for scripts); never cached, and the token in its address is
    never sent on as a Referer: `strict-origin` sends only the origin (`no-referrer` would
    also make browsers send `Origin: null` with the form, which the cross-site guard
    refuses)."""
    if wants_json():
        if context.get("done"):
            body = {"status": "success", "sessions_ended": context["sessions_ended"]}
        else:
            body = {"error": context.get("error") or ""}
        response = make_response(jsonify(body), status)
    else:
        html = render_template(
            "auth/reset_password.html", min_length=MIN_PASSWORD_LENGTH, **context
        )
        response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "strict-origin"
    return response


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_page(token: str):
    project = current_project()
    try:
        limits().check_failures()
    except TooManyAttempts as err:
        return _page(err.status, unusable=True, error=err.message)
    try:
        link = password_reset.usable_link(project.store, token)
        username = password_reset.link_username(project.store, link)
    except password_reset.ResetLinkUnusable as err:
        if err.status == 400:
            limits().failed_login()  # guessing links costs the address's login budget
        return _page(err.status, unusable=True, error=err.message)
    form = {"token": token, "username": username}
    if request.method == "GET":
        return _page(**form)
    try:
        validate_csrf(request.form.get("csrf_token") or request.headers.get("X-CSRFToken"))
    except ValidationError:
        message = "This form has expired or did not come from this page: open the link again."
        return _page(400, error=message, **form)
    password = request.form.get("password", "")
    if password != request.form.get("confirm_password", ""):
        return _page(400, error="The two passwords differ.", **form)
    try:
        done = password_reset.reset_with_link(project.store, token, password)
    except password_reset.ResetLinkUnusable as err:
        return _page(err.status, unusable=True, error=err.message)
    except PotatoLikeError as err:  # the password rules (passwords.py)
        return _page(err.status, error=err.message, **form)
    sessions().forget()  # this process's cache of the ended sessions
    return _page(done=True, sessions_ended=done.sessions_ended)


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """How to get a reset link; no link is ever issued here (no self-service, no
    enumeration of names)."""
    return render_template("auth/forgot_password.html")
