"""The dashboard's "Reset link" button: an admin issues a one-time password-reset link for an
annotator from the annotators page (a form post with a CSRF token)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import BOSS_PASSWORD, BOSS_USERS, csrf_headers, login, register


@pytest.fixture
def app(make_project):
    app = make_project(items=2, require_password=True, admin_users=["boss"], user_config=BOSS_USERS)
    register(app.test_client(), "alice", "alice-pw-123")
    return app


def admin(app):
    c = app.test_client()
    assert c.post("/admin/login", data={"key": "test-admin-key-123456"}).status_code == 302
    return c


def test_button_issues_a_link_that_resets_the_password(app):
    c = admin(app)
    page = c.get("/admin/annotators/").data.decode()
    assert 'data-testid="reset-link-alice"' in page
    assert 'action="/admin/annotators/alice/reset_link"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = c.post("/admin/annotators/alice/reset_link", data={"csrf_token": token})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    html = r.data.decode()
    link = re.search(r'value="(http://localhost/reset/[^"]+)"', html).group(1)
    user = app.test_client()
    path = link.removeprefix("http://localhost")
    assert user.get(path).status_code == 200
    form = user.get(path).data.decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    r = user.post(
        path,
        data={"csrf_token": token, "password": "new-secret-9", "confirm_password": "new-secret-9"},
    )
    assert r.status_code == 200, r.data[:400]
    login = app.test_client().post("/auth", json={"username": "alice", "password": "new-secret-9"})
    assert login.status_code == 200


def test_post_without_csrf_token_is_refused(app):
    c = admin(app)
    r = c.post("/admin/annotators/alice/reset_link", data={})
    assert r.status_code == 400 and b"/reset/" not in r.data


def test_not_an_admin_gets_the_sign_in_page(app):
    c = app.test_client()
    register(c, "mallory", "mallory-pw-1")
    r = c.post("/admin/annotators/alice/reset_link", headers=csrf_headers(c))
    assert r.status_code == 302 and "/admin/login" in r.headers["Location"]


def test_staff_and_unknown_names_get_no_link(app):
    c = admin(app)
    assert (
        app.test_client()
        .post("/auth", json={"username": "boss", "password": BOSS_PASSWORD})
        .status_code
        == 200
    )  # boss is a configured staff account and appears in the list
    page = c.get("/admin/annotators/").data.decode()
    r = c.post("/admin/annotators/boss/reset_link", headers=csrf_headers(c))
    assert r.status_code == 403 and "/reset/" not in r.data.decode()
    r = c.post("/admin/annotators/nobody/reset_link", headers=csrf_headers(c))
    assert r.status_code == 404
    assert 'data-testid="reset-link-boss"' not in page


def test_no_button_without_passwords(make_project):
    app = make_project(items=2)  # require_password: false
    c = admin(app)
    login(app.test_client(), "ann")
    assert b"Reset link" not in c.get("/admin/annotators/").data
