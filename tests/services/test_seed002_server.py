"""Seed 002 against `python run.py DIR` (a real server process): a batch's task annotated
over HTTP completes by itself, and the task and batch callbacks arrive signed, sent by the
server's own background thread."""

from __future__ import annotations

import time

import pytest
import requests

from potato_like.webhooks import outbox, signing
from potato_like.workspace.workspace import Workspace
from tests.web.test_real_server import free_port
from tests.web.test_workspace_server import run_py

from ..conftest import radio
from ..webhook_receiver import receive_webhooks
from ..workspaces import KEY, write_project, write_workspace

pytestmark = pytest.mark.slow


def test_callbacks_arrive_from_a_real_server(tmp_path) -> None:
    root = write_workspace(tmp_path / "ws", (), allow_fetch_hosts=["127.0.0.1"])
    write_project(root, "alpha", items=1, annotation_schemes=[radio("q", ["kitten", "dog"])])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = run_py(str(root), "--port", str(port))
    auth = (KEY, "")
    try:
        deadline = time.time() + 90
        while True:
            try:
                if requests.get(f"{base}/p/alpha/health", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None and time.time() < deadline
            time.sleep(0.2)
        with receive_webhooks() as hook:
            batch = {"project": "alpha", "name": "kittens", "callback": hook.url}
            r = requests.post(f"{base}/v1/batches", json=batch, auth=auth, timeout=10)
            assert r.status_code == 200 and r.json()["status"] == "staging", r.text
            task = {
                "project": "alpha",
                "batch": "kittens",
                "attachment": "a small cat",
                "categories": ["kitten", "dog"],
                "callback_url": hook.url,
            }
            r = requests.post(f"{base}/v1/task/categorization", json=task, auth=auth, timeout=10)
            task_id = r.json()["task_id"]
            r = requests.post(f"{base}/v1/batches/kittens/finalize", auth=auth, timeout=30)
            assert r.json()["status"] == "in_progress"
            ann = requests.Session()
            ann.post(f"{base}/p/alpha/register", data={"username": "a", "password": "pw"})
            iid = ann.get(f"{base}/p/alpha/api/current_instance", timeout=10).json()
            assert iid["instance_id"] == task_id
            r = ann.post(
                f"{base}/p/alpha/updateinstance",
                json={"instance_id": task_id, "annotations": {"q:kitten": "1"}},
                timeout=10,
            )
            assert r.status_code == 200, r.text
            got = hook.wait(2, timeout=30)
        status = requests.get(f"{base}/v1/batches/kittens/status", auth=auth, timeout=10)
        assert status.json() == {"status": "completed", "tasks_pending": 0, "tasks_completed": 1}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    by_kind = {("task" if "task_id" in d.json else "batch"): d for d in got}
    assert by_kind["task"].json["response"]["category"] == "kitten"
    assert by_kind["batch"].json["status"] == "completed"
    workspace = Workspace.open(root)
    try:
        secret = outbox.secret(workspace.store)
    finally:
        workspace.close()
    for delivery in got:
        signing.verify(secret, delivery.headers, delivery.body, now=time.time())
