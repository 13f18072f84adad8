"""CSRF: every cookie-authenticated state change needs the token, a custom header or a JSON
body, whether or not the request carries browser headers (issue 13)."""

from __future__ import annotations

import itsdangerous
import pytest

from tests.conftest import ADMIN, csrf_headers, login


def test_a_cookie_form_post_without_token_is_refused_even_without_browser_headers(make_project):
    app = make_project()
    c = login(app.test_client(), "ann")
    r = c.post("/go_to", data={"action": "next_instance"})
    assert r.status_code == 400 and b"out of date" in r.data
    r = c.post("/go_to", data={"action": "next_instance"}, headers={"Accept": "application/json"})
    assert r.status_code == 400 and r.json["status"] == "csrf"


@pytest.mark.parametrize(
    "how",
    ["token", "x-requested-with", "json"],
)
def test_token_custom_header_or_json_pass(make_project, how):
    app = make_project()
    c = login(app.test_client(), "ann")
    if how == "token":
        r = c.post("/go_to", data={"action": "next_instance"}, headers=csrf_headers(c))
    elif how == "x-requested-with":
        headers = {"X-Requested-With": "XMLHttpRequest"}
        r = c.post("/go_to", data={"action": "next_instance"}, headers=headers)
    else:
        r = c.post("/go_to", json={"action": "next_instance"})
    assert r.status_code in (200, 302), r.data


def test_the_token_endpoint_gives_a_working_token(make_project):
    app = make_project()
    c = login(app.test_client(), "ann")
    token = c.get("/api/csrf_token").json["csrf_token"]
    r = c.post("/go_to", data={"action": "next_instance", "csrf_token": token})
    assert r.status_code == 302


def test_tokens_expire_with_the_idle_time(make_project, monkeypatch):
    app = make_project(session_idle_minutes=10)
    assert app.config["WTF_CSRF_TIME_LIMIT"] == 600
    c = login(app.test_client(), "ann")
    headers = csrf_headers(c)
    real = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: real(self) + 11 * 60
    )
    headers["Accept"] = "application/json"
    r = c.post("/go_to", data={"action": "next_instance"}, headers=headers)
    assert r.status_code == 400 and "expired" in r.json["reason"]
    assert "out of date" in r.json["error"] and "CSRF" not in r.json["error"]


def test_scripts_with_an_api_key_and_no_cookie_need_no_token(make_project):
    app = make_project()
    r = app.test_client().post(
        "/admin/api/config", data={"max_annotations_per_user": "3"}, headers=ADMIN
    )
    assert r.status_code != 400 or "CSRF" not in (r.json or {}).get("error", "")


def test_potato_api_flow_with_a_session_and_json_keeps_working(make_project):
    """seeds/003: requests.Session, form login, JSON posts."""
    app = make_project(require_password=True)
    c = app.test_client()
    assert c.post("/register", data={"username": "ann", "password": "ann-password-1"}).status_code
    c.post("/logout", json={})
    assert (
        c.post("/auth", data={"username": "ann", "password": "ann-password-1"}).status_code == 302
    )
    iid = c.get("/api/current_instance").json["instance_id"]
    r = c.post(
        "/updateinstance",
        json={"instance_id": iid, "annotations": {"sentiment:positive": "1"}},
    )
    assert r.status_code == 200 and r.json["status"] == "success"
    assert c.post("/go_to", json={"action": "next_instance"}).status_code == 200


def test_page_js_retries_once_with_a_fresh_token():
    from tests.conftest import REPO

    js = (REPO / "static" / "js" / "annotate.js").read_text()
    assert '"/api/csrf_token"' in js and 'data.status === "csrf"' in js
