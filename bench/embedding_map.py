"""Time and size the embedding map at scale: the background computation (TF-IDF -> SVD ->
UMAP over every item) and the admin endpoints that read it.

    python bench/embedding_map.py [--items 100000] [--out DIR]

The project is made with bench/make_project.py (pseudo-random word texts of ~200 characters)
and seeded with bench/seed_annotations.py (20 annotators x 1,000 answers, 2 per item), with
`embedding_visualization.sample_size` = the number of items, so every item is projected.
Prints one JSON object: each phase's wall-clock and CPU seconds, the process's peak resident
memory (ru_maxrss) before and after the computation, the data endpoint's latency per page of
5,000 points (first page with stats, a middle page, all pages), and a reorder of 5,000 items
followed by a new annotator's first item. CPU seconds are the fairer figure on a shared
machine (the load average is printed too).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

ADMIN = {"X-API-Key": "bench-admin-key-0123456789"}


def peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def make(items: int, out: Path) -> Path:
    py = sys.executable
    subprocess.run([py, str(HERE / "make_project.py"), str(items), "--out", str(out)], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    config = out / "config.yaml"
    config.write_text(
        config.read_text()
        + f"embedding_visualization:\n  enabled: true\n  sample_size: {items}\n"
        + "  label_source: majority\n"
    )
    subprocess.run(
        [py, str(HERE / "seed_annotations.py"), str(out), "--users", "20", "--per-user", "1000",
         "--overlap", "2"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return config


def timed(fn, repeat: int = 5) -> dict:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - started)
    return {"p50_ms": round(statistics.median(seconds) * 1000, 1),
            "max_ms": round(max(seconds) * 1000, 1)}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    from potato_like import create_app
    from potato_like.embeddings.map_runs import compute_map

    report: dict = {"items": args.items}
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "emap-project"
        config = make(args.items, out)
        app = create_app(config)
        project = app.extensions["potato_like"]
        client = app.test_client()
        report["peak_rss_mib_before"] = peak_mib()
        timings: dict = {}
        started, cpu = time.perf_counter(), time.process_time()
        summary = compute_map(project, timings)
        report["compute"] = {
            **summary,
            "wall_seconds": round(time.perf_counter() - started, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1),
            "phases_wall_seconds": timings,
        }
        report["peak_rss_mib_after"] = peak_mib()

        def page(cursor: int = 0):
            r = client.get(f"/admin/api/embedding_viz/data?cursor={cursor}", headers=ADMIN)
            assert r.status_code == 200, r.json
            return r

        middle = page().json["next_cursor"] or 0
        for _ in range(args.items // 10_000):
            middle = page(middle).json["next_cursor"] or middle
        first = page()
        report["data_page"] = {
            "points_per_page": len(first.json["points"]),
            "bytes_per_page": len(first.data),
            "first_page_with_stats": timed(page),
            "middle_page": timed(lambda: page(middle)),
        }
        started = time.perf_counter()
        cursor, pages = 0, 0
        while cursor is not None:
            cursor = page(cursor).json["next_cursor"]
            pages += 1
        report["data_page"]["all_pages"] = {
            "pages": pages, "seconds": round(time.perf_counter() - started, 2)}  # fmt: skip
        stats = client.get("/admin/api/embedding_viz/stats", headers=ADMIN)
        report["stats_ms"] = timed(
            lambda: client.get("/admin/api/embedding_viz/stats", headers=ADMIN)
        )["p50_ms"]
        assert stats.json["embedding_count"] == args.items
        ids = [f"item_{i:07d}" for i in range(args.items - 5000 + 1, args.items + 1)]
        body = {"selections": [{"instance_ids": ids}]}
        started = time.perf_counter()
        r = client.post("/admin/api/embedding_viz/reorder", headers=ADMIN, json=body)
        report["reorder_5000_ms"] = round((time.perf_counter() - started) * 1000, 1)
        assert r.json["reordered_count"] == 5000, r.json
        worker = app.test_client()
        worker.post("/auth", data={"username": "bench_newcomer"})
        started = time.perf_counter()
        first_item = worker.get("/api/current_instance").json["instance_id"]
        report["first_lease_after_reorder_ms"] = round((time.perf_counter() - started) * 1000, 1)
        assert first_item == ids[0], first_item
        project.close()
    report["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
