"""Seed 001's store (store/hitl_jobs.py) on SQLite and PostgreSQL: projects, jobs, and a
status change that only happens from the expected states, in the caller's transaction."""

from __future__ import annotations

import time

import pytest

from potato_like.store import Store
from tests.conftest import answer, current_id, register


def exercise(store: Store) -> None:
    s = store.hitl
    s.add_project("p1", "hitl-p1", "test_project", "instructions.pdf", "key-1")
    assert s.project("p1")["name"] == "test_project" and s.project("nope") is None
    files = [{"path": "media/hitl/j1/0.png", "content_type": "image/png", "url": "u"}]
    s.add_job(id="j1", project_id="p1", item_id="j1", created_at=time.time(), files=files,
              webhook_url="https://example.test/hook", webhook_headers={"X-Token": "t"})  # fmt: skip
    job = s.job("p1", "j1")
    assert job["status"] == "new" and job["files"] == files
    assert job["webhook_headers"] == {"X-Token": "t"} and job["annotations"] == {}
    assert s.job("other", "j1") is None
    with store.write() as conn:
        assert s.change(conn, "j1", ("new",), status="done", annotations={"ann": {"q": "a"}})
        assert not s.change(conn, "j1", ("new", "progress"), status="canceled")
    assert s.job("p1", "j1")["annotations"] == {"ann": {"q": "a"}}
    with pytest.raises(RuntimeError), store.write() as conn:  # rolled back with the caller
        s.change(conn, "j1", ("done",), status="error")
        raise RuntimeError
    assert [j["status"] for j in s.jobs(["p1"])] == ["done"]
    assert s.jobs(statuses=("new", "progress")) == []
    s.set_project_status("p1", "active")
    assert [p["status"] for p in s.projects()] == ["active"]


def test_on_sqlite(tmp_path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'ws.sqlite'}")
    try:
        exercise(store)
    finally:
        store.close()


@pytest.mark.postgres
def test_on_postgresql(pg_url) -> None:
    store = Store.open(pg_url)
    try:
        exercise(store)
    finally:
        store.close()


def test_the_answers_of_one_item(make_project) -> None:
    """What a done job's `annotations` are read with: only that item's, every annotator's."""
    app = make_project(items=3)
    project = app.extensions["potato_like"]
    answered = {}
    for user, label in (("ann1", "positive"), ("ann2", "negative")):
        client = register(app.test_client(), user)
        for _ in range(2):  # two items each
            iid = current_id(client)
            assert answer(client, iid, **{f"sentiment:{label}": "1"}).status_code == 200
            answered.setdefault(iid, set()).add(user)
            client.post("/go_to", json={"action": "next_instance"})
    assert len(answered) >= 2 and any(len(u) == 2 for u in answered.values())
    for item_id, users in answered.items():
        seq = project.store.items.by_id(item_id).seq
        rows = list(project.store.annotations.iter_annotated(item_seq=seq))
        assert {r.item_id for r in rows} == {item_id}
        assert {r.user for r in rows} == users
