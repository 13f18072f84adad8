"""`python run.py DIR` as a real server process: every project over HTTP under /p/<slug>/,
the root API, a project created while it runs, a clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from potato_like import ROOT
from tests.web.test_real_server import free_port

from ..workspaces import ROOT_ADMIN, write_workspace

pytestmark = pytest.mark.slow


def run_py(*args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        **kwargs,
    )


def test_run_py_serves_a_workspace_directory(tmp_path) -> None:
    root = write_workspace(tmp_path / "ws")
    port = free_port()
    proc = run_py(str(root), "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                if requests.get(f"{base}/p/beta/health", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None and time.time() < deadline, (
                proc.stdout.read() if proc.poll() is not None else "timeout"
            )
            time.sleep(0.2)
        listed = requests.get(f"{base}/api/v1/projects", headers=ROOT_ADMIN, timeout=10).json()
        assert [p["slug"] for p in listed["items"]] == ["alpha", "beta"]
        annotator = requests.Session()
        r = annotator.post(
            f"{base}/p/alpha/register", data={"username": "ann", "password": "pw"}, timeout=10
        )
        assert r.ok and r.url == f"{base}/p/alpha/annotate", r.url
        iid = annotator.get(f"{base}/p/alpha/api/current_instance", timeout=10).json()
        r = annotator.post(
            f"{base}/p/alpha/updateinstance",
            json={"instance_id": iid["instance_id"], "annotations": {"sentiment:neutral": "1"}},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        assert annotator.get(f"{base}/p/beta/api/current_instance", timeout=10).status_code == 401
        new = {"slug": "later", "title": "Later", "data": [{"id": "x1", "text": "hello"}]}
        r = requests.post(f"{base}/api/v1/projects", json=new, headers=ROOT_ADMIN, timeout=30)
        assert r.status_code == 201, r.text
        assert requests.get(f"{base}/p/later/login", timeout=10).status_code == 200
        overview = requests.get(f"{base}/api/v1/projects/alpha", headers=ROOT_ADMIN, timeout=10)
        assert overview.json()["annotations"] == 1
        # the root API's jobs run in the workspace's job worker: an export of alpha, and of
        # a project created after the worker started
        for slug in ("alpha", "later"):
            body = {"project": slug, "format": "jsonl"}
            r = requests.post(f"{base}/api/v1/exports", json=body, headers=ROOT_ADMIN, timeout=10)
            assert r.status_code in (201, 202), r.text
            export_id = r.json()["id"]
            deadline = time.time() + 90
            while (
                state := requests.get(
                    f"{base}/api/v1/exports/{export_id}", headers=ROOT_ADMIN, timeout=10
                ).json()
            )["status"] in ("queued", "running"):
                assert time.time() < deadline, state
                time.sleep(0.5)
            assert state["status"] == "completed", state
            got = requests.get(
                f"{base}/api/v1/exports/{export_id}/download", headers=ROOT_ADMIN, timeout=10
            )
            assert got.status_code == 200
            assert (b'"ann"' in got.content) == (slug == "alpha")  # later has no answers
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "/p/alpha/" in out and "Dashboard:" in out


def test_run_py_refuses_several_workers_for_a_workspace(tmp_path) -> None:
    root = write_workspace(tmp_path / "ws", projects=())
    proc = run_py(str(root), "--workers", "2")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "one process" in out


def test_run_py_names_every_problem_of_a_bad_workspace(tmp_path) -> None:
    (tmp_path / "workspace.yaml").write_text("colour: blue\n")
    proc = run_py(str(tmp_path))
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "colour: unknown key" in out and "projects/ directory is missing" in out
