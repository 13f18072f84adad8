"""Admin JSON endpoints: overview, instances, all_instances, annotators; counters stay exact."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from potato_like.store.tables import assignments, completions_by_hour, items, users
from tests.conftest import ADMIN, answer, current_id, login


def scripted(app):
    """a finishes 2 items and holds a 3rd; b finishes 1 (overlap 2)."""
    a = login(app.test_client(), "a")
    for _ in range(2):
        answer(a, current_id(a), **{"sentiment:positive": "1"})
        a.post("/go_to", json={"action": "next_instance"})
    current_id(a)  # a now holds item_003
    b = login(app.test_client(), "b")
    answer(b, current_id(b), **{"sentiment:negative": "1"})
    return a, b


def test_overview_counts(make_project):
    app = make_project(items=6, max_annotations_per_item=2)
    scripted(app)
    body = app.test_client().get("/admin/api/overview", headers=ADMIN).json
    potato = {body.pop("overview")["total_items"], body.pop("config")["max_annotations_per_item"]}
    assert potato == {6, 2}  # Potato's keys (tests/web/test_potato_wire.py)
    assert body == {
        "total_items": 6,
        "total_annotations": 3,
        "total_users": 2,
        "active_users": 2,
        "completion_rate": round(1 / 6, 4),  # item_001 has both its annotators
        "items_by_status": {"completed": 1, "in_progress": 2, "unassigned": 3},
    }


def test_instances_filter_and_pages(make_project):
    app = make_project(items=6, max_annotations_per_item=2)
    scripted(app)
    c = app.test_client()
    body = c.get("/admin/api/instances", headers=ADMIN).json
    assert body["total_count"] == 6
    assert [(i["id"], i["status"], i["annotations_count"]) for i in body["instances"][:4]] == [
        ("item_001", "completed", 2),
        ("item_002", "in_progress", 1),
        ("item_003", "in_progress", 0),
        ("item_004", "unassigned", 0),
    ]
    assert body["instances"][0]["text_preview"] == "Text number 1."
    page = c.get("/admin/api/instances?status=unassigned&limit=2&offset=1", headers=ADMIN).json
    assert page["total_count"] == 3
    assert [i["id"] for i in page["instances"]] == ["item_005", "item_006"]
    done = c.get("/admin/api/instances?status=completed", headers=ADMIN).json
    assert [i["id"] for i in done["instances"]] == ["item_001"]


def test_all_instances_shows_who_holds_what(make_project):
    app = make_project(items=3, max_annotations_per_item=2)
    scripted(app)
    body = app.test_client().get("/admin/all_instances", headers=ADMIN).json
    first = body["instances"][0]
    assert first == {
        "id": "item_001",
        "text": "Text number 1.",
        "assigned_to": ["a", "b"],
        "annotations_count": 2,
    }


def test_annotators(make_project):
    app = make_project(items=6, max_annotations_per_item=2)
    scripted(app)
    body = app.test_client().get("/admin/api/annotators", headers=ADMIN).json
    assert body["total_count"] == 2
    a = body["annotators"][0]
    assert a["user_id"] == "a" and a["completed_items"] == 2 and a["assigned_items"] == 3
    assert a["current_phase"] == "annotation" and a["last_active"].endswith("Z")
    # a and b both finished item_001 with different answers; a's first completion is untimed.
    assert a["agreement_with_others"] == 0.0 and a["agreement_comparisons"] == 1
    assert a["timed_items"] == 1 and a["seconds_per_item"] >= 0
    b = body["annotators"][1]
    assert b["agreement_with_others"] == 0.0 and b["timed_items"] == 0
    assert b["seconds_per_item"] is None and b["items_per_hour"] is None


MULTI = [
    {"annotation_type": "radio", "name": "sentiment", "description": "?",
     "labels": ["positive", "negative"]},
    {"annotation_type": "multiselect", "name": "topics", "description": "?",
     "labels": ["sports", "politics"]},
    {"annotation_type": "text", "name": "notes", "description": "?"},
]  # fmt: skip


def test_annotators_speed_and_agreement_with_others(make_project, monkeypatch):
    import types

    import potato_like.store.annotations as annotations_module

    now = [10_000.0]
    monkeypatch.setattr(annotations_module, "time", types.SimpleNamespace(time=lambda: now[0]))
    app = make_project(items=3, schemes=MULTI, assignment_strategy="fixed_order")
    answers = {  # user -> per item (sentiment, topics); notes never count for agreement
        "ann": [("positive", "sports"), ("negative", "sports"), ("positive", "politics")],
        "bob": [("positive", "sports"), ("positive", "sports"), ("positive", "politics")],
        "cy": [("positive", "politics")],
    }
    for user, picks in answers.items():
        client = login(app.test_client(), user)
        for sentiment, topic in picks:
            now[0] += 30.0 if user != "bob" else 90.0
            labels = {f"sentiment:{sentiment}": "1", f"topics:{topic}": "1",
                      "notes:text_box": user}  # fmt: skip
            assert answer(client, current_id(client), **labels).status_code == 200
            client.post("/go_to", json={"action": "next_instance"})
    body = app.test_client().get("/admin/api/annotators", headers=ADMIN).json
    rows = {r["user_id"]: r for r in body["annotators"]}
    # ann vs bob: sentiment 2 of 3 identical, topics 3 of 3; cy vs either (item 1 only):
    # sentiment 1 of 1, topics 0 of 1. ann and bob: sentiment 3/4, topics 3/4 -> 0.75;
    # cy: sentiment 2/2, topics 0/2 -> (1 + 0) / 2 = 0.5.
    assert rows["ann"]["agreement_with_others"] == 0.75
    assert rows["ann"]["agreement_comparisons"] == 8
    assert rows["bob"]["agreement_with_others"] == 0.75
    assert rows["cy"]["agreement_with_others"] == 0.5
    # Two timed gaps each: 30 s for ann (120 items per hour), 90 s for bob.
    assert (rows["ann"]["seconds_per_item"], rows["ann"]["items_per_hour"]) == (30.0, 120.0)
    assert (rows["bob"]["seconds_per_item"], rows["bob"]["items_per_hour"]) == (90.0, 40.0)
    assert rows["cy"]["seconds_per_item"] is None


@pytest.mark.parametrize(
    "query", ["status=done", "limit=-1", "limit=abc", "offset=x", "limit=5000"]
)
def test_instances_bad_parameters(make_project, query):
    app = make_project()
    r = app.test_client().get(f"/admin/api/instances?{query}", headers=ADMIN)
    assert r.status_code == 400 and r.json["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/api/overview",
        "/admin/api/instances",
        "/admin/all_instances",
        "/admin/api/annotators",
    ],
)
def test_admin_endpoints_refuse_others(make_project, path):
    app = make_project()
    assert app.test_client().get(path).status_code == 403
    assert app.test_client().get(path, headers={"X-API-Key": "nope-nope-nope"}).status_code == 403
    assert login(app.test_client(), "ann").get(path).status_code == 403


def test_counters_match_a_full_recount_after_expiry_and_reopening(make_project):
    app = make_project(items=8, max_annotations_per_item=2, assignment_timeout_minutes=1)
    project = app.extensions["potato_like"]
    scripted(app)
    c = login(app.test_client(), "c")
    current_id(c)  # c holds an item, never finishes it
    project.store.assignments.expire_stale(project.policy, now=time.time() + 120)
    b = login(app.test_client(), "b")
    b.post(
        "/updateinstance",
        json={"instance_id": "item_001", "annotations": {"sentiment:negative": "0"}},
    )
    store = project.store
    with store.read() as conn:

        def count(where):
            return conn.execute(select(func.count()).select_from(items).where(where)).scalar_one()

        assert store.counter(conn, "items_held") == count(items.c.holders > 0)
        assert store.counter(conn, "items_completed") == count(items.c.done_count >= 2)
        assert store.counter(conn, "open_items") == count(items.c.is_open == 1)
        assert count(items.c.status == 2) == count(items.c.done_count >= 2)
        assert count(items.c.status == 0) == count(items.c.holders == 0)
        done = conn.execute(
            select(func.count()).select_from(assignments).where(assignments.c.status == "done")
        ).scalar_one()
        hourly = conn.execute(select(func.sum(completions_by_hour.c.done))).scalar_one()
        assert store.counter(conn, "done_assignments") == done == hourly
        finished = dict(
            conn.execute(
                select(assignments.c.user_id, func.count())
                .where(assignments.c.status == "done")
                .group_by(assignments.c.user_id)
            ).all()
        )
        for user in conn.execute(select(users.c.id, users.c.done_count)):
            assert user.done_count == finished.get(user.id, 0), user


def test_completions_over_time(make_project):
    app = make_project(items=6, max_annotations_per_item=2)
    scripted(app)
    series = app.extensions["potato_like"].store.stats.completions_over_time(hours=24)
    assert len(series["points"]) == 24
    assert series["points"][-1]["done"] == 3 and series["points"][-1]["new"] == 3
    assert all(p["t"].endswith(":00:00Z") for p in series["points"])
