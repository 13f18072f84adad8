"""Time the admin endpoints, the dashboard pages and a full export against a (large) project,
in-process.

    python bench/admin_queries.py bench/projects/1000000 [--repeat 5]

Prints one JSON object: per endpoint the median and max latency over --repeat runs (Flask test
client, warm cache), and for the jsonl export its duration, row count and peak RSS growth.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from potato_like import create_app

ENDPOINTS = [
    "/admin/api/overview",
    "/admin/api/instances?limit=100",
    "/admin/api/instances?limit=100&offset=900000",
    "/admin/api/instances?status=completed&limit=100",
    "/admin/api/instances?status=unassigned&limit=100",
    "/admin/all_instances?limit=100",
    "/admin/api/annotators?limit=500",
    "/admin/api/agreement",
    "/admin/api/questions",
    "/admin/api/annotation_history?limit=200",
    "/admin/api/stale_assignments",
    "/admin/system_state",
]
# Dashboard pages, fetched with the admin-key session the sign-in form gives a browser.
PAGES = [
    "/admin",
    "/admin/annotators/",
    "/admin/instances/",
    "/admin/instances/?status=completed",
    "/admin/instances/?page=20000",
    "/admin/item/item_0500000",
    "/admin/agreement/",
    "/admin/questions/",
    "/admin/timeline/",
    "/admin/activity/",
    "/admin/stale/",
]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    app = create_app(args.project / "config.yaml")
    project = app.extensions["potato_like"]
    client = app.test_client()
    headers = {"X-API-Key": project.admin_api_key}
    out: dict = {
        "items": project.store.items.count(),
        "annotations": project.store.annotations.count(),
    }
    pages = app.test_client()
    pages.post("/admin/login", data={"key": project.admin_api_key})
    for path in ENDPOINTS + PAGES:
        times = []
        for _ in range(args.repeat + 1):
            t = time.perf_counter()
            r = pages.get(path) if path in PAGES else client.get(path, headers=headers)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (path, r.status_code, r.data[:200])
        # The first run is cold (page cache, and the cached agreement/questions answers);
        # the median is over the runs after it.
        out[path] = {
            "first_ms": round(times[0], 1),
            "median_ms": round(statistics.median(times[1:]), 1),
            "max_ms": round(max(times[1:]), 1),
        }
    before = rss_mb()
    peak = before
    t = time.perf_counter()
    rows = 0
    r = client.post("/admin/api/export", json={"format": "jsonl"}, headers=headers, buffered=False)
    for chunk in r.response:
        rows += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        if rows % 50_000 < 5:
            peak = max(peak, rss_mb())
    out["export_jsonl"] = {
        "seconds": round(time.perf_counter() - t, 1),
        "rows": rows,
        "rss_before_mb": round(before),
        "rss_peak_mb": round(max(peak, rss_mb())),
    }
    print(json.dumps(out, indent=2))
    project.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
