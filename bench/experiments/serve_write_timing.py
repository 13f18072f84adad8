"""EXPERIMENT, not the shipped server: `run.py` that times every `Store.write()` transaction.

    python bench/load.py --server-script bench/experiments/serve_write_timing.py ...
    WRITE_MUTEX=1 python bench/load.py --server-script bench/experiments/serve_write_timing.py ...

At exit (SIGTERM) it prints to the server log (bench/out/server-*.log) two lines:
WRITE-wait (from asking for a write transaction until BEGIN IMMEDIATE returned, i.e. waiting
for SQLite's write lock) and WRITE-hold (from then until COMMIT returned), n/p50/p90/p99/max/sum
in ms. WRITE_MUTEX=1 also puts one process-wide threading.Lock around Store.write, so writers
queue in Python instead of in SQLite's busy handler (sleep-and-retry). APP_DIR=DIR runs the
code in DIR (default: this repository).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, os.environ.get("APP_DIR", str(Path(__file__).resolve().parents[2])))

from potato_like.store import Store

_original = Store.write
_mutex = threading.Lock() if os.environ.get("WRITE_MUTEX") == "1" else None
_waits: list[float] = []
_holds: list[float] = []


@contextmanager
def _timed_write(self):
    asked = time.perf_counter()
    if _mutex is not None:
        _mutex.acquire()
    try:
        with _original(self) as conn:
            began = time.perf_counter()
            yield conn
        _waits.append((began - asked) * 1000)
        _holds.append((time.perf_counter() - began) * 1000)
    finally:
        if _mutex is not None:
            _mutex.release()


def _report() -> None:
    for name, values in (("wait", _waits), ("hold", _holds)):
        v = sorted(values)
        if not v:
            continue
        p50, p90, p99 = (v[min(len(v) - 1, int(len(v) * q))] for q in (0.5, 0.9, 0.99))
        print(
            f"WRITE-{name}: n={len(v)} p50={p50:.2f} p90={p90:.2f} p99={p99:.2f} "
            f"max={v[-1]:.2f} sum={sum(v):.0f}ms mutex={_mutex is not None}",
            file=sys.stderr,
            flush=True,
        )


Store.write = _timed_write
atexit.register(_report)

from potato_like.cli import main  # noqa: E402

sys.exit(main())
