"""Password reset (issue 15 part 4): admins issue one-time links, the link's page sets a new
password (password rules, CSRF), which ends every session and every other link; wrong,
expired and used links get a clear 400/410 page that never names an account."""

from __future__ import annotations

import re
import time

import pytest

from tests.conftest import ADMIN, BOSS_PASSWORD, BOSS_USERS, login

NEW_PASSWORD = "a-new-long-password"


def _project(make_project, **overrides):
    return make_project(require_password=True, **overrides)


def _register(app, name="ann", password="first-password-1"):
    c = app.test_client()
    r = c.post("/register", data={"username": name, "password": password})
    assert r.status_code == 302, r.data
    return c


def _link(app, name="ann", **body):
    r = app.test_client().post(f"/admin/api/user/{name}/reset_link", json=body, headers=ADMIN)
    assert r.status_code == 200, r.json
    return r.json


def _csrf(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def _use(client, url, password=NEW_PASSWORD, confirm=None, csrf=True, **extra):
    """Open the link like a browser, then post the form."""
    path = url.split("localhost", 1)[1]
    page = client.get(path)
    data = {"password": password, "confirm_password": password if confirm is None else confirm}
    if csrf:  # from the page, or (a page without a form) the session's token endpoint
        ok = page.status_code == 200
        data["csrf_token"] = (
            _csrf(page.data) if ok else client.get("/api/csrf_token").json["csrf_token"]
        )
    return client.post(path, data={**data, **extra})


def _can_log_in(app, name, password) -> bool:
    r = app.test_client().post("/auth", json={"username": name, "password": password})
    return r.status_code == 200


def test_full_flow_sets_the_password_and_ends_every_session(make_project):
    app = _project(make_project)
    phone = _register(app)
    laptop = login(app.test_client(), "ann", "first-password-1")
    assert phone.get("/api/current_instance").status_code == 200
    link = _link(app)
    assert link["reset_link"].startswith("http://localhost/reset/")
    assert link["token"] in link["reset_link"] and link["expires_in_hours"] == 24
    page = app.test_client().get(link["reset_link"].split("localhost", 1)[1])
    assert page.status_code == 200 and b'value="ann"' in page.data
    assert page.headers["Cache-Control"] == "no-store"
    # The token is in the address: only the origin is ever sent as a Referer.
    assert page.headers["Referrer-Policy"] == "strict-origin"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert b"<script>" not in page.data and b"style=" not in page.data
    r = _use(app.test_client(), link["reset_link"])
    assert r.status_code == 200 and b"Your password was changed" in r.data
    assert phone.get("/api/current_instance").status_code == 401
    assert laptop.get("/api/current_instance").status_code == 401
    assert _can_log_in(app, "ann", NEW_PASSWORD)
    assert not _can_log_in(app, "ann", "first-password-1")


def test_only_the_hash_of_the_token_is_stored(make_project):
    app = _project(make_project)
    _register(app)
    link = _link(app)
    store = app.extensions["potato_like"].store
    with store.engine.connect() as conn:
        dump = "\n".join(conn.connection.driver_connection.iterdump())
    assert link["token"] not in dump
    assert "password_resets" in dump


def test_a_used_link_answers_410_and_changes_nothing(make_project):
    app = _project(make_project)
    _register(app)
    link = _link(app)
    assert _use(app.test_client(), link["reset_link"]).status_code == 200
    r = _use(app.test_client(), link["reset_link"], password="yet-another-password")
    assert r.status_code == 410 and b"already used" in r.data
    assert b"ann" not in r.data.split(b"<main", 1)[1]  # never names the account
    assert _can_log_in(app, "ann", NEW_PASSWORD)


def test_an_expired_link_answers_410(make_project, monkeypatch):
    app = _project(make_project, password_reset_hours=1)
    _register(app)
    link = _link(app)
    assert link["expires_in_hours"] == 1
    later = time.time() + 3601
    monkeypatch.setattr(time, "time", lambda: later)
    r = _use(app.test_client(), link["reset_link"])
    assert r.status_code == 410 and b"expired" in r.data
    monkeypatch.undo()
    assert _can_log_in(app, "ann", "first-password-1")


def test_ttl_hours_in_the_request_overrides_the_config(make_project):
    app = _project(make_project)
    _register(app)
    link = _link(app, ttl_hours=2)
    assert link["expires_in_hours"] == 2
    assert _link(app, hours=3)["expires_in_hours"] == 3  # our spelling
    assert abs(link["expires_at"] - (time.time() + 7200)) < 60
    r = app.test_client().post(
        "/admin/api/user/ann/reset_link", json={"ttl_hours": 0}, headers=ADMIN
    )
    assert r.status_code == 400


@pytest.mark.parametrize(
    "token",
    ["not-a-token-at-all-but-long-enough-xx", "short", "x" * 300, "a%2Fb%00c"],
)
def test_a_wrong_token_answers_400_without_naming_anyone(make_project, token):
    app = _project(make_project)
    _register(app)
    _link(app)
    responses = (
        app.test_client().get(f"/reset/{token}"),
        app.test_client().post(f"/reset/{token}", data={"password": "x"}),
    )
    for r in responses:
        assert r.status_code in (400, 404)
        if r.status_code == 400:
            assert b"not valid" in r.data and b"ann" not in r.data.split(b"<main", 1)[1]


def test_guessing_links_uses_up_the_address_budget(make_project):
    app = _project(make_project, login_failure_rate_limit="3 per minute")
    _register(app)
    link = _link(app)
    c = app.test_client()
    for i in range(3):
        assert c.get(f"/reset/guessed-token-number-{i:020d}").status_code == 400
    r = c.get(link["reset_link"].split("localhost", 1)[1])
    assert r.status_code == 429 and b"Too many" in r.data


def test_a_new_link_replaces_the_older_one(make_project):
    app = _project(make_project)
    _register(app)
    first, second = _link(app), _link(app)
    assert _use(app.test_client(), first["reset_link"]).status_code == 410
    assert _use(app.test_client(), second["reset_link"]).status_code == 200


def test_setting_the_password_ends_other_outstanding_links(make_project):
    app = _project(make_project)
    _register(app)
    link = _link(app)
    r = app.test_client().post(
        "/admin/api/user/ann/password", json={"password": NEW_PASSWORD}, headers=ADMIN
    )
    assert r.status_code == 200
    assert (
        _use(app.test_client(), link["reset_link"], password="other-password-9").status_code == 410
    )
    assert _can_log_in(app, "ann", NEW_PASSWORD)


def test_a_link_changes_only_its_own_account(make_project):
    app = _project(make_project)
    _register(app, "ann")
    bob = _register(app, "bob", "bobs-password-1")
    link = _link(app, "ann")
    # A form naming another account (or sent from bob's logged-in browser) still resets ann.
    r = _use(bob, link["reset_link"], username="bob")
    assert r.status_code == 200
    assert _can_log_in(app, "bob", "bobs-password-1")
    assert _can_log_in(app, "ann", NEW_PASSWORD)
    assert bob.get("/api/current_instance").status_code == 200  # bob's session lives on


def test_the_form_needs_its_csrf_token(make_project):
    app = _project(make_project)
    _register(app)
    link = _link(app)
    c = app.test_client()
    r = _use(c, link["reset_link"], csrf=False)  # a browser that opened the page
    assert r.status_code == 400 and b"out of date" in r.data
    path = "/reset/" + link["token"]
    data = {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    r = app.test_client().post(path, data=data)  # no cookie, no token
    assert r.status_code == 400 and b"expired or did not come from this page" in r.data
    r = app.test_client().post(path, data={**data, "csrf_token": "forged"})
    assert r.status_code == 400
    assert _can_log_in(app, "ann", "first-password-1")
    # The link still works from its own page.
    assert _use(c, link["reset_link"]).status_code == 200


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short", None, b"at least 8 characters"),
        ("password123", None, b"most common"),
        ("ann", None, b"at least 8"),
        (NEW_PASSWORD, "something-else-1", b"differ"),
    ],
)
def test_password_rules_apply_and_the_link_stays_usable(make_project, password, confirm, message):
    app = _project(make_project)
    _register(app, "annotator1")
    link = _link(app, "annotator1")
    c = app.test_client()
    r = _use(c, link["reset_link"], password=password, confirm=confirm)
    assert r.status_code == 400 and message in r.data
    assert _can_log_in(app, "annotator1", "first-password-1")
    assert _use(c, link["reset_link"]).status_code == 200


