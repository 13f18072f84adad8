"""The survey case in-process: what a save costs when everyone annotates every item.

    python bench/survey_save.py [--annotators 200] [--items 3] [--app-dir DIR]

A throwaway project (one radio scheme, unlimited overlap); `--annotators` users each save
and submit the same `--items` items through the Flask test client, one after another, so
the k-th save of an item finds k-1 annotators who already finished it. Prints the CPU time
(process_time, less sensitive to other work on a shared machine than wall time) and wall
time of `POST /updateinstance`, as medians over the saves of each k bucket, with the load
average. `--app-dir` measures another tree (e.g. a `git archive` of an older commit), so two
versions compare back to back. Background folding is whatever the tree does; the total
CPU includes it and a final read of
the pair tables (which folds what is still pending).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotators", type=int, default=200)
    parser.add_argument("--items", type=int, default=3)
    parser.add_argument("--app-dir", type=Path, default=HERE.parent)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.app_dir.resolve()))
    from potato_like import create_app

    tmp = Path(tempfile.mkdtemp(prefix="survey-save-"))
    with (tmp / "data.jsonl").open("w") as fh:
        for i in range(args.items):
            fh.write(json.dumps({"id": f"item_{i:03d}", "text": f"Text {i}."}) + "\n")
    config = {
        "annotation_task_name": "survey",
        "task_dir": ".",
        "output_annotation_dir": "out/",
        "data_files": ["data.jsonl"],
        "item_properties": {"id_key": "id", "text_key": "text"},
        "annotation_schemes": [
            {
                "annotation_type": "radio",
                "name": "sentiment",
                "description": "?",
                "labels": ["positive", "negative", "neutral"],
            }
        ],
        "require_password": False,
        "login_rate_limit": "1000000 per minute",
        "registration_rate_limit": "1000000 per hour",
        "admin_api_key": "bench-admin-key-0123456789",
        "output_flush_seconds": 3600,
    }
    (tmp / "config.yaml").write_text(yaml.safe_dump(config))
    app = create_app(tmp / "config.yaml")
    cpu: dict[int, list[float]] = {}
    wall: dict[int, list[float]] = {}
    load_before = os.getloadavg()[0]
    total0 = time.process_time()
    for k in range(args.annotators):
        client = app.test_client()
        client.post("/auth", data={"username": f"ann{k:03d}"})
        for _ in range(args.items):
            iid = client.get("/api/current_instance").json["instance_id"]
            label = ("positive", "negative", "neutral")[(k + hash(iid)) % 3]
            body = {"instance_id": iid, "annotations": {f"sentiment:{label}": "1"}}
            c0, w0 = time.process_time(), time.perf_counter()
            assert client.post("/updateinstance", json=body).status_code == 200
            bucket = min(k // 50 * 50, 150)
            cpu.setdefault(bucket, []).append((time.process_time() - c0) * 1000)
            wall.setdefault(bucket, []).append((time.perf_counter() - w0) * 1000)
            client.post("/go_to", json={"action": "next_instance"})
    # Everything the saves cost, background folds included: the pair tables read once
    # (a reader folds what is still pending first).
    app.extensions["potato_like"].store.aggregates.top_pairs("sentiment", 1, 1)
    total_cpu = time.process_time() - total0
    app.extensions["potato_like"].close()
    out = {
        "app_dir": str(args.app_dir),
        "annotators": args.annotators,
        "items": args.items,
        "loadavg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "total_cpu_s (every request, background folds, the final read)": round(total_cpu, 2),
        "median_ms_by_k": {
            f"{b}-{b + 49}": {
                "cpu": round(statistics.median(cpu[b]), 2),
                "wall": round(statistics.median(wall[b]), 2),
            }
            for b in sorted(cpu)
        },
    }
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
