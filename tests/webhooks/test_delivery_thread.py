"""The delivery thread of real servers: `run.py DIR` delivers what another process queued in
the workspace's store; `run.py config.yaml` with `webhooks:` delivers an annotation's event.
Each server runs as a subprocess; a local receiver checks what arrives."""

from __future__ import annotations

import time

import pytest
import requests
import yaml

from potato_like.store import Store
from potato_like.webhooks import outbox, signing
from tests.conftest import base_config, write_items
from tests.web.test_real_server import free_port
from tests.web.test_workspace_server import run_py
from tests.webhook_receiver import receive_webhooks

from ..workspaces import write_workspace

pytestmark = pytest.mark.slow


def wait_up(proc, url: str) -> None:
    deadline = time.time() + 90
    while True:
        try:
            if requests.get(url, timeout=5).ok:
                return
        except requests.RequestException:
            pass
        assert proc.poll() is None and time.time() < deadline, (
            proc.stdout.read() if proc.poll() is not None else "timeout"
        )
        time.sleep(0.2)


def stop(proc) -> None:
    proc.terminate()
    proc.wait(timeout=30)


def test_run_py_dir_delivers_rows_queued_by_another_process(tmp_path):
    root = write_workspace(tmp_path / "ws", ("alpha",), allow_fetch_hosts=["127.0.0.1"])
    port = free_port()
    with receive_webhooks() as hook:
        proc = run_py(str(root), "--port", str(port), "--job-workers", "0")
        try:
            wait_up(proc, f"http://127.0.0.1:{port}/health")
            store = Store.open(f"sqlite:///{root / 'workspace.sqlite'}")
            try:
                delivery = outbox.enqueue(store, url=hook.url, event="job.done", payload={"n": 1})
                (got,) = hook.wait(1, timeout=15)
                secret = outbox.secret(store)
            finally:
                store.close()
        finally:
            stop(proc)
    assert got.json == {"n": 1} and got.headers["webhook-id"] == delivery
    signing.verify(secret, got.headers, got.body, now=time.time())


def test_a_single_project_server_delivers_potato_webhooks(tmp_path):
    port = free_port()
    with receive_webhooks() as hook:
        write_items(tmp_path / "data.jsonl", 2)
        endpoint = {"name": "p", "url": hook.url, "secret": "k", "events": ["annotation.created"]}
        config = base_config(
            webhooks={"enabled": True, "endpoints": [endpoint]},
            media={"allow_fetch_hosts": ["127.0.0.1"]},
            port=port,
        )
        (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
        proc = run_py(str(tmp_path / "config.yaml"), "--job-workers", "0")
        try:
            base = f"http://127.0.0.1:{port}"
            wait_up(proc, f"{base}/health")
            s = requests.Session()
            s.post(f"{base}/auth", data={"username": "ann", "password": ""}, timeout=10)
            iid = s.get(f"{base}/api/current_instance", timeout=10).json()["instance_id"]
            body = {"instance_id": iid, "annotations": {"sentiment:positive": "1"}}
            assert s.post(f"{base}/updateinstance", json=body, timeout=10).status_code == 200
            (got,) = hook.wait(1, timeout=15)
        finally:
            stop(proc)
    assert got.json["event"] == "annotation.created"
    assert got.json["data"]["instance_id"] == iid
    signing.verify("k", got.headers, got.body, now=time.time())
