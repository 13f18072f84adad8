"""Seed 002's records (store/batch_records.py) on SQLite and PostgreSQL: unique batch
names and unique_ids, counts, and conditional completion (each happens once)."""

from __future__ import annotations

import time

import pytest

from potato_like.errors import Conflict
from potato_like.store import Store
from potato_like.store.batch_records import ScaleRecords


def batch_row(name: str, created: float) -> dict:
    return {
        "name": name,
        "project": "alpha",
        "project_name": "alpha",
        "status": "staging",
        "created_at": created,
    }


def task_row(task_id: str, batch: str | None, unique_id: str | None = None) -> dict:
    return {
        "task_id": task_id,
        "project": "alpha",
        "batch": batch,
        "type": "categorization",
        "unique_id": unique_id,
        "params": {"attachment": "a"},
        "status": "pending",
        "created_at": time.time(),
    }


def exercise(store: Store) -> None:
    rec = ScaleRecords(store)
    now = time.time()
    rec.create_batch(batch_row("b", now - 10))
    rec.create_batch(batch_row("c", now))
    with pytest.raises(Conflict):
        rec.create_batch(batch_row("b", now))
    assert [b["name"] for b in rec.batches()] == ["c", "b"]  # newest first
    assert [b["name"] for b in rec.batches(start=now - 5)] == ["c"]
    assert [b["name"] for b in rec.batches(end=now - 5)] == ["b"]
    assert [b["name"] for b in rec.batches(limit=1, offset=1)] == ["b"]
    rec.create_task(task_row("t1", "b", "u1"))
    rec.create_task(task_row("t2", "b"))
    rec.create_task(task_row("t3", "b"))  # several tasks without unique_id
    with pytest.raises(Conflict):
        rec.create_task(task_row("t4", "b", "u1"))
    assert rec.counts("b") == (3, 0)
    assert rec.finalize("b") and not rec.finalize("b")
    with store.write() as conn:
        assert not rec.complete_batch(conn, "b", now)  # tasks pending
        for t in ("t1", "t2", "t3"):
            assert rec.complete_task(conn, t, {"annotations": []}, now)
        assert not rec.complete_task(conn, "t1", {}, now)  # once
        assert rec.complete_batch(conn, "b", now)
        assert not rec.complete_batch(conn, "b", now)
    assert rec.counts("b") == (0, 3)
    assert rec.batch("b")["status"] == "completed"
    assert rec.task("t1")["response"] == {"annotations": []}


def test_records_on_sqlite(tmp_path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'ws.sqlite'}")
    try:
        exercise(store)
    finally:
        store.close()


@pytest.mark.postgres
def test_records_on_postgresql(pg_url) -> None:
    store = Store.open(pg_url)
    try:
        exercise(store)
    finally:
        store.close()


def test_categorization_response_reads_the_first_annotators_choice() -> None:
    from potato_like.services.batches.reconcile import task_response

    answers = [
        {"annotator": "a", "scheme": "other", "value": {"x": "1"}},
        {"annotator": "a", "scheme": "q", "value": {"cat": "1", "dog": "1", "extra": "1"}},
        {"annotator": "b", "scheme": "q", "value": {"bird": "1"}},
    ]
    single = {"params": {"scheme": "q", "categories": ["dog", "cat", "bird"]}}
    assert task_response(single, answers)["category"] == "dog"  # in the task's order
    multiple = {"params": {**single["params"], "allow_multiple": True}}
    assert task_response(multiple, answers)["category"] == ["dog", "cat"]
    none = {"params": {"scheme": "q", "categories": ["fish"]}}
    assert task_response(none, answers)["category"] is None
    text = {"params": {}}  # not a categorization task: the answers only
    assert task_response(text, answers) == {"annotations": answers}
