"""Time best-worst scaling scoring of N judgements, in-process, on a real project.

    python bench/bws_scoring.py                      # 10,000 judgements, 2,500-item pool
    python bench/bws_scoring.py --judgements 50000 --pool 10000

Writes a project with `bws_config` under bench/projects/bws-<N>/ (tuples made by the server
at start), seeds one answer per tuple in bulk (annotations rows, as bench/seed_annotations.py
does; answers follow a max-diff model over known item strengths), then times, for each method,
what POST /admin/api/bws_scoring/generate runs: reading the answers from SQLite and scoring
them (comparisons/service.py: compute_bws). Prints one JSON object with seconds per method and
the Spearman correlation of each method's scores with the true strengths.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml
from sqlalchemy import insert, select

from potato_like.comparisons.service import compute_bws
from potato_like.config import load_config
from potato_like.project import Project
from potato_like.store.tables import annotations, items, users

ROOT = Path(__file__).resolve().parent


def write_project(directory: Path, pool: int, judgements: int, tuple_size: int) -> Path:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    with (directory / "pool.jsonl").open("w") as fh:
        for i in range(pool):
            fh.write(json.dumps({"id": f"p{i:06d}", "text": f"pool item {i}"}) + "\n")
    config = {
        "annotation_task_name": "bws bench",
        "task_dir": ".",
        "output_annotation_dir": "annotation_output/",
        "data_files": ["pool.jsonl"],
        "item_properties": {"id_key": "id", "text_key": "text"},
        "bws_config": {"tuple_size": tuple_size, "num_tuples": judgements, "seed": 1},
        "annotation_schemes": [{"annotation_type": "bws", "name": "bws", "tuple_size": tuple_size}],
        "require_password": False,
        "admin_api_key": "bench-admin-key-0123456789",
    }
    (directory / "config.yaml").write_text(yaml.safe_dump(config))
    return directory / "config.yaml"


def seed(project: Project, strengths: dict[str, float], rng: random.Random) -> int:
    """One max-diff answer per tuple by one seeded user."""
    store = project.store
    now = time.time()
    rows = []
    with store.read() as conn:
        tuples = conn.execute(select(items.c.seq, items.c.data)).all()
    for seq, data in tuples:
        ids = [e["source_id"] for e in json.loads(data)["_bws_items"]]
        u = [strengths[i] for i in ids]
        pairs = [(b, w) for b in range(len(ids)) for w in range(len(ids)) if b != w]
        weights = [math.exp(u[b] - u[w]) for b, w in pairs]
        b, w = rng.choices(pairs, weights)[0]
        rows.append((seq, {"best": "ABCDEFGH"[b], "worst": "ABCDEFGH"[w]}))
    with store.write() as conn:
        uid = conn.execute(
            insert(users).values(username="seed", created_at=now, last_active_at=now)
        ).inserted_primary_key[0]
        conn.execute(
            insert(annotations),
            [
                {
                    "item_seq": s,
                    "user_id": uid,
                    "schema": "bws",
                    "value": json.dumps(v),
                    "updated_at": now,
                }
                for s, v in rows
            ],
        )
    return len(rows)


def spearman(a: list[float], b: list[float]) -> float:
    def ranks(xs):
        order = sorted(range(len(xs)), key=lambda i: xs[i])
        out = [0.0] * len(xs)
        for r, i in enumerate(order):
            out[i] = float(r)
        return out

    ra, rb = ranks(a), ranks(b)
    n = len(a)
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = sum((x - ma) ** 2 for x in ra)
    vb = sum((y - mb) ** 2 for y in rb)
    return cov / math.sqrt(va * vb)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judgements", type=int, default=10_000)
    parser.add_argument("--pool", type=int, default=2_500)
    parser.add_argument("--tuple-size", type=int, default=4)
    args = parser.parse_args()
    directory = ROOT / "projects" / f"bws-{args.judgements}"
    config_path = write_project(directory, args.pool, args.judgements, args.tuple_size)
    started = time.perf_counter()
    project = Project.open(load_config(config_path))
    opened = time.perf_counter() - started
    rng = random.Random(2)
    strengths = {f"p{i:06d}": rng.gauss(0, 1.5) for i in range(args.pool)}
    seeded = seed(project, strengths, rng)
    result = {
        "judgements": seeded,
        "pool": args.pool,
        "tuple_size": args.tuple_size,
        "open_and_make_tuples_s": round(opened, 2),
    }
    for method in ("counting", "bradley_terry", "plackett_luce"):
        t0 = time.perf_counter()
        out = compute_bws(project, method)
        seconds = time.perf_counter() - t0
        got = {row["item_id"]: row["score"] for row in out["scores"]}
        keys = sorted(got)
        result[method] = {
            "seconds": round(seconds, 3),
            "spearman_with_truth": round(
                spearman([got[k] for k in keys], [strengths[k] for k in keys]), 3
            ),
        }
    project.close()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
