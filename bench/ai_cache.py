"""Time one insert into the AI suggestion cache as it grows to 100,000 entries: the store's
table (store/ai_cache.py, one row per suggestion, each insert its own transaction as the
server does it) against the JSON file it replaces (the whole file rewritten atomically per
new suggestion, as before).

    python bench/ai_cache.py [--entries 100000] [--json-up-to 10000]

Prints one JSON object: for each size, the median and p99 of 200 single inserts (wall and
CPU seconds) for the store, and the median of 20 rewrites for the JSON file (up to
--json-up-to entries; beyond that it only grows), plus the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from potato_like.store import Store  # noqa: E402

SIZES = (0, 10_000, 25_000, 50_000, 100_000)
PROBES = 200


def entry(n: int) -> tuple[str, dict]:
    key = json.dumps(["openai", "gpt-4o-mini", f"item_{n:07d}", "sentiment"])
    return key, {
        "schema": "sentiment", "label": "positive", "confidence": 0.9,
        "explanation": "says 'great' and 'wonderful', nothing against", "evidence": [],
        "provider": "openai", "model_version": "gpt-4o-mini", "scores": {},
    }  # fmt: skip


def timed_puts(store: Store, start: int) -> dict:
    wall, cpu = [], []
    for i in range(start, start + PROBES):
        key, value = entry(i)
        w, c = time.perf_counter(), time.process_time()
        store.ai_cache.put(key, value)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    wall.sort()
    cpu.sort()
    return {
        "wall_ms_p50": round(wall[PROBES // 2] * 1000, 3),
        "wall_ms_p99": round(wall[int(PROBES * 0.99)] * 1000, 3),
        "cpu_ms_p50": round(cpu[PROBES // 2] * 1000, 3),
    }


def json_rewrite(path: Path, cache: dict, n: int) -> float:
    """The median seconds of rewriting the whole JSON file after one more entry."""
    times = []
    for i in range(20):
        key, value = entry(10_000_000 + n + i)
        cache[key] = value
        t = time.perf_counter()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ai_cache.")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(cache, ensure_ascii=False))
        os.replace(tmp, path)
        times.append(time.perf_counter() - t)
    return sorted(times)[10]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--json-up-to", type=int, default=10_000)
    args = parser.parse_args()
    sizes = [s for s in SIZES if s <= args.entries]
    out: dict = {"store": {}, "json_file": {}}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        filled = 0
        for size in sizes:
            if size > filled:
                store.ai_cache.put_many(entry(i) for i in range(filled, size))
                filled = size
            out["store"][size] = timed_puts(store, 20_000_000 + size)
        store.close()
        cache: dict = {}
        path = Path(tmp) / "ai_cache.json"
        for size in [s for s in (0, 1_000, 5_000, 10_000) if s <= args.json_up_to]:
            while len(cache) < size:
                key, value = entry(len(cache))
                cache[key] = value
            out["json_file"][size] = {
                "wall_ms_p50": round(json_rewrite(path, cache, size) * 1000, 3)
            }
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
