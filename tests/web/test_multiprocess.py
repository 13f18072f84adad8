"""Several server processes on one store: leases are taken with row-level guarantees in the
database, not in-process locks, so overlap holds and nothing is leased twice."""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter

import pytest

from potato_like.assign.strategies import strategy
from potato_like.config import load_config
from potato_like.project import Project
from potato_like.store import Store
from potato_like.store.assignments import LeasePolicy
from tests.conftest import base_config, write_config, write_items

OVERLAP = 2


def worker(url: str, names: list[str], queue) -> None:
    """One process: several users each annotate everything they are given."""
    store = Store.open(url, pool_size=4)
    policy = LeasePolicy(strategy("fixed_order"), OVERLAP, None, None)
    done = []
    try:
        for name in names:
            user = store.users.create(name, None)
            while True:
                pos = store.assignments.current(user.id, policy)
                if pos.finished:
                    break
                store.annotations.apply(
                    user.id,
                    pos.item_seq,
                    pos.item_id,
                    policy,
                    lambda old: ({"sentiment": {"positive": "1"}}, True),
                )
                done.append(pos.item_id)
                store.assignments.move(user.id, policy, action="next_instance")
        queue.put(("ok", done))
    except Exception as exc:  # pragma: no cover - reported to the parent
        queue.put(("error", repr(exc)))
    finally:
        store.close()


def run_four_processes(tmp_path, database_url: str | None) -> Counter:
    write_items(tmp_path / "data.jsonl", 40)
    overrides = {"max_annotations_per_item": OVERLAP}
    if database_url:
        overrides["database_url"] = database_url
    config = load_config(write_config(tmp_path, base_config(**overrides)))
    Project.open(config).close()  # import the items once
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [
        ctx.Process(
            target=worker,
            args=(config.effective_database_url, [f"p{p}u{u}" for u in range(3)], queue),
        )
        for p in range(4)
    ]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    errors = [r for kind, r in results if kind == "error"]
    assert errors == []
    counts: Counter = Counter()
    for _kind, items in results:
        counts.update(items)
    return counts


@pytest.mark.slow
def test_four_processes_on_sqlite(tmp_path):
    counts = run_four_processes(tmp_path, None)
    assert max(counts.values()) == OVERLAP and sum(counts.values()) == 40 * OVERLAP


@pytest.mark.postgres
def test_four_processes_on_postgres(tmp_path, pg_url):
    counts = run_four_processes(tmp_path, pg_url)
    assert max(counts.values()) == OVERLAP and sum(counts.values()) == 40 * OVERLAP
