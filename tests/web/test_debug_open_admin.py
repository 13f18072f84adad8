"""`run.py --debug` on loopback: admin pages and APIs answer requests from this machine
without the key, as in Potato's --debug; never otherwise."""

from __future__ import annotations

import signal

import flask
import pytest

from potato_like import cli
from potato_like.web.security import DEBUG_OPEN_ADMIN
from tests.conftest import base_config, write_config, write_items


@pytest.fixture
def served(monkeypatch, tmp_path):
    """run(args) -> the app `run.py` would serve (Flask's server recorded, not started)."""
    apps: list[flask.Flask] = []
    monkeypatch.setattr(flask.Flask, "run", lambda app, **kw: apps.append(app))
    on_sigterm = signal.getsignal(signal.SIGTERM)

    def run(*args, **config):
        write_items(tmp_path / "data.jsonl", 2)
        path = str(write_config(tmp_path, base_config(**config)))
        assert cli.main(["run", path, "--port", "0", *args]) == 0
        return apps[-1]

    yield run
    signal.signal(signal.SIGTERM, on_sigterm)
    for app in apps:
        app.extensions["potato_like"].close()


def local(app, host="127.0.0.1:8000", **headers):
    return app.test_client(), {"base_url": f"http://{host}", "headers": headers}


def test_debug_on_loopback_opens_admin_api_and_pages_without_a_key(served):
    app = served("--debug")
    assert app.config[DEBUG_OPEN_ADMIN] is True
    c, kw = local(app)
    r = c.get("/admin/api/overview", **kw)
    assert r.status_code == 200, r.json
    page = c.get("/admin", **kw)
    assert (
        page.status_code == 200 and b"/admin/login" not in page.headers.get("Location", "").encode()
    )
    c, kw = local(app, host="localhost:8000")
    assert c.get("/admin/api/annotators", **kw).status_code == 200


def test_without_debug_the_key_is_needed(tmp_path, open_app):
    write_items(tmp_path / "data.jsonl", 2)
    app = open_app(write_config(tmp_path, base_config()))  # what run.py serves without --debug
    assert not app.config.get(DEBUG_OPEN_ADMIN)
    c, kw = local(app)
    assert c.get("/admin/api/overview", **kw).status_code == 403
    assert c.get("/admin", **kw).status_code == 302


@pytest.mark.parametrize(
    "host, headers, remote",
    [
        ("evil.example:8000", {}, "127.0.0.1"),  # DNS rebinding: a page of another site
        ("127.0.0.1:8000", {"X-Forwarded-For": "203.0.113.9"}, "127.0.0.1"),  # a local proxy
        ("127.0.0.1:8000", {"Forwarded": "for=203.0.113.9"}, "127.0.0.1"),
        ("127.0.0.1:8000", {}, "192.168.1.7"),  # another machine
    ],
)
def test_debug_admin_stays_closed_to_anything_not_local(served, host, headers, remote):
    app = served("--debug")
    c = app.test_client()
    r = c.get(
        "/admin/api/overview",
        base_url=f"http://{host}",
        headers=headers,
        environ_base={"REMOTE_ADDR": remote},
    )
    assert r.status_code in (400, 403), (host, headers, remote)


def test_debug_admin_is_closed_behind_a_proxy(served):
    app = served("--debug", behind_proxy=1)
    c, kw = local(app)
    assert c.get("/admin/api/overview", **kw).status_code == 403


def test_the_flag_alone_does_nothing_on_a_public_host(tmp_path, open_app):
    write_items(tmp_path / "data.jsonl", 2)
    app = open_app(write_config(tmp_path, base_config(host="0.0.0.0")))  # noqa: S104
    app.config[DEBUG_OPEN_ADMIN] = True  # as if set by mistake
    c, kw = local(app)
    assert c.get("/admin/api/overview", **kw).status_code == 403


def test_debug_admin_post_from_another_site_is_refused(served):
    c = served("--debug").test_client()
    r = c.post(
        "/admin/api/config",
        json={"max_annotations_per_user": 1},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        base_url="http://127.0.0.1:8000",
    )
    assert r.status_code == 403
