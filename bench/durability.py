"""What `durability: full` costs: one small write transaction at a time on a real SQLite file,
with synchronous=NORMAL (the default) and FULL, alternating rounds.

    python bench/durability.py [--commits 500] [--rounds 3] [--dir bench/out]

Each commit is one `store.write()` transaction that bumps a counter (the smallest write the
server makes), so the difference is the disk sync at commit and nothing else. Prints one
JSON object: per level, commits/s and commit latency p50/p99 (ms), the median of the rounds.
The end-to-end cost under load is measured with load.py (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from potato_like.store import Store  # noqa: E402


def one_round(directory: Path, level: str, commits: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", durability=level)
        try:
            times = []
            for _ in range(commits):
                started = time.perf_counter()
                with store.write() as conn:
                    store.add_counter(conn, "bench", 1)
                times.append((time.perf_counter() - started) * 1000)
        finally:
            store.close()
    times.sort()
    return {
        "commits_per_s": commits / (sum(times) / 1000),
        "p50_ms": times[len(times) // 2],
        "p99_ms": times[int(len(times) * 0.99) - 1],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict[str, float]]] = {"normal": [], "full": []}
    for _ in range(args.rounds):
        for level in results:
            results[level].append(one_round(args.dir, level, args.commits))
    summary = {
        level: {key: round(statistics.median(r[key] for r in rounds), 2) for key in rounds[0]}
        for level, rounds in results.items()
    }
    print(json.dumps({"commits": args.commits, "rounds": args.rounds, **summary}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
