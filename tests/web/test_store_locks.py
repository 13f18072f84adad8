"""Named store locks hold across processes on one database: two projects opened on the same
SQLite file stand for two server processes. IBWS advances a round only under the lock, so
two processes never advance the same round twice (comparisons/ibws.py)."""

from __future__ import annotations

import time

import pytest

from potato_like.comparisons.ibws import ROUND_LOCK, IbwsAdvancer, IbwsRounds
from potato_like.store import Store
from tests.conftest import login
from tests.web.comparison_util import bws_scheme, comparison_app


def test_a_lock_taken_by_one_store_is_refused_to_another_until_released(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    one, two = Store.open(url), Store.open(url)
    try:
        assert one.locks.acquire("job", "p1", seconds=60)
        assert not two.locks.acquire("job", "p2", seconds=60)
        assert one.locks.acquire("job", "p1", seconds=60)  # renewing is allowed
        assert two.locks.holder("job") == "p1"
        one.locks.release("job", "p2")  # not the holder: nothing happens
        assert not two.locks.acquire("job", "p2")
        one.locks.release("job", "p1")
        assert two.locks.acquire("job", "p2", seconds=60)
        with one.locks.held("job") as got:
            assert got is False
        with one.locks.held("other") as got:
            assert got is True and two.locks.holder("other") is not None
        assert two.locks.holder("other") is None
    finally:
        one.close()
        two.close()


def test_an_expired_holder_loses_the_lock(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    one, two = Store.open(url), Store.open(url)
    try:
        assert one.locks.acquire("job", "dead", seconds=0.05)
        time.sleep(0.1)
        assert two.locks.holder("job") is None
        assert two.locks.acquire("job", "alive", seconds=60)
        assert not one.locks.acquire("job", "dead", seconds=60)
    finally:
        one.close()
        two.close()


@pytest.mark.postgres
def test_locks_on_postgresql(pg_url):
    one, two = Store.open(pg_url), Store.open(pg_url)
    try:
        assert one.locks.acquire("job", "p1", seconds=60)
        assert not two.locks.acquire("job", "p2", seconds=60)
        one.locks.release("job", "p1")
        assert two.locks.acquire("job", "p2", seconds=60)
    finally:
        one.close()
        two.close()


def answer_round(app, project):
    """One annotator answers every tuple of the current round (higher number = better)."""
    ann = login(app.test_client(), "ann")
    for _ in range(40):
        data = ann.get("/api/current_instance").json
        if data.get("instance_id") is None or "data" not in data:
            return
        ids = [e["source_id"] for e in data["data"]["_bws_items"]]
        best, worst = "ABCD"[ids.index(max(ids))], "ABCD"[ids.index(min(ids))]
        r = ann.post(
            "/updateinstance",
            json={"instance_id": data["instance_id"],
                  "annotations": {"intensity:best": best, "intensity:worst": worst}},
        )  # fmt: skip
        assert r.status_code == 200, r.json
        ann.post("/go_to", json={"action": "next_instance"})


def advance_now(project) -> None:
    advancer = IbwsAdvancer()
    advancer.poke(project, project.reimport_tuples)
    advancer.thread.join(20)


def test_ibws_round_advances_once_across_two_processes(tmp_path, open_app):
    pool = [{"id": f"s{i:02d}", "text": f"sentence {i}"} for i in range(1, 13)]
    extra = {"ibws_config": {"tuple_size": 4, "seed": 3, "tuples_per_item_per_round": 4}}
    app_a = comparison_app(tmp_path, open_app, pool, [bws_scheme()], **extra)
    app_b = open_app(tmp_path / "config.yaml")  # a second process on the same SQLite file
    a, b = app_a.extensions["potato_like"], app_b.extensions["potato_like"]

    def status(app):  # read the rounds directly: the status endpoint itself pokes the rounds
        return IbwsRounds(app.extensions["potato_like"].config).status()

    answer_round(app_a, a)
    assert status(app_a)["current_round"] == 1
    # Process A is advancing (holds the lock): process B must not advance the same round.
    assert a.store.locks.acquire(ROUND_LOCK, "process-a", seconds=60)
    advance_now(b)
    assert status(app_b)["current_round"] == 1
    a.store.locks.release(ROUND_LOCK, "process-a")
    advance_now(b)
    after = status(app_a)
    assert after["current_round"] == 2 and after["total_tuples_this_round"] > 0
    # A now sees round 2 unanswered: its own poke changes nothing
    advance_now(a)
    assert status(app_b)["current_round"] == 2
    assert a.store.locks.holder(ROUND_LOCK) is None
