"""Seed a benchmark project with N finished annotations, fast, for admin/export benchmarks.

    python bench/seed_annotations.py bench/projects/1000000 --users 1000 --per-user 1000
    python bench/seed_annotations.py DIR --users 1000 --per-user 1000 --overlap 2

`--overlap K` gives every block of items to K users in turn (K annotators per item, so
agreement has every item to work with); the k-th of them (k > 0) answers differently from
the first on every fifth item.

Creating a million annotations through the HTTP API would take most of an hour; this writes
the same rows (users, done assignments, annotations, events) in bulk with SQLAlchemy Core and
then recomputes the store's counters the way the server does after an import. Only for
benchmarks: it expects a fresh project (imported, nobody annotated yet).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, update

from potato_like.config import load_config
from potato_like.project import Project
from potato_like.store.importer import recount
from potato_like.store.tables import annotations, assignments, items, users

LABELS = ("positive", "negative", "neutral")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--per-user", type=int, default=1000)
    parser.add_argument("--overlap", type=int, default=1)
    args = parser.parse_args()
    project = Project.open(load_config(args.project / "config.yaml"))
    store = project.store
    started = time.perf_counter()
    with store.write() as conn:
        if conn.execute(select(func.count()).select_from(assignments)).scalar_one():
            print("the project already has assignments; use a fresh project", file=sys.stderr)
            return 2
        n_items = conn.execute(select(func.count()).select_from(items)).scalar_one()
        now = time.time()
        for u in range(args.users):
            uid = conn.execute(
                insert(users).values(
                    username=f"seed{u:05d}",
                    created_at=now,
                    last_active_at=now,
                    next_pos=args.per_user,
                    current_pos=args.per_user,
                    assigned_count=args.per_user,
                    done_count=args.per_user,
                )
            ).inserted_primary_key[0]
            first = ((u // args.overlap) * args.per_user) % n_items
            turn = u % args.overlap
            seqs = [(first + k) % n_items + 1 for k in range(args.per_user)]
            conn.execute(
                insert(assignments),
                [
                    {
                        "user_id": uid,
                        "item_seq": s,
                        "position": k,
                        "status": "done",
                        # one item every 20 s, so the annotators table shows a speed
                        "leased_at": now - (args.per_user - k) * 20,
                        "completed_at": now - (args.per_user - k) * 20,
                    }
                    for k, s in enumerate(seqs)
                ],
            )
            conn.execute(
                insert(annotations),
                [
                    {
                        "item_seq": s,
                        "user_id": uid,
                        "schema": "sentiment",
                        "value": json.dumps({LABELS[(s + (turn and s % 5 == 0)) % 3]: "1"}),
                        "updated_at": now,
                    }
                    for s in seqs
                ],
            )
        # holders and done_count per item, then the counters, as after an import
        per_item = (
            select(func.count())
            .select_from(assignments)
            .where(assignments.c.item_seq == items.c.seq)
            .scalar_subquery()
        )
        conn.execute(update(items).values(holders=per_item, done_count=per_item))
        recount(store, conn, project.config.max_annotations_per_item)
    print(
        f"seeded {args.users * args.per_user:,} annotations in {time.perf_counter() - started:.1f}s"
    )
    project.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
