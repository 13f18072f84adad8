"""Admin (and adjudicator) names are reserved: no arrival path can create them (issue 13.1)."""

from __future__ import annotations

import pytest

from potato_like.cli import main as cli_main
from tests.conftest import ADMIN, login
from tests.web.crowd_util import MTURK, PROLIFIC, example, mturk_link, prolific_link  # noqa: F401

BOSS = {"users": [{"username": "boss", "password": "boss-pw-1"}]}


def test_registering_an_admin_name_is_refused_and_gives_no_admin_rights(make_project):
    app = make_project(require_password=True, admin_users=["boss"])
    c = app.test_client()
    r = c.post("/register", json={"username": "boss", "password": "long-enough-pw"})
    assert r.status_code == 403 and "reserved" in r.json["error"]
    r = c.post("/register", json={"username": "BOSS", "password": "long-enough-pw"})
    assert r.status_code == 403  # no look-alike in another case either
    assert c.get("/admin/api/overview").status_code == 403
    assert app.extensions["potato_like"].store.users.by_name("boss") is None


def test_passwordless_login_cannot_claim_an_admin_name(make_project):
    app = make_project(admin_users=["boss"])
    c = app.test_client()
    r = c.post("/auth", json={"username": "boss"})
    assert r.status_code == 403
    assert c.get("/admin/api/overview").status_code == 403
    assert app.extensions["potato_like"].store.users.by_name("boss") is None


def test_a_name_claimed_before_the_fix_cannot_be_used_without_a_password(make_project):
    app = make_project(admin_users=["boss"])
    store = app.extensions["potato_like"].store
    store.users.create("boss", None, login_kind="passwordless")  # as an old version allowed
    c = app.test_client()
    assert c.post("/auth", json={"username": "boss"}).status_code == 403
    assert c.get("/admin/api/overview").status_code == 403


def test_a_prolific_link_cannot_claim_an_admin_name(example):  # noqa: F811
    app = example(PROLIFIC, admin_users=["boss"])
    c = app.test_client()
    r = c.get(prolific_link("boss"))
    assert r.status_code == 403 and b"reserved" in r.data
    assert c.get("/admin/api/overview").status_code == 403
    assert app.extensions["potato_like"].store.users.by_name("boss") is None


def test_an_mturk_link_cannot_claim_an_admin_name(example):  # noqa: F811
    app = example(MTURK, admin_users=["boss"])
    c = app.test_client()
    r = c.get(mturk_link(worker="boss"))
    assert r.status_code == 403
    assert c.get("/admin/api/overview").status_code == 403


def test_adjudicator_names_are_reserved_too(make_project):
    app = make_project(adjudication={"enabled": True, "adjudicator_users": ["judge"]})
    assert app.test_client().post("/auth", json={"username": "judge"}).status_code == 403


def test_the_configured_admin_still_logs_in(make_project):
    app = make_project(require_password=True, admin_users=["boss"], user_config=BOSS)
    c = app.test_client()
    assert c.post("/auth", json={"username": "boss", "password": "wrong-pw-1"}).status_code == 401
    login(c, "boss", "boss-pw-1")
    assert c.get("/admin/api/overview").status_code == 200


def test_the_configured_admin_logs_in_with_its_password_on_a_passwordless_project(make_project):
    app = make_project(admin_users=["boss"], user_config=BOSS)
    c = app.test_client()
    assert c.post("/auth", json={"username": "boss"}).status_code == 401
    login(c, "boss", "boss-pw-1")
    assert c.get("/admin/api/overview").status_code == 200


def test_check_warns_about_an_admin_without_a_password(make_project, capsys):
    app = make_project(admin_users=["boss", "lead"], user_config=BOSS)
    path = app.extensions["potato_like"].config.config_path
    assert cli_main(["check", str(path)]) == 0
    err = capsys.readouterr().err
    assert "lead" in err and "no password" in err
    assert "boss" not in err.split("no password")[0].split("admin_users:")[-1]


@pytest.mark.parametrize("name", ["boss", "Boss"])
def test_reserved_check_is_one_rule(make_project, name):
    from potato_like.accounts import is_reserved

    cfg = make_project(admin_users=["boss"]).extensions["potato_like"].config
    assert is_reserved(cfg, name) and not is_reserved(cfg, "worker")


def test_the_admin_key_creates_a_reserved_account(make_project):
    app = make_project(require_password=True, admin_users=["boss"])
    c = app.test_client()
    body = {"username": "boss", "password": "boss-pw-1"}
    assert c.post("/admin/api/users", json=body).status_code == 403  # no key, no session
    r = c.post("/admin/api/users", json=body, headers=ADMIN)
    assert r.status_code == 201 and r.json["username"] == "boss"
    assert c.post("/admin/api/users", json=body, headers=ADMIN).status_code == 409
    weak = {"username": "lead", "password": "password1"}
    assert c.post("/admin/api/users", json=weak, headers=ADMIN).status_code == 400
    login(c, "boss", "boss-pw-1")
    assert c.get("/admin/api/overview").status_code == 200
    # The new admin creates the next one with their session.
    other = {"username": "lead2", "password": "lead-pw-22"}
    assert c.post("/admin/api/users", json=other).status_code == 201


def test_check_warns_about_an_admin_name_claimed_before_names_were_reserved(make_project, capsys):
    app = make_project(admin_users=["boss"])
    project = app.extensions["potato_like"]
    project.store.users.create("boss", "old-hash", login_kind="password")  # as before the fix
    assert cli_main(["check", str(project.config.config_path)]) == 0
    assert "the account 'boss' exists" in capsys.readouterr().err


def test_a_name_claimed_with_a_password_before_the_fix_is_taken_back(
    make_project, open_app, tmp_path
):
    from werkzeug.security import generate_password_hash

    from tests.conftest import base_config, write_config

    app = make_project(require_password=True, admin_users=["boss"])
    store = app.extensions["potato_like"].store
    # An old version let anyone register the admin name first.
    store.users.create("boss", generate_password_hash("attacker-pw-1"), login_kind="password")
    c = app.test_client()
    r = c.post("/auth", json={"username": "boss", "password": "attacker-pw-1"})
    assert r.status_code == 403 and "reserved" in r.json["error"]
    assert c.get("/admin/api/overview").status_code == 403
    app.extensions["potato_like"].close()
    # The researcher configures the admin's password: the config wins at the next start.
    config = base_config(require_password=True, admin_users=["boss"], user_config=BOSS)
    again = open_app(write_config(tmp_path, config, "fixed.yaml"))
    c = again.test_client()
    assert (
        c.post("/auth", json={"username": "boss", "password": "attacker-pw-1"}).status_code == 401
    )
    login(c, "boss", "boss-pw-1")
    assert c.get("/admin/api/overview").status_code == 200
