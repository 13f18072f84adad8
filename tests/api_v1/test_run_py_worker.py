"""`run.py --workers 2` starts one job worker process (from the leader only), which runs a
job created through the API, and goes away with the server."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import ADMIN, base_config, write_config, write_items
from tests.web.test_real_server import free_port
from tests.web.test_workers import start_workers, stop, worker_pids

pytestmark = pytest.mark.slow


def job_workers(pids: list[int]) -> list[int]:
    found = []
    for pid in pids:
        for child in worker_pids(pid):
            with contextlib.suppress(OSError):
                if b"potato_like.jobs.worker" in Path(f"/proc/{child}/cmdline").read_bytes():
                    found.append(child)
    return found


def test_the_leader_starts_one_job_worker_that_runs_jobs_and_stops_with_the_server(tmp_path):
    write_items(tmp_path / "data.jsonl", 5)
    config = write_config(tmp_path, base_config())
    port = free_port()
    master = start_workers(config, port, workers=2)
    try:
        base = f"http://127.0.0.1:{port}"
        made = requests.post(
            f"{base}/api/v1/exports",
            json={"project": "default", "format": "jsonl"},
            headers=ADMIN,
            timeout=10,
        )
        assert made.status_code == 201, made.text
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job = requests.get(
                f"{base}/api/v1/exports/{made.json()['id']}", headers=ADMIN, timeout=10
            )
            if job.json()["status"] == "completed":
                break
            time.sleep(0.3)
        assert job.json()["status"] == "completed", job.json()
        workers = job_workers(worker_pids(master.pid))
        assert len(workers) == 1  # one per machine: the leader's
    finally:
        assert stop(master) == 0
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and Path(f"/proc/{workers[0]}").exists():
        time.sleep(0.1)
    assert (
        not Path(f"/proc/{workers[0]}/cmdline").exists()
        or not Path(f"/proc/{workers[0]}/cmdline").read_bytes()
    )
