"""Print a Markdown table of bench/load.py JSON results, one row per file.

python bench/summarize.py bench/out/results/*.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def get(d: dict, *path: str):
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def fmt(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


COLUMNS = [
    ("run", lambda name, d: name),
    ("items", lambda name, d: f"{d.get('items'):,}" if d.get("items") else "-"),
    ("ann.", lambda name, d: fmt(d.get("annotators"))),
    ("think ms", lambda name, d: fmt(d.get("think_ms", 0.0), 0)),
    ("boot s", lambda name, d: fmt(d.get("boot_seconds"), 2)),
    ("import s", lambda name, d: fmt(get(d, "first_start", "import_seconds_reported"))),
    ("boot peak RSS MB", lambda name, d: fmt(get(d, "first_start", "rss_peak_mb"))),
    ("restart s", lambda name, d: fmt(d.get("restart_seconds"), 2)),
    (
        "reg. idle p50/max ms",
        lambda name, d: "/".join(fmt(get(d, "registration_idle_ms", k)) for k in ("p50", "max")),
    ),
    (
        "reg. under load p50/max ms",
        lambda name, d: "/".join(fmt(get(d, "registration_ms", k)) for k in ("p50", "max")),
    ),
    (
        "update p50/p95/p99 ms",
        lambda name, d: "/".join(
            fmt(get(d, "updateinstance_ms", k)) for k in ("p50", "p95", "p99")
        ),
    ),
    (
        "go_to p50/p99 ms",
        lambda name, d: "/".join(fmt(get(d, "go_to_ms", k)) for k in ("p50", "p99")),
    ),
    ("all p99 ms", lambda name, d: fmt(get(d, "all_requests_ms", "p99"))),
    ("requests", lambda name, d: fmt(d.get("total_requests"))),
    ("req/s", lambda name, d: fmt(d.get("req_per_s"))),
    ("RSS MB", lambda name, d: fmt(d.get("rss_mb"))),
    ("errors", lambda name, d: fmt(get(d, "errors", "count"))),
]


def main(argv: list[str] | None = None) -> int:
    files = [Path(a) for a in (argv if argv is not None else sys.argv[1:])]
    if not files:
        print(__doc__, file=sys.stderr)
        return 2
    print("| " + " | ".join(name for name, _ in COLUMNS) + " |")
    print("|" + "|".join("---" for _ in COLUMNS) + "|")
    for path in files:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            print(f"skipping {path}: {exc}", file=sys.stderr)
            continue
        print("| " + " | ".join(fn(path.stem, data) for _, fn in COLUMNS) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
