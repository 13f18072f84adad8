"""EXPERIMENT, not the shipped server: `run.py` that counts waitress's main-loop iterations.

    python bench/load.py --server-script bench/experiments/serve_loop_stats.py ...

waitress's main loop calls select() once per iteration over every open connection (asking
each channel readable()/writable() first). At exit this prints LOOP-STATS to the server log:
iterations, how many sockets select() reported readable and writable in total, and how many
file descriptors were passed in total. APP_DIR=DIR runs the code in DIR.
"""

from __future__ import annotations

import atexit
import os
import select
import sys
from pathlib import Path

sys.path.insert(0, os.environ.get("APP_DIR", str(Path(__file__).resolve().parents[2])))

from waitress import wasyncore

stats = {"iterations": 0, "readable": 0, "writable": 0, "fds_passed": 0}
_select = select.select


def _counting_select(r, w, e, timeout):
    stats["iterations"] += 1
    stats["fds_passed"] += len(e)
    rr, ww, ee = _select(r, w, e, timeout)
    stats["readable"] += len(rr)
    stats["writable"] += len(ww)
    return rr, ww, ee


class _Select:
    select = staticmethod(_counting_select)
    error = OSError


wasyncore.select = _Select
atexit.register(lambda: print("LOOP-STATS", stats, file=sys.stderr, flush=True))

from potato_like.cli import main  # noqa: E402

sys.exit(main())
