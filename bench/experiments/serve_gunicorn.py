"""EXPERIMENT, not the shipped server: serve the same app with gunicorn (gthread) instead of
waitress, taking run.py's arguments (CONFIG --host H --port P --threads T).

    WORKERS=2 python bench/load.py --server-script bench/experiments/serve_gunicorn.py ...

WORKERS (default 1) gunicorn worker processes, each with T threads, on the same SQLite file.
APP_DIR=DIR runs the code in DIR. load.py's rss_mb and server_cpu_seconds then describe the
gunicorn master process only, not its workers: ignore them for this server.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("config")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", default="8000")
parser.add_argument("--threads", default="16")
args = parser.parse_args()
app_dir = os.environ.get("APP_DIR", str(Path(__file__).resolve().parents[2]))
gunicorn = str(Path(sys.executable).parent / "gunicorn")
config = os.path.abspath(args.config)
os.execv(  # noqa: S606
    gunicorn,
    [
        gunicorn,
        "--chdir", app_dir,
        "--workers", os.environ.get("WORKERS", "1"),
        "--threads", args.threads,
        "--worker-class", "gthread",
        "--bind", f"{args.host}:{args.port}",
        "--backlog", "2048",
        "--log-level", "warning",
        f'potato_like:create_app("{config}")',
    ],
)  # fmt: skip
