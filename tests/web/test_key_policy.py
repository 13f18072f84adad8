"""The admin key: failed checks are rate-limited; weak admin keys and session secrets are
warnings on loopback and stop the server on any other address (issue 13)."""

from __future__ import annotations

import pytest

from potato_like.cli import main as cli_main
from potato_like.key_policy import (
    MIN_ADMIN_KEY_CHARS,
    MIN_SECRET_KEY_BYTES,
    is_loopback,
    refusal,
)
from tests.conftest import ADMIN

STRONG_KEY = "k" * MIN_ADMIN_KEY_CHARS
STRONG_SECRET = "s" * MIN_SECRET_KEY_BYTES


def test_wrong_admin_keys_are_rate_limited(make_project):
    app = make_project(admin_key_rate_limit="3 per 10 minutes")
    c = app.test_client()
    for i in range(3):
        r = c.get("/admin/api/overview", headers={"X-API-Key": f"guess-{i:030d}"})
        assert r.status_code == 403
    r = c.get("/admin/api/overview", headers=ADMIN)  # even the right key, for a while
    assert r.status_code == 429 and "Too many wrong admin keys" in r.json["error"]
    elsewhere = app.test_client().get(
        "/admin/api/overview", headers=ADMIN, environ_base={"REMOTE_ADDR": "10.0.0.4"}
    )
    assert elsewhere.status_code == 200


def test_right_admin_keys_do_not_use_up_the_limit(make_project):
    app = make_project(admin_key_rate_limit="2 per 10 minutes")
    c = app.test_client()
    for _ in range(5):
        assert c.get("/admin/api/overview", headers=ADMIN).status_code == 200


def test_the_admin_sign_in_form_shares_the_key_limit(make_project):
    app = make_project(admin_key_rate_limit="2 per 10 minutes")
    c = app.test_client()
    for _ in range(2):
        assert c.post("/admin/login", data={"key": "nope"}).status_code == 401
    r = c.post("/admin/login", data={"key": "test-admin-key-123456"})
    assert r.status_code == 429
    assert c.get("/admin/api/overview", headers=ADMIN).status_code == 429


def test_short_keys_are_warnings(make_project):
    cfg = make_project(secret_key="x").extensions["potato_like"].config
    text = "\n".join(cfg.warnings)
    assert "admin_api_key" in text and f"at least {MIN_ADMIN_KEY_CHARS}" in text
    assert "secret_key" in text and f"at least {MIN_SECRET_KEY_BYTES}" in text
    assert refusal(cfg, "127.0.0.1") is None and refusal(cfg, "localhost") is None
    assert "admin_api_key" in refusal(cfg, "0.0.0.0")  # noqa: S104


def test_strong_keys_are_not_reported(make_project):
    cfg = (
        make_project(admin_api_key=STRONG_KEY, secret_key=STRONG_SECRET)
        .extensions["potato_like"]
        .config
    )
    assert not [w for w in cfg.warnings if "admin_api_key" in w or "secret_key" in w]
    assert refusal(cfg, "0.0.0.0") is None  # noqa: S104


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),  # noqa: S104
        ("10.1.2.3", False),
    ],
)
def test_loopback_hosts(host, loopback):
    assert is_loopback(host) is loopback


def test_run_refuses_a_public_address_with_a_short_key(make_project, capsys):
    app = make_project()  # the test key is shorter than 32 characters
    path = app.extensions["potato_like"].config.config_path
    code = cli_main(["run", str(path), "--host", "0.0.0.0", "--port", "0"])  # noqa: S104
    assert code == 1
    err = capsys.readouterr().err
    assert "refusing to listen on 0.0.0.0" in err and "admin_api_key" in err


def test_check_warns_about_a_short_secret(make_project, capsys):
    app = make_project(admin_api_key=STRONG_KEY, secret_key="short-secret")
    path = app.extensions["potato_like"].config.config_path
    assert cli_main(["check", str(path)]) == 0
    err = capsys.readouterr().err
    assert "secret_key" in err and "admin_api_key" not in err
