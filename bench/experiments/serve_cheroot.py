"""EXPERIMENT, not the shipped server: serve the same app with cheroot (CherryPy's threaded
WSGI server, selector-based keep-alive) instead of waitress, taking run.py's arguments.

    python bench/load.py --server-script bench/experiments/serve_cheroot.py ...
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cheroot import wsgi

from potato_like import create_app

parser = argparse.ArgumentParser()
parser.add_argument("config")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8000)
parser.add_argument("--threads", type=int, default=16)
args = parser.parse_args()
app = create_app(args.config)
server = wsgi.Server((args.host, args.port), app, numthreads=args.threads, request_queue_size=2048)
try:
    server.start()
except KeyboardInterrupt:
    server.stop()
