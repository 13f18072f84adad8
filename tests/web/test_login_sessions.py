"""Sessions end on the server (issue 13): logout, "Leave admin", revocation, idle and
absolute lifetimes; a cookie copied before no longer reads or writes."""

from __future__ import annotations

import time

import pytest

from tests.conftest import ADMIN, answer, csrf_headers, current_id, login

BOSS = {"users": [{"username": "boss", "password": "boss-pw-1"}]}


def _copy(client, app):
    """A second client holding a copy of `client`'s session cookie."""
    other = app.test_client()
    other.set_cookie("potato_like_session", client.get_cookie("potato_like_session").value)
    return other


def test_a_cookie_copied_before_logout_no_longer_reads_or_writes(make_project):
    app = make_project()
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    stolen = _copy(c, app)
    assert stolen.get("/api/current_instance").status_code == 200
    assert c.post("/logout", json={}).status_code == 200
    assert stolen.get("/api/current_instance").status_code == 401
    assert answer(stolen, iid, **{"sentiment:positive": "1"}).status_code == 401
    assert app.extensions["potato_like"].store.annotations.count() == 0


def test_leave_admin_ends_the_admin_cookie(make_project):
    app = make_project()
    c = app.test_client()
    r = c.post("/admin/login", data={"key": "test-admin-key-123456"})
    assert r.status_code == 302
    assert c.get("/admin/api/overview").status_code == 200
    stolen = _copy(c, app)
    assert c.post("/admin/logout", headers=csrf_headers(c)).status_code == 302
    assert c.get("/admin/api/overview").status_code == 403
    assert stolen.get("/admin/api/overview").status_code == 403


def test_leave_admin_keeps_the_user_logged_in_in_a_new_session(make_project):
    app = make_project()
    c = login(app.test_client(), "ann")
    c.post("/admin/login", data={"key": "test-admin-key-123456"})
    stolen = _copy(c, app)
    c.post("/admin/logout", headers=csrf_headers(c))
    assert c.get("/api/current_instance").status_code == 200
    assert c.get("/admin/api/overview").status_code == 403  # ann, no longer admin
    assert stolen.get("/api/current_instance").status_code == 401


def test_an_admin_revokes_all_sessions_of_a_user(make_project):
    app = make_project()
    phone = login(app.test_client(), "ann")
    laptop = login(app.test_client(), "ann")
    other = login(app.test_client(), "bob")
    r = app.test_client().post("/admin/api/user/ann/revoke_sessions", headers=ADMIN)
    assert r.status_code == 200 and r.json["sessions_ended"] == 2
    assert phone.get("/api/current_instance").status_code == 401
    assert laptop.get("/api/current_instance").status_code == 401
    assert other.get("/api/current_instance").status_code == 200
    r = app.test_client().post("/admin/api/user/nobody/revoke_sessions", headers=ADMIN)
    assert r.status_code == 404
    assert other.post("/admin/api/user/ann/revoke_sessions", json={}).status_code == 403


def test_a_session_ends_after_the_idle_time(make_project):
    app = make_project(session_idle_minutes=30)
    guard = app.extensions["potato_like_sessions"]
    c = login(app.test_client(), "ann")
    start = time.time()
    guard.clock = lambda: start + 29 * 60
    assert c.get("/api/current_instance").status_code == 200  # and this use counts
    guard.clock = lambda: start + 29 * 60 + 29 * 60
    assert c.get("/api/current_instance").status_code == 200
    guard.clock = lambda: start + 29 * 60 + 29 * 60 + 31 * 60
    assert c.get("/api/current_instance").status_code == 401


def test_a_session_ends_after_its_maximum_age_even_when_used(make_project):
    app = make_project(session_max_days=1, session_idle_minutes=60 * 24)
    guard = app.extensions["potato_like_sessions"]
    c = login(app.test_client(), "ann")
    start = time.time()
    for hours in (12, 23):
        guard.clock = lambda h=hours: start + h * 3600
        assert c.get("/api/current_instance").status_code == 200
    guard.clock = lambda: start + 25 * 3600
    assert c.get("/api/current_instance").status_code == 401


def test_a_cookie_without_a_server_side_session_is_refused(make_project):
    """A cookie signed with the project's secret but never started here (as an old version
    issued them, or forged with a leaked secret) opens nothing."""
    app = make_project()
    user = app.extensions["potato_like"].store.users.create("ann", None, login_kind="passwordless")
    with app.test_request_context():
        from flask import session

        session["_user_id"] = str(user.id)
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    c = app.test_client()
    c.set_cookie("potato_like_session", cookie)
    assert c.get("/api/current_instance").status_code == 401


def test_session_keys_are_validated(make_project):
    from potato_like.errors import ConfigError

    with pytest.raises(ConfigError, match="session_idle_minutes"):
        make_project(session_idle_minutes=0)


@pytest.mark.postgres
def test_logout_ends_the_session_on_postgres(make_project, pg_url):
    app = make_project(database_url=pg_url)
    c = login(app.test_client(), "ann")
    stolen = _copy(c, app)
    assert stolen.get("/api/current_instance").status_code == 200
    c.post("/logout", json={})
    assert stolen.get("/api/current_instance").status_code == 401
    phone = login(app.test_client(), "bob")
    r = app.test_client().post("/admin/api/user/bob/revoke_sessions", headers=ADMIN)
    assert r.json["sessions_ended"] == 1
    assert phone.get("/api/current_instance").status_code == 401


def test_a_password_change_ends_the_users_sessions(make_project):
    app = make_project(require_password=True)
    c = app.test_client()
    r = c.post("/register", json={"username": "ann", "password": "first-pw-11"})
    assert r.status_code == 201
    stolen = _copy(c, app)
    r = app.test_client().post(
        "/admin/api/user/ann/password", json={"password": "second-pw-22"}, headers=ADMIN
    )
    assert r.status_code == 200 and r.json["sessions_ended"] == 1
    assert stolen.get("/api/current_instance").status_code == 401
    assert c.get("/api/current_instance").status_code == 401
    assert c.post("/auth", json={"username": "ann", "password": "first-pw-11"}).status_code == 401
    assert c.post("/auth", json={"username": "ann", "password": "second-pw-22"}).status_code == 200
    r = app.test_client().post(
        "/admin/api/user/ann/password", json={"password": "x"}, headers=ADMIN
    )
    assert r.status_code == 400
    r = app.test_client().post(
        "/admin/api/user/nobody/password", json={"password": "second-pw-22"}, headers=ADMIN
    )
    assert r.status_code == 404


def test_another_process_refuses_an_ended_session_within_the_cache_time(
    make_project, open_app, monkeypatch
):
    """Two apps on one database stand for two server processes."""
    import types

    from potato_like.web import login_sessions

    app = make_project()
    other = open_app(app.extensions["potato_like"].config.config_path)
    c = login(app.test_client(), "ann")
    there = _copy(c, other)
    assert there.get("/api/current_instance").status_code == 200  # now cached there
    c.post("/logout", json={})
    clock = {"mono": time.monotonic()}
    fake = types.SimpleNamespace(time=time.time, monotonic=lambda: clock["mono"])
    monkeypatch.setattr(login_sessions, "time", fake)
    clock["mono"] += login_sessions.SESSION_CACHE_SECONDS + 0.1
    assert there.get("/api/current_instance").status_code == 401