def test_the_password_may_not_be_the_username(make_project):
    app = _project(make_project)
    _register(app, "annotator-long-name")
    link = _link(app, "annotator-long-name")
    r = _use(app.test_client(), link["reset_link"], password="annotator-long-name")
    assert r.status_code == 400 and b"differ from the username" in r.data


def test_links_are_for_existing_accounts_only_and_need_an_admin(make_project):
    app = _project(make_project)
    ann = _register(app)
    r = app.test_client().post("/admin/api/user/nobody/reset_link", headers=ADMIN)
    assert r.status_code == 404
    assert app.extensions["potato_like"].store.users.by_name("nobody") is None
    assert (
        app.test_client().post("/admin/api/user/ann/reset_link").status_code == 403
    )  # no admin key: 403, as Potato answers
    r = ann.post("/admin/api/user/ann/reset_link", json={})
    assert r.status_code == 403


def test_staff_accounts_get_no_link_over_the_web(make_project):
    app = _project(make_project, admin_users=["boss"], user_config=BOSS_USERS)
    r = app.test_client().post("/admin/api/user/boss/reset_link", headers=ADMIN)
    assert r.status_code == 403 and "reset-password" in r.json["error"]
    r = app.test_client().post(
        "/admin/create_reset_token", json={"username": "BOSS"}, headers=ADMIN
    )
    assert r.status_code in (403, 404)
    # An admin session can issue links for annotators.
    _register(app)
    boss = login(app.test_client(), "boss", BOSS_PASSWORD)
    assert boss.post("/admin/api/user/ann/reset_link", json={}).status_code == 200


