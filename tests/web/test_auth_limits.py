"""Registration and failed-login limits, equal timing for unknown names, password rules,
and /register closed in crowd projects (issue 13)."""

from __future__ import annotations

import pytest

from potato_like.web import auth as auth_view
from tests.conftest import register
from tests.web.crowd_util import MTURK, PROLIFIC, example  # noqa: F401


def test_registrations_per_address_are_limited(make_project):
    app = make_project(require_password=True, registration_rate_limit="3 per hour")
    for i in range(3):
        register(app.test_client(), f"user{i}", "long-enough-pw")
    r = app.test_client().post("/register", json={"username": "user9", "password": "long-pw-99"})
    assert r.status_code == 429 and "Too many new accounts" in r.json["error"]
    assert int(r.headers["Retry-After"]) > 0
    other = app.test_client().post(
        "/register",
        json={"username": "user8", "password": "long-pw-99"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert other.status_code == 201  # another address is not affected


def test_passwordless_account_creation_counts_as_registration(make_project):
    app = make_project(registration_rate_limit="2 per hour")
    for name in ("a1", "a2"):
        assert app.test_client().post("/auth", json={"username": name}).status_code == 200
    assert app.test_client().post("/auth", json={"username": "a3"}).status_code == 429
    # Returning to an existing account is not a registration.
    assert app.test_client().post("/auth", json={"username": "a1"}).status_code == 200


def test_password_spraying_across_usernames_is_limited(make_project):
    app = make_project(require_password=True, login_failure_rate_limit="5 per 10 minutes")
    register(app.test_client(), "ann", "ann-password-1")
    c = app.test_client()
    for i in range(5):  # one guess each for five different names
        r = c.post("/auth", json={"username": f"victim{i}", "password": "Summer2026!"})
        assert r.status_code == 401
    r = c.post("/auth", json={"username": "ann", "password": "ann-password-1"})
    assert r.status_code == 429 and "Too many failed logins" in r.json["error"]
    elsewhere = app.test_client().post(
        "/auth",
        json={"username": "ann", "password": "ann-password-1"},
        environ_base={"REMOTE_ADDR": "10.0.0.3"},
    )
    assert elsewhere.status_code == 200


def test_unknown_users_cost_a_password_hash_like_known_ones(make_project, monkeypatch):
    app = make_project(require_password=True)
    register(app.test_client(), "ann", "ann-password-1")
    checked = []
    real = auth_view.verify

    def counting(stored, password):
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(auth_view, "verify", counting)
    c = app.test_client()
    assert c.post("/auth", json={"username": "ann", "password": "wrong-pw"}).status_code == 401
    assert c.post("/auth", json={"username": "nobody", "password": "wrong-pw"}).status_code == 401
    assert c.post("/auth", json={"username": "nobody", "password": ""}).status_code == 401
    assert len(checked) == 3
    # The dummy uses the same algorithm and cost as real hashes.
    assert checked[1].split("$")[:4] == checked[0].split("$")[:4]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 8 characters"),
        ("1234567", "at least 8 characters"),
        ("password123", "most common"),
        ("Password1", "most common"),
        ("qwertyuiop", "most common"),
        ("aaaaaaaaaa", "most common"),
        ("annotator-ann", None),
    ],
)
def test_new_passwords_need_8_characters_and_not_a_common_one(make_project, password, message):
    app = make_project(require_password=True)
    r = app.test_client().post("/register", json={"username": "ann", "password": password})
    if message is None:
        assert r.status_code == 201
    else:
        assert r.status_code == 400 and message in r.json["error"]


def test_password_equal_to_the_username_is_refused(make_project):
    app = make_project(require_password=True)
    r = app.test_client().post(
        "/register", json={"username": "annotator7", "password": "Annotator7"}
    )
    assert r.status_code == 400 and "differ from the username" in r.json["error"]


@pytest.mark.parametrize("project", [PROLIFIC, MTURK])
def test_crowd_projects_take_accounts_only_from_arrival_links(example, project):  # noqa: F811
    app = example(project, require_password=True)
    c = app.test_client()
    r = c.post("/register", json={"username": "PID0001", "password": "long-enough-pw"})
    assert r.status_code == 403 and "link" in r.json["error"]
    assert c.get("/register").status_code == 403
    assert app.extensions["potato_like"].store.users.by_name("PID0001") is None


def test_crowd_arrivals_are_not_counted_as_registrations(example):  # noqa: F811
    from tests.web.crowd_util import prolific_link

    app = example(PROLIFIC, registration_rate_limit="1 per hour")
    for pid in ("PID0001", "PID0002", "PID0003"):  # a lab full of workers behind one address
        assert app.test_client().get(prolific_link(pid)).status_code == 302
