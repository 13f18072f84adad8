"""`python run.py reset-password CONFIG USERNAME` works on the database of a running server:
it prints a one-time link (--base-url / --link) or sets a password from stdin."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from potato_like import password_reset
from potato_like.cli import main as cli_main
from tests.conftest import BOSS_PASSWORD, BOSS_USERS, REPO, login

NEW_PASSWORD = "a-new-long-password"


def _running(make_project, **overrides):
    """A served project (its app stays open while the command runs) with the account ann."""
    app = make_project(require_password=True, **overrides)
    c = app.test_client()
    r = c.post("/register", data={"username": "ann", "password": "first-password-1"})
    assert r.status_code == 302
    return app, c


def _can_log_in(app, name, password) -> bool:
    r = app.test_client().post("/auth", json={"username": name, "password": password})
    return r.status_code == 200


def test_password_stdin_sets_the_password_and_ends_sessions(
    make_project, tmp_path, monkeypatch, capsys
):
    app, ann = _running(make_project)
    link = app.test_client().post(
        "/admin/api/user/ann/reset_link", headers={"X-API-Key": "test-admin-key-123456"}
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO(NEW_PASSWORD + "\n"))
    code = cli_main(["reset-password", str(tmp_path / "config.yaml"), "ann", "--password-stdin"])
    assert code == 0
    assert "1 session(s) ended" in capsys.readouterr().err
    app.extensions["potato_like_sessions"].forget()  # the server's 5 s session cache
    assert ann.get("/api/current_instance").status_code == 401
    assert _can_log_in(app, "ann", NEW_PASSWORD)
    assert app.test_client().get("/reset/" + link.json["token"]).status_code == 410


def test_potato_username_option_and_password_rules(make_project, tmp_path, monkeypatch, capsys):
    app, _ = _running(make_project)
    config = str(tmp_path / "config.yaml")
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert cli_main(["reset-password", config, "--username", "ann", "--password-stdin"]) == 1
    assert "at least 8 characters" in capsys.readouterr().err
    assert _can_log_in(app, "ann", "first-password-1")


def test_a_reset_never_creates_an_account(make_project, tmp_path, monkeypatch, capsys):
    app, _ = _running(make_project)
    config = str(tmp_path / "config.yaml")
    monkeypatch.setattr(sys, "stdin", io.StringIO(NEW_PASSWORD + "\n"))
    assert cli_main(["reset-password", config, "ghost", "--password-stdin"]) == 1
    assert "no user 'ghost'" in capsys.readouterr().err
    assert cli_main(["reset-password", config, "ghost", "--base-url", "https://x.example"]) == 1
    assert app.extensions["potato_like"].store.users.by_name("ghost") is None


def test_a_printed_link_works_on_the_running_server(make_project, tmp_path, capsys):
    app, _ = _running(make_project)
    config = str(tmp_path / "config.yaml")
    assert cli_main(["reset-password", config, "ann", "--base-url", "https://a.example/"]) == 0
    out = capsys.readouterr()
    url = out.out.strip()
    assert url.startswith("https://a.example/reset/") and "valid until" in out.err
    path = url.removeprefix("https://a.example")
    c = app.test_client()
    page = c.get(path)
    assert page.status_code == 200
    token = c.get("/api/csrf_token").json["csrf_token"]
    form = {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, "csrf_token": token}
    assert c.post(path, data=form).status_code == 200
    assert _can_log_in(app, "ann", NEW_PASSWORD)


def test_link_without_base_url_uses_the_configured_address(make_project, tmp_path, capsys):
    app, _ = _running(make_project, port=8123)
    assert cli_main(["reset-password", str(tmp_path / "config.yaml"), "ann", "--link"]) == 0
    assert capsys.readouterr().out.startswith("http://localhost:8123/reset/")
    config = str(tmp_path / "config.yaml")
    assert cli_main(["reset-password", config, "ann", "--link", "--hours", "2"]) == 0
    token = capsys.readouterr().out.strip().rsplit("/", 1)[1]
    store = app.extensions["potato_like"].store
    link = store.password_resets.find(password_reset.token_hash(token))
    assert abs(link.expires_at - link.created_at - 7200) < 1


def test_the_command_line_may_reset_staff_accounts(make_project, tmp_path, monkeypatch, capsys):
    app, _ = _running(make_project, admin_users=["boss"], user_config=BOSS_USERS)
    boss = login(app.test_client(), "boss", BOSS_PASSWORD)
    config = str(tmp_path / "config.yaml")
    assert cli_main(["reset-password", config, "boss", "--base-url", "http://h"]) == 0
    assert capsys.readouterr().out.startswith("http://h/reset/")
    monkeypatch.setattr(sys, "stdin", io.StringIO("boss-new-password\n"))
    assert cli_main(["reset-password", config, "boss", "--password-stdin"]) == 0
    app.extensions["potato_like_sessions"].forget()
    assert (
        boss.get("/admin/api/overview").status_code == 403
    )  # session ended: not an admin any more (403, as Potato)
    boss = login(app.test_client(), "boss", "boss-new-password")
    assert boss.get("/admin/api/overview").status_code == 200


@pytest.mark.parametrize(
    "args",
    [
        ["--base-url", "ftp://x"],
        ["--hours", "0"],
        ["--base-url", "http://x", "--password-stdin"],
    ],
)
def test_bad_options_are_refused(make_project, tmp_path, args):
    _running(make_project)
    assert cli_main(["reset-password", str(tmp_path / "config.yaml"), "ann", *args]) == 2


def test_without_a_terminal_it_asks_for_a_flag(make_project, tmp_path, monkeypatch, capsys):
    _running(make_project)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert cli_main(["reset-password", str(tmp_path / "config.yaml"), "ann"]) == 2
    assert "--password-stdin" in capsys.readouterr().err


@pytest.mark.slow
def test_run_py_in_a_subprocess(make_project, tmp_path):
    app, _ = _running(make_project)
    config = str(tmp_path / "config.yaml")
    done = subprocess.run(
        [sys.executable, "run.py", "reset-password", config, "ann", "--password-stdin"],
        input=NEW_PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert _can_log_in(app, "ann", NEW_PASSWORD)
