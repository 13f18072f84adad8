"""The real server (`python run.py` + waitress) over HTTP: nothing acknowledged is lost on kill -9."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.conftest import REPO, base_config, write_config, write_items

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port_free(port: int, seconds: float = 15.0) -> None:
    """After kill -9 of run.py's master its worker processes follow (SIGTERM from the
    kernel) within a moment; a restart must not mistake them for the new server."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return
        time.sleep(0.05)
    raise AssertionError(f"port {port} still answers {seconds} s after the server was killed")


def start_server(config, port):
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "run.py"), str(config), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stdout.read()}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok:
                return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not start in 30 s")


def test_200_annotations_survive_sigkill_and_restart(tmp_path):
    write_items(tmp_path / "data.jsonl", 250)
    config = write_config(tmp_path, base_config())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(config, port)
    acknowledged = {}
    try:
        s = requests.Session()
        assert s.post(f"{base}/auth", data={"username": "annotator1"}).ok
        for i in range(200):
            iid = s.get(f"{base}/api/current_instance").json()["instance_id"]
            label = ("positive", "negative", "neutral")[i % 3]
            r = s.post(
                f"{base}/updateinstance",
                json={"instance_id": iid, "annotations": {f"sentiment:{label}": "1"}},
            )
            assert r.status_code == 200 and r.json()["status"] == "success"
            acknowledged[iid] = label
            s.post(f"{base}/go_to", json={"action": "next_instance"})
    finally:
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        wait_port_free(port)
    assert len(acknowledged) == 200

    server = start_server(config, port)
    try:
        s = requests.Session()
        s.post(f"{base}/auth", data={"username": "annotator1"})
        info = s.get(f"{base}/api/current_instance").json()
        assert info["current_index"] == 200  # progress survived too
        for iid, label in acknowledged.items():
            got = s.get(f"{base}/get_annotations", params={"instance_id": iid}).json()
            assert got["label_annotations"] == {"sentiment": {label: "1"}}, iid
        export = requests.post(
            f"{base}/admin/api/export",
            json={"format": "jsonl"},
            headers={"X-API-Key": "test-admin-key-123456"},
        )
        assert len(export.text.splitlines()) == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    # A clean stop flushed the Potato-style output file with every annotation.
    lines = (tmp_path / "out" / "annotator1" / "annotated_instances.jsonl").read_text().splitlines()
    assert len(lines) == 200


def test_a_taken_port_is_a_clear_error(tmp_path):
    write_items(tmp_path / "data.jsonl", 3)
    config = write_config(tmp_path, base_config())
    port = free_port()
    server = start_server(config, port)
    try:
        second = subprocess.run(
            [sys.executable, str(REPO / "run.py"), str(config), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1
        assert f"cannot listen on 127.0.0.1:{port}" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
