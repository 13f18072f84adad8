"""Scale-out: one project on PostgreSQL served by several gunicorn worker processes."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import base_config, write_config, write_items
from tests.web.test_durability import annotate_over_http
from tests.web.test_real_server import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_three_gunicorn_workers_share_one_project(tmp_path, pg_url):
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if gunicorn is None:
        pytest.skip("gunicorn is not installed (pip install '.[postgres]')")
    write_items(tmp_path / "data.jsonl", 40)
    config = write_config(tmp_path, base_config(max_annotations_per_item=2, database_url=pg_url))
    port = free_port()
    proc = subprocess.Popen(
        [
            gunicorn,
            "-w",
            "3",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            f"potato_like:create_app({str(config)!r})",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if requests.get(f"{base}/health", timeout=5).ok:
                    break
            except requests.RequestException:
                pass  # workers still booting
            assert proc.poll() is None and time.time() < deadline, (
                proc.stdout.read() if proc.poll() is not None else "timeout"
            )
            time.sleep(0.2)
        per_item = annotate_over_http([base], users=8)
        assert max(per_item.values()) == 2 and sum(per_item.values()) == 80
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
