"""Start and stop the job worker process next to a server (cli.py)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

STOP_SECONDS = 10.0


def start_job_worker(config_path: Path | str) -> subprocess.Popen:
    """`python -m potato_like.jobs.worker CONFIG`, importing this same copy of the package
    (first on its PYTHONPATH) and stopping by itself when this process is gone."""
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "potato_like.jobs.worker",
            str(config_path),
            "--parent",
            str(os.getpid()),
        ],
        stdin=subprocess.DEVNULL,
        env=env,
    )


def stop_job_worker(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()
