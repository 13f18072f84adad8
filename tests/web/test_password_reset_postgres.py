"""Password reset links on PostgreSQL: issue, use once, sessions end, the CLI on the same
database."""

from __future__ import annotations

import io
import sys

import pytest

from potato_like.cli import main as cli_main
from tests.conftest import ADMIN

pytestmark = pytest.mark.postgres


def test_reset_flow_and_cli_on_postgres(make_project, pg_url, tmp_path, monkeypatch):
    app = make_project(require_password=True, database_url=pg_url)
    assert app.extensions["potato_like"].store.engine.dialect.name == "postgresql"
    ann = app.test_client()
    assert ann.post("/register", data={"username": "ann", "password": "first-pw-1"}).status_code
    token = app.test_client().post("/admin/api/user/ann/reset_link", headers=ADMIN).json["token"]
    c = app.test_client()
    assert c.get(f"/reset/{token}").status_code == 200
    form = {
        "password": "second-password",
        "confirm_password": "second-password",
        "csrf_token": c.get("/api/csrf_token").json["csrf_token"],
    }
    assert c.post(f"/reset/{token}", data=form).status_code == 200
    assert c.post(f"/reset/{token}", data=form).status_code == 410
    assert ann.get("/api/current_instance").status_code == 401
    monkeypatch.setattr(sys, "stdin", io.StringIO("third-password\n"))
    config = str(tmp_path / "config.yaml")
    assert cli_main(["reset-password", config, "ann", "--password-stdin"]) == 0
    r = app.test_client().post("/auth", json={"username": "ann", "password": "third-password"})
    assert r.status_code == 200