def test_potato_create_reset_token_and_reset_password(make_project):
    app = _project(make_project)
    _register(app)
    c = app.test_client()
    r = c.post(
        "/admin/create_reset_token", json={"username": "ann", "ttl_hours": 48}, headers=ADMIN
    )
    assert r.status_code == 200
    assert r.json["status"] == "success" and r.json["expires_in_hours"] == 48
    assert r.json["reset_link"].endswith("/reset/" + r.json["token"])
    assert c.post("/admin/create_reset_token", json={}, headers=ADMIN).status_code == 400
    assert (
        c.post("/admin/create_reset_token", json={"username": "nobody"}, headers=ADMIN).status_code
        == 404
    )
    r = c.post(
        "/admin/reset_password",
        json={"username": "ann", "new_password": NEW_PASSWORD},
        headers=ADMIN,
    )
    assert r.status_code == 200 and r.json["status"] == "success"
    assert _can_log_in(app, "ann", NEW_PASSWORD)
    # ... which also ended the link issued before
    token_url = (
        "/reset/"
        + app.test_client()
        .post("/admin/create_reset_token", json={"username": "ann"}, headers=ADMIN)
        .json["token"]
    )
    c.post(
        "/admin/reset_password",
        json={"username": "ann", "new_password": "third-password-3"},
        headers=ADMIN,
    )
    assert app.test_client().get(token_url).status_code == 410
    r = c.post(
        "/admin/reset_password", json={"username": "ann", "new_password": "short"}, headers=ADMIN
    )
    assert r.status_code == 400
    r = c.post(
        "/admin/reset_password",
        json={"username": "ghost", "new_password": NEW_PASSWORD},
        headers=ADMIN,
    )
    assert r.status_code == 404
    assert app.extensions["potato_like"].store.users.by_name("ghost") is None
    assert (
        c.post(
            "/admin/reset_password", json={"username": "ann", "new_password": NEW_PASSWORD}
        ).status_code
        == 403
    )


def test_json_clients_get_json(make_project):
    app = _project(make_project)
    _register(app)
    link = _link(app)
    c = app.test_client()
    path = "/reset/" + link["token"]
    r = c.get("/reset/not-a-real-token-but-long-enough", headers={"Accept": "application/json"})
    assert r.status_code == 400 and "not valid" in r.json["error"]
    page = c.get(path)
    r = c.post(
        path,
        data={
            "password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
            "csrf_token": _csrf(page.data),
        },
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 200 and r.json == {"status": "success", "sessions_ended": 1}


def test_forgot_password_page_explains_and_issues_nothing(make_project):
    app = _project(make_project)
    _register(app)
    c = app.test_client()
    assert b"Forgot your password?" in c.get("/login").data
    r = c.get("/forgot-password")
    assert r.status_code == 200 and b"Ask the project's admin" in r.data
    page = c.post("/forgot-password", data={"username": "ann"})
    assert b"/reset/" not in page.data
    store = app.extensions["potato_like"].store
    assert store.password_resets.open_count(store.users.by_name("ann").id, time.time()) == 0


def test_the_config_key_is_validated(make_project):
    from potato_like.errors import ConfigError

    with pytest.raises(ConfigError, match="password_reset_hours"):
        make_project(password_reset_hours=0)
    with pytest.raises(ConfigError, match="password_reset_hours"):
        make_project(password_reset_hours="soon")


def test_two_uses_of_one_link_at_once_set_one_password(make_project):
    """The link ends in the same transaction that sets the password: a second request that
    passed the first check loses (410) and changes nothing."""
    from potato_like import password_reset

    app = _project(make_project)
    _register(app)
    link = _link(app)
    store = app.extensions["potato_like"].store
    first = store.password_resets.find(password_reset.token_hash(link["token"]))
    assert store.password_resets.complete(first.token_hash, "hash-one", time.time()) is not None
    assert store.password_resets.complete(first.token_hash, "hash-two", time.time()) is None
    assert store.users.by_name("ann").password_hash == "hash-one"
    with pytest.raises(password_reset.ResetLinkUnusable) as err:
        password_reset.reset_with_link(store, link["token"], NEW_PASSWORD)
    assert err.value.status == 410
