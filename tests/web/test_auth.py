"""Accounts and sessions: register, login (password, passwordless, url_direct), logout."""

from __future__ import annotations

import re

from tests.conftest import ADMIN, current_id, login, register


def test_register_then_login_with_potato_field_names(make_project):
    app = make_project(require_password=True)
    c = app.test_client()
    r = c.post("/register", data={"username": "ann", "password": "pw-12345"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/annotate")
    c.post("/logout")
    assert c.get("/api/current_instance").status_code == 401
    r = c.post("/auth", data={"email": "ann", "pass": "pw-12345"})
    assert r.status_code == 302
    assert c.get("/api/current_instance").status_code == 200


def test_logged_out_session_api_answers_401_json(make_project):
    app = make_project()
    r = app.test_client().get("/api/current_instance")
    assert r.status_code == 401
    assert r.json == {
        "status": "error",
        "message": "No active session",
        "error": "No active session",
    }


def test_wrong_password_is_refused_and_not_logged_in(make_project):
    app = make_project(require_password=True)
    register(app.test_client(), "ann", "right-pw")
    c = app.test_client()
    r = c.post("/auth", data={"username": "ann", "password": "wrong-pw"})
    assert r.status_code == 401
    assert b"Invalid username or password" in r.data
    assert c.get("/api/current_instance").status_code == 401
    r = c.post("/auth", json={"username": "ann", "password": "wrong-pw"})
    assert r.status_code == 401 and r.json["error"] == "Invalid username or password"


def test_unknown_user_cannot_log_in_with_password(make_project):
    app = make_project(require_password=True)
    r = app.test_client().post("/auth", json={"username": "ghost", "password": "x"})
    assert r.status_code == 401


def test_username_cannot_be_reclaimed(make_project):
    app = make_project(require_password=True)
    register(app.test_client(), "ann", "first-pw")
    r = app.test_client().post("/register", json={"username": "ann", "password": "other-pw"})
    assert r.status_code == 409
    assert "already taken" in r.json["error"]


def test_passwordless_login_cannot_take_over_a_password_account(make_project):
    app = make_project(require_password=True)
    register(app.test_client(), "ann", "first-pw")
    project = app.extensions["potato_like"]
    app2_cfg = project.config
    assert app2_cfg.require_password is True
    # A password account is not claimable by name alone, even if the project goes passwordless.
    from potato_like import create_app
    from tests.conftest import base_config, write_config

    path = write_config(project.config.task_dir, base_config(require_password=False), "nopw.yaml")
    project.close()
    app2 = create_app(path)
    try:
        r = app2.test_client().post("/auth", json={"username": "ann"})
        assert r.status_code == 401
        r = app2.test_client().post("/auth", json={"username": "ann", "password": "first-pw"})
        assert r.status_code == 200
    finally:
        app2.extensions["potato_like"].close()


def test_passwordless_login_creates_and_resumes_account(make_project):
    app = make_project()
    c = login(app.test_client(), "worker1")
    iid = current_id(c)
    c2 = login(app.test_client(), "worker1")
    assert current_id(c2) == iid


def test_allow_list_blocks_other_users(make_project):
    app = make_project(user_config={"allow_all_users": False, "users": ["alice"]})
    r = app.test_client().post("/auth", json={"username": "mallory"})
    assert r.status_code == 403
    assert app.test_client().post("/auth", json={"username": "alice"}).status_code == 200


def test_configured_user_with_password_exists_at_start(make_project):
    app = make_project(
        require_password=True,
        user_config={
            "allow_all_users": True,
            "users": [{"username": "annotator1", "password": "password123"}],
        },
    )
    c = app.test_client()
    r = c.post("/auth", data={"username": "annotator1", "password": "password123"})
    assert r.status_code == 302


def test_passwords_are_hashed_in_the_store(make_project):
    app = make_project(require_password=True)
    register(app.test_client(), "ann", "plain-secret")
    row = app.extensions["potato_like"].store.users.by_name("ann")
    assert row.password_hash and "plain-secret" not in row.password_hash


def test_bad_usernames_are_refused(make_project):
    app = make_project()
    for name in ["", "../etc", "a/b", "x" * 101, "   ", "tab\there", ".."]:
        r = app.test_client().post("/auth", json={"username": name})
        assert r.status_code == 400, name


def test_url_direct_login_from_query_argument(make_project):
    app = make_project(login={"type": "url_direct", "url_argument": "workerId"})
    c = app.test_client()
    r = c.get("/?workerId=W123")
    assert r.status_code == 302 and r.headers["Location"].endswith("/annotate")
    assert c.get("/api/current_instance").status_code == 200
    assert app.extensions["potato_like"].store.users.by_name("W123").login_kind == "url_direct"


def test_login_attempts_are_rate_limited_with_a_message(make_project):
    app = make_project(require_password=True, login_rate_limit="3 per minute")
    register(app.test_client(), "ann", "right-pw")  # 1st attempt for "ann"
    c = app.test_client()
    for _ in range(2):
        assert c.post("/auth", json={"username": "ann", "password": "bad"}).status_code == 401
    r = c.post("/auth", json={"username": "ann", "password": "right-pw"})
    assert r.status_code == 429
    assert "Too many login attempts" in r.json["error"]
    assert int(r.headers["Retry-After"]) > 0
    # Other accounts are not locked out by someone hammering "ann".
    assert c.post("/register", json={"username": "bob", "password": "pw-12345"}).status_code == 201


def test_session_survives_restart_with_persisted_secret(make_project, tmp_path):
    app = make_project()
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    cookie = c.get_cookie("potato_like_session")
    secret_file = tmp_path / "out" / ".secret_key"
    assert secret_file.exists() and (secret_file.stat().st_mode & 0o777) == 0o600
    project = app.extensions["potato_like"]
    path = project.config.config_path
    project.close()
    from potato_like import create_app

    app2 = create_app(path)
    try:
        c2 = app2.test_client()
        c2.set_cookie("potato_like_session", cookie.value)
        assert current_id(c2) == iid
    finally:
        app2.extensions["potato_like"].close()


def test_html_form_posts_from_a_browser_need_the_csrf_token(make_project):
    app = make_project(require_password=True)
    c = app.test_client()
    page = c.get("/register").data.decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    browser = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    r = c.post("/register", data={"username": "ann", "password": "pw-12345"}, headers=browser)
    assert r.status_code == 400 and b"out of date" in r.data
    r = c.post(
        "/register",
        data={"username": "ann", "password": "pw-12345", "csrf_token": token},
        headers=browser,
    )
    assert r.status_code == 302


def test_cross_site_posts_are_refused(make_project):
    app = make_project()
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    r = c.post(
        "/updateinstance",
        json={"instance_id": iid, "annotations": {"sentiment:positive": "1"}},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert r.status_code == 403
    assert c.get(f"/get_annotations?instance_id={iid}").json["label_annotations"] == {}


def test_admin_endpoints_need_admin(make_project):
    app = make_project(
        admin_users=["boss"], user_config={"users": [{"username": "boss", "password": "boss-pw-1"}]}
    )
    c = app.test_client()
    assert c.get("/admin/health").status_code == 403
    assert c.get("/admin/health", headers={"X-API-Key": "wrong-key-000000"}).status_code == 403
    assert c.get("/admin/health", headers=ADMIN).json["status"] == "healthy"
    assert (
        c.get(
            "/admin/health", headers={"Authorization": "Bearer test-admin-key-123456"}
        ).status_code
        == 200
    )
    login(c, "someone")
    assert c.get("/admin/health").status_code == 403
    boss = login(app.test_client(), "boss", "boss-pw-1")
    body = boss.get("/admin/health").json
    assert body["status"] == "healthy" and body["version"] and body["timestamp"].endswith("Z")


def test_session_cookie_is_secure_over_https(make_project):
    app = make_project()
    r = app.test_client().post("/auth", data={"username": "ann"}, base_url="https://localhost")
    cookie = r.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    r = app.test_client().post("/auth", data={"username": "bob"})
    assert "Secure" not in r.headers["Set-Cookie"]


def test_https_behind_a_trusted_proxy(make_project):
    app = make_project(behind_proxy=1)
    r = app.test_client().post(
        "/auth", data={"username": "ann"}, headers={"X-Forwarded-Proto": "https"}
    )
    assert "Secure" in r.headers["Set-Cookie"]


def test_passwords_never_reach_the_logs(make_project, caplog):
    app = make_project(require_password=True)
    with caplog.at_level("DEBUG"):
        register(app.test_client(), "ann", "hunter2-secret")
        app.test_client().post("/auth", data={"username": "ann", "password": "wrong-secret"})
    assert "hunter2-secret" not in caplog.text and "wrong-secret" not in caplog.text
