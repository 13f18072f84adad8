"""Webhooks in a workspace (run.py DIR): one signing secret shown on the dashboard's webhook
page, deliveries of the workspace and its projects listed there with a re-send button,
e-mail callbacks through the configured SMTP server, `smtp:` problems."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml

from potato_like import create_workspace_app
from potato_like.errors import ConfigError
from potato_like.webhooks import outbox, signing
from potato_like.webhooks.worker import DeliveryThread
from tests.webhook_receiver import receive_mail, receive_webhooks

from ..workspaces import KEY, write_project, write_workspace


@pytest.fixture
def workspace_app(tmp_path: Path):
    apps = []

    def make(projects=("alpha",), **workspace):
        root = write_workspace(tmp_path / "ws", projects, **workspace)
        app = create_workspace_app(root)
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["potato_like"].close()


def signed_in(app):
    client = app.test_client()
    page = client.get("/")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    assert client.post("/login", data={"key": KEY, "csrf_token": token}).status_code == 302
    page = client.get("/")  # a new session: a new token
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    return client, token


def test_the_dashboard_shows_the_secret_and_deliveries_and_resends(workspace_app):
    app = workspace_app(allow_fetch_hosts=["127.0.0.1"])
    workspace = app.extensions["potato_like"]
    with receive_webhooks(answers=[500, 200, 200]) as hook:
        delivery = outbox.enqueue(
            workspace.store,
            url=hook.url,
            event="job.done",
            payload={"job_id": "j1"},
            headers={"X-Secret-Token": "t0ken"},
        )
        assert outbox.deliver_due(workspace.store) == 1
        client = app.test_client()
        assert client.get("/webhooks").headers["Location"].endswith("/")  # signed out
        client, token = signed_in(app)
        assert b'data-testid="webhooks-link"' in client.get("/").data
        page = client.get("/webhooks").get_data(as_text=True)
        secret = workspace.webhook_secret()
        assert secret.startswith("whsec_") and secret in page
        assert f'data-delivery="{delivery}"' in page
        assert "HTTP 500" in page and "pending" in page
        assert "t0ken" not in page  # header values are not shown
        assert "<script>" not in page and "style=" not in page and "onclick" not in page
        failed = client.get("/webhooks?status=failed").get_data(as_text=True)
        assert f'data-delivery="{delivery}"' not in failed
        assert client.get("/webhooks?status=bogus").status_code == 400
        # Delivered on the retry; then re-sent from the dashboard.
        due = workspace.store.outbox.get(delivery)["next_attempt_at"]
        outbox.deliver_due(workspace.store, now=due)
        assert workspace.store.outbox.get(delivery)["status"] == "delivered"
        form = {"source": "workspace", "id": delivery, "csrf_token": token}
        r = client.post("/webhooks/resend", data=form)
        assert r.status_code == 302
        assert workspace.store.outbox.get(delivery)["status"] == "pending"
        assert outbox.deliver_due(workspace.store) == 1
        got = hook.wait(3)
    assert all(r.headers["webhook-id"] == delivery for r in got)
    for request in got:
        signing.verify(secret, request.headers, request.body, now=time.time())
    assert got[0].headers["x-secret-token"] == "t0ken"
    bad = client.post("/webhooks/resend", data={**form, "id": "msg_nope"})
    assert bad.status_code == 404
    assert client.post("/webhooks/resend", data={**form, "source": "nope"}).status_code == 404
    assert (
        client.post("/webhooks/resend", data={"source": "workspace", "id": delivery}).status_code
        == 400
    )


def test_a_projects_potato_webhooks_are_signed_with_the_workspace_secret(workspace_app, tmp_path):
    with receive_webhooks() as hook:
        root = write_workspace(tmp_path / "ws2", (), allow_fetch_hosts=["127.0.0.1"])
        endpoint = {"name": "p", "url": hook.url, "events": ["annotation.created"]}
        write_project(root, "hooked", webhooks={"enabled": True, "endpoints": [endpoint]})
        app = create_workspace_app(root)
        app.config["TESTING"] = True
        try:
            workspace = app.extensions["potato_like"]
            c = app.test_client()
            r = c.post("/p/hooked/auth", data={"username": "ann1", "password": ""})
            assert r.status_code in (200, 302)
            iid = c.get("/p/hooked/api/current_instance").json["instance_id"]
            body = {"instance_id": iid, "annotations": {"sentiment:positive": "1"}}
            assert c.post("/p/hooked/updateinstance", json=body).status_code == 200
            # The server's delivery pass covers the project's store too.
            assert DeliveryThread(workspace.delivery_stores).run_once() == 1
            (got,) = hook.wait(1)
            signing.verify(workspace.webhook_secret(), got.headers, got.body, now=time.time())
            # The project's admin API does not hand out the workspace's secret.
            listed = c.get("/p/hooked/admin/api/webhooks", headers={"X-API-Key": KEY}).json
            assert listed["enabled"] is True and "signing_secret" not in listed
            client, _ = signed_in(app)
            page = client.get("/webhooks").get_data(as_text=True)
            assert "annotation.created" in page and ">hooked<" in page
        finally:
            app.extensions["potato_like"].close()


def test_email_callbacks_go_through_the_configured_smtp_server(workspace_app):
    with receive_mail() as mail:
        smtp = {"host": mail.host, "port": mail.port, "from": "ws@example.org", "starttls": False}
        app = workspace_app(smtp=smtp)
        store = app.extensions["potato_like"].store
        delivery = outbox.enqueue(
            store, url="ops@example.org", event="batch.completed", payload={"batch": "b1"}
        )
        assert outbox.deliver_due(store) == 1
    assert store.outbox.get(delivery)["status"] == "delivered"
    (message,) = mail.messages
    assert message["to"] == ["ops@example.org"] and "ws@example.org" in message["from"]
    assert "Subject: [potato_like] batch.completed" in message["data"]
    assert '"batch": "b1"' in message["data"]


def test_an_unreachable_smtp_server_is_retried(workspace_app):
    app = workspace_app(smtp={"host": "127.0.0.1", "port": 9, "starttls": False})
    store = app.extensions["potato_like"].store
    delivery = outbox.enqueue(store, url="ops@example.org", event="e", payload={})
    outbox.deliver_due(store)
    row = store.outbox.get(delivery)
    assert row["status"] == "pending" and row["last_error"].startswith("SMTP")


@pytest.mark.parametrize(
    ("smtp", "expected"),
    [
        ("mail.example.org", "smtp: must be a mapping"),
        ({"port": 25}, "smtp.host: is required"),
        ({"host": "m", "port": 0}, "smtp.port"),
        ({"host": "m", "starttls": "yes"}, "smtp.starttls"),
        ({"host": "m", "tls": True}, "smtp.tls: unknown key"),
        ({"host": "m", "password": 123}, "smtp.password"),
    ],
)
def test_bad_smtp_settings_are_listed(tmp_path, smtp, expected):
    root = tmp_path / "ws"
    (root / "projects").mkdir(parents=True)
    (root / "workspace.yaml").write_text(yaml.safe_dump({"api_keys": [], "smtp": smtp}))
    with pytest.raises(ConfigError) as err:
        create_workspace_app(root)
    assert any(expected in p for p in err.value.problems), err.value.problems
