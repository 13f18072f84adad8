"""Seed 001 in `python run.py DIR` (a real server process): a job's webhook arrives with no
test-driven pass, so the server's own background thread reconciles and delivers."""

from __future__ import annotations

import signal
import time

import pytest
import requests

from tests.web.test_real_server import free_port
from tests.web.test_workspace_server import run_py

from ..workspaces import KEY, write_workspace
from .hitl_servers import PDF, PNG, file_host, loads, receiver

pytestmark = pytest.mark.slow
H = {"Authorization": f"api_key {KEY}"}
SCHEMES = [{"annotation_type": "radio", "name": "animal", "description": "?", "labels": ["cat"]}]


def test_a_done_job_calls_its_webhook_from_the_running_server(tmp_path) -> None:
    root = write_workspace(tmp_path / "ws", projects=(), allow_fetch_hosts=["127.0.0.1"])
    files = {"i.pdf": ("application/pdf", PDF), "f.png": ("image/png", PNG)}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with file_host(files) as host, receiver() as (hook, got):
        proc = run_py(str(root), "--port", str(port))
        try:
            deadline = time.time() + 90
            while True:
                try:
                    if requests.get(f"{base}/v1/health", headers=H, timeout=5).ok:
                        break
                except requests.RequestException:
                    pass
                assert proc.poll() is None and time.time() < deadline
                time.sleep(0.2)
            body = {"name": "p", "instructions_file_url": f"{host}/i.pdf"}
            pid = requests.post(f"{base}/v1/projects", json=body, headers=H, timeout=30).json()[
                "id"
            ]
            r = requests.post(
                f"{base}/api/v1/projects/{pid}/activate",
                json={"annotation_schemes": SCHEMES},
                headers={"X-API-Key": KEY},
                timeout=60,
            )
            assert r.status_code == 200, r.text
            slug = r.json()["slug"]
            job = {"project_id": pid, "file_urls": [f"{host}/f.png"], "webhook_url": f"{hook}/h"}
            jid = requests.post(f"{base}/v1/jobs", json=job, headers=H, timeout=30).json()["job_id"]
            ann = requests.Session()
            ann.post(f"{base}/p/{slug}/register", data={"username": "a", "password": "pw-12345"})
            r = ann.post(
                f"{base}/p/{slug}/updateinstance",
                json={"instance_id": jid, "annotations": {"animal:cat": "1"}},
                timeout=10,
            )
            assert r.status_code == 200, r.text
            deadline = time.time() + 30
            while not got:
                assert time.time() < deadline, "no webhook within 30 s"
                time.sleep(0.2)
        finally:
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=30)
    payload = loads(got[0]["body"])
    assert payload["job_id"] == jid and payload["status"] == "done"
    assert payload["annotations"] == {"a": {"animal": "cat"}}
    assert got[0]["headers"]["webhook-id"] and got[0]["headers"]["webhook-signature"]
    assert proc.returncode == 0, out
