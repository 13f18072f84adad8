"""`run.py --workers N` against the real server: N processes on one port and one SQLite
file keep leases and overlap exact, and kill -9 of one worker under load loses no
acknowledged annotation (the master starts a new one)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import base_config, write_config, write_items
from tests.web.test_durability import ADMIN, annotate_over_http, annotator
from tests.web.test_real_server import REPO, free_port

pytestmark = pytest.mark.slow


def start_workers(config: Path, port: int, workers: int = 2) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "run.py"),
            str(config),
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            "8",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        assert proc.poll() is None, "the master exited during start"
        pids = worker_pids(proc.pid)
        # Every worker listening, not just started: a worker still importing would leave
        # the kernel only one socket to hand connections to.
        if len(pids) == workers and len(listening(pids, port)) == workers:
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok:
                    return proc
            except requests.ConnectionError:
                pass
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("the workers did not start in 60 s")


def worker_pids(master: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{master}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            out += [int(pid) for pid in task.read_text().split()]
    return sorted(out)


def listening(pids: list[int], port: int) -> list[int]:
    """Those of pids holding a socket that listens on port (from /proc/net/tcp*)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                cols = line.split()
                if int(cols[1].rsplit(":", 1)[1], 16) == port and cols[3] == "0A":
                    inodes.add(f"socket:[{cols[9]}]")
    out = []
    for pid in pids:
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) in inodes for fd in Path(f"/proc/{pid}/fd").iterdir()):
                out.append(pid)
    return out


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=60)


def test_two_workers_keep_overlap_exact_and_both_serve(tmp_path):
    write_items(tmp_path / "data.jsonl", 60)
    config = write_config(tmp_path, base_config(max_annotations_per_item=2))
    port = free_port()
    master = start_workers(config, port)
    try:
        pids = worker_pids(master.pid)
        before = {pid: cpu_ticks(pid) for pid in pids}
        # 16 annotators, each with its own connection: the kernel spreads them over both.
        per_item = annotate_over_http([f"http://127.0.0.1:{port}"], users=16)
        assert max(per_item.values()) == 2  # overlap held across both processes
        assert sum(per_item.values()) == 120  # every item got exactly its 2 annotators
        worked = [pid for pid in pids if cpu_ticks(pid) - before[pid] > 5]
        assert len(worked) == 2, "both worker processes served requests"
    finally:
        assert stop(master) == 0
    assert worker_pids(master.pid) == []


def test_kill_9_of_one_worker_under_load_loses_no_acknowledged_annotation(tmp_path):
    write_items(tmp_path / "data.jsonl", 2000)
    config = write_config(tmp_path, base_config())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    master = start_workers(config, port)
    try:
        victim = worker_pids(master.pid)[1]
        acked: list[tuple[str, str, str]] = []
        halt, errors = threading.Event(), []
        threads = [
            threading.Thread(target=annotator, args=(base, f"ann{i:02d}", acked, halt, errors))
            for i in range(30)
        ]
        for t in threads:
            t.start()
        deadline = time.time() + 30
        while len(acked) < 300 and time.time() < deadline:
            time.sleep(0.05)
        os.kill(victim, signal.SIGKILL)  # one worker, mid-load, no warning
        time.sleep(1.0)
        halt.set()
        for t in threads:
            t.join(timeout=15)
        assert errors == []
        assert len(acked) >= 100, "the load did not get going"
        # The master started a new worker in its place.
        deadline = time.time() + 30
        while time.time() < deadline:
            pids = worker_pids(master.pid)
            if len(pids) == 2 and victim not in pids:
                break
            time.sleep(0.1)
        assert len(pids) == 2 and victim not in pids

        r = requests.post(
            f"{base}/admin/api/export", json={"format": "jsonl"}, headers=ADMIN, timeout=60
        )
        exported = {
            (row["user"], row["id"]): row["answers"]["sentiment"]
            for row in map(json.loads, r.text.splitlines())
        }
        missing = [(u, i, lab) for (u, i, lab) in acked if exported.get((u, i)) != lab]
        assert missing == [], f"{len(missing)} acknowledged annotations lost, e.g. {missing[:3]}"
    finally:
        stop(master)


def test_a_master_killed_with_kill_9_takes_its_workers_with_it(tmp_path):
    write_items(tmp_path / "data.jsonl", 5)
    config = write_config(tmp_path, base_config())
    port = free_port()
    master = start_workers(config, port)
    pids = worker_pids(master.pid)
    master.kill()
    master.wait(timeout=10)
    deadline = time.time() + 20
    while time.time() < deadline and any(Path(f"/proc/{pid}").exists() for pid in pids):
        time.sleep(0.1)
    alive = [p for p in pids if Path(f"/proc/{p}").exists()]
    running = [
        p for p in alive if Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    ]
    assert running == [], "workers outlived their master"


@pytest.mark.postgres
def test_two_workers_on_postgresql_keep_overlap_exact(tmp_path, pg_url):
    write_items(tmp_path / "data.jsonl", 40)
    config = write_config(tmp_path, base_config(max_annotations_per_item=2, database_url=pg_url))
    port = free_port()
    master = start_workers(config, port)
    try:
        per_item = annotate_over_http([f"http://127.0.0.1:{port}"], users=10)
        assert max(per_item.values()) == 2
        assert sum(per_item.values()) == 80
        # The agreement view folds the pending pair rows the workers wrote, on PostgreSQL too.
        r = requests.get(f"http://127.0.0.1:{port}/admin/api/agreement", headers=ADMIN, timeout=30)
        assert r.status_code == 200
    finally:
        assert stop(master) == 0
