"""Admin state endpoints: annotation history, user/system/item state, stale leases, reclaim,
per-user caps and question distributions (seed 003 shapes)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import update

from potato_like.store.tables import assignments
from potato_like.web import admin_state
from tests.conftest import (
    ADMIN,
    BOSS_PASSWORD,
    BOSS_USERS,
    annotate_all,
    answer,
    current_id,
    login,
    radio,
)


def make(make_project, **overrides):
    app = make_project(**overrides)
    if "admin_state" not in app.blueprints:
        app.register_blueprint(admin_state.bp)
    return app


def scripted(app):
    """a finishes item_001 and item_002 and holds item_003; b finishes item_001 (overlap 2)."""
    a = login(app.test_client(), "a")
    for _ in range(2):
        assert answer(a, current_id(a), **{"sentiment:positive": "1"}).status_code == 200
        a.post("/go_to", json={"action": "next_instance"})
    assert current_id(a) == "item_003"
    b = login(app.test_client(), "b")
    assert answer(b, current_id(b), **{"sentiment:negative": "1"}).status_code == 200
    return a, b


def admin_get(app, path):
    response = app.test_client().get(path, headers=ADMIN)
    return response


def is_iso_z(value: str) -> bool:
    dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    return True


# -- annotation history --------------------------------------------------------------------
def test_annotation_history_newest_first_with_filters(make_project):
    app = make(make_project, items=6, max_annotations_per_item=2)
    scripted(app)
    body = admin_get(app, "/admin/api/annotation_history").json
    history = body["history"]
    assert [(h["user_id"], h["instance_id"], h["label_name"]) for h in history] == [
        ("b", "item_001", "negative"),
        ("a", "item_002", "positive"),
        ("a", "item_001", "positive"),
    ]
    first = history[0]
    assert {k: first[k] for k in ("action_type", "schema_name")} == {
        "action_type": "add_label",
        "schema_name": "sentiment",
    }
    assert all(is_iso_z(h["timestamp"]) for h in history)
    assert body["count"] == 3 and body["has_more"] is False

    by_user = admin_get(app, "/admin/api/annotation_history?user_id=a").json["history"]
    assert [h["instance_id"] for h in by_user] == ["item_002", "item_001"]
    by_item = admin_get(app, "/admin/api/annotation_history?instance_id=item_001").json
    assert [h["user_id"] for h in by_item["history"]] == ["b", "a"]
    both = "/admin/api/annotation_history?user_id=a&instance_id=item_001"
    assert [h["label_name"] for h in admin_get(app, both).json["history"]] == ["positive"]
    recent = admin_get(app, "/admin/api/annotation_history?minutes=5").json["history"]
    assert len(recent) == 3
    page = admin_get(app, "/admin/api/annotation_history?limit=1").json
    assert len(page["history"]) == 1 and page["has_more"] is True
    for query in ("user_id=nobody", "instance_id=nothing"):
        assert admin_get(app, f"/admin/api/annotation_history?{query}").json["history"] == []


def test_annotation_history_window_excludes_older_events(make_project):
    app = make(make_project, items=3)
    scripted(app)
    store = app.extensions["potato_like"].store
    from potato_like.store.tables import events

    with store.write() as conn:
        conn.execute(update(events).values(ts=time.time() - 3600))
    assert admin_get(app, "/admin/api/annotation_history?minutes=30").json["history"] == []
    assert len(admin_get(app, "/admin/api/annotation_history?minutes=90").json["history"]) == 3


def test_annotation_history_reports_removed_labels(make_project):
    app = make(make_project, items=3)
    a = login(app.test_client(), "a")
    iid = current_id(a)
    answer(a, iid, **{"sentiment:positive": "1"})
    answer(a, iid, **{"sentiment:negative": "1"})
    answer(a, iid, **{"sentiment:negative": "0"})
    history = admin_get(app, "/admin/api/annotation_history?user_id=a").json["history"]
    assert [(h["action_type"], h["label_name"]) for h in history] == [
        ("remove_label", "negative"),
        ("add_label", "negative"),
        ("add_label", "positive"),
    ]


@pytest.mark.parametrize(
    "query", ["minutes=abc", "minutes=-1", "minutes=inf", "limit=5000", "limit=x", "limit=-2"]
)
def test_annotation_history_bad_parameters(make_project, query):
    app = make(make_project)
    r = admin_get(app, f"/admin/api/annotation_history?{query}")
    assert r.status_code == 400 and r.json["error"]


# -- user and system state -----------------------------------------------------------------
def test_user_state(make_project):
    app = make(make_project, items=6, max_annotations_per_item=2)
    scripted(app)
    body = admin_get(app, "/admin/user_state/a").json
    documented = {
        k: body[k]
        for k in (
            "user_id",
            "current_phase",
            "current_instance_index",
            "instance_id_ordering",
            "assigned_count",
            "completed_count",
        )
    }
    assert documented == {
        "user_id": "a",
        "current_phase": "annotation",
        "current_instance_index": 2,
        "instance_id_ordering": ["item_001", "item_002", "item_003"],
        "assigned_count": 3,
        "completed_count": 2,
    }
    assert [h["instance_id"] for h in body["annotation_history"]] == ["item_002", "item_001"]
    assert "truncated" not in body
    missing = admin_get(app, "/admin/user_state/nobody")
    assert missing.status_code == 404 and "nobody" in missing.json["error"]


def test_user_state_caps_the_ordering(make_project, monkeypatch):
    app = make(make_project, items=6, max_annotations_per_item=2)
    scripted(app)
    monkeypatch.setattr(admin_state, "ORDERING_CAP", 2)
    body = admin_get(app, "/admin/user_state/a").json
    assert body["instance_id_ordering"] == ["item_001", "item_002"]
    assert body["truncated"] is True


def test_system_state(make_project, monkeypatch):
    app = make(make_project, items=6, max_annotations_per_item=2)
    scripted(app)
    body = admin_get(app, "/admin/system_state").json
    assert set(body["users"]) == {"a", "b"}
    a = body["users"]["a"]
    assert a["phase"] == "annotation" and a["annotations"] == 2 and is_iso_z(a["last_active"])
    assert body["users"]["b"]["annotations"] == 1
    assert {k: body["items"][k] for k in ("total", "assigned", "completed")} == {
        "total": 6,
        "assigned": 3,
        "completed": 1,
    }
    assert "users_truncated" not in body
    monkeypatch.setattr(admin_state, "SYSTEM_USERS_CAP", 1)
    capped = admin_get(app, "/admin/system_state").json
    assert list(capped["users"]) == ["a"] and capped["users_truncated"] is True


# -- item state ----------------------------------------------------------------------------
def test_item_state(make_project):
    app = make(make_project, items=6, max_annotations_per_item=2)
    scripted(app)
    body = admin_get(app, "/admin/item_state/item_001").json
    assert {k: body[k] for k in ("id", "text", "data", "assigned_to", "annotations")} == {
        "id": "item_001",
        "text": "Text number 1.",
        "data": {"id": "item_001", "text": "Text number 1."},
        "assigned_to": ["a", "b"],
        "annotations": {
            "a": {"sentiment": {"positive": "1"}},
            "b": {"sentiment": {"negative": "1"}},
        },
    }
    held = admin_get(app, "/admin/item_state/item_003").json
    assert held["assigned_to"] == ["a"] and held["annotations"] == {}
    for path in ("/admin/item_state/nothing", "/admin/item_state/no/such/item"):
        missing = admin_get(app, path)
        assert missing.status_code == 404 and missing.json["error"]


# -- stale leases and reclaiming -----------------------------------------------------------
def age_leases(app, minutes: float) -> None:
    store = app.extensions["potato_like"].store
    with store.write() as conn:
        conn.execute(update(assignments).values(leased_at=time.time() - minutes * 60))


def test_stale_assignments(make_project):
    app = make(make_project, items=6, max_annotations_per_item=2, assignment_timeout_minutes=1)
    scripted(app)
    fresh = admin_get(app, "/admin/api/stale_assignments").json
    assert fresh["stale_assignments"] == [] and fresh["total_count"] == 0
    age_leases(app, 5)  # finished leases are never stale: only a's item_003 is
    body = admin_get(app, "/admin/api/stale_assignments").json
    assert body["timeout_minutes"] == 1 and body["total_count"] == 1
    [stale] = body["stale_assignments"]
    assert stale["user_id"] == "a" and stale["instance_id"] == "item_003"
    assert is_iso_z(stale["leased_at"]) and 4.9 <= stale["minutes_idle"] <= 5.1
    none = admin_get(app, "/admin/api/stale_assignments?limit=0").json
    assert none["stale_assignments"] == [] and none["total_count"] == 1


def test_stale_assignments_without_a_timeout(make_project):
    app = make(make_project, items=6, max_annotations_per_item=2, assignment_timeout_minutes=0)
    scripted(app)
    age_leases(app, 30)
    default = admin_get(app, "/admin/api/stale_assignments").json
    assert default["timeout_minutes"] == 60 and default["total_count"] == 0
    body = admin_get(app, "/admin/api/stale_assignments?older_than_minutes=10").json
    assert body["timeout_minutes"] == 10
    assert [(s["user_id"], s["instance_id"]) for s in body["stale_assignments"]] == [
        ("a", "item_003")
    ]


@pytest.mark.parametrize("query", ["limit=5000", "limit=abc", "older_than_minutes=x"])
def test_stale_assignments_bad_parameters(make_project, query):
    app = make(make_project)
    assert admin_get(app, f"/admin/api/stale_assignments?{query}").status_code == 400


def reclaim(app, body):
    return app.test_client().post("/admin/api/reclaim_instance", json=body, headers=ADMIN)


def test_reclaim_returns_the_item_to_the_pool(make_project):
    app = make(make_project, items=3, max_annotations_per_item=1)
    a = login(app.test_client(), "a")
    answer(a, current_id(a), **{"sentiment:positive": "1"})
    a.post("/go_to", json={"action": "next_instance"})
    assert current_id(a) == "item_002"
    draft = {"instance_id": "item_002", "annotations": {"sentiment:neutral": "1"}, "draft": True}
    assert a.post("/updateinstance", json=draft).status_code == 200

    r = reclaim(app, {"user_id": "a", "instance_id": "item_002"})
    assert r.status_code == 200
    assert {k: r.json[k] for k in ("status", "reclaimed")} == {
        "status": "success",
        "reclaimed": True,
    }
    item = admin_get(app, "/admin/item_state/item_002").json
    assert item["assigned_to"] == []
    assert item["annotations"] == {"a": {"sentiment": {"neutral": "1"}}}  # saved work is kept
    state = admin_get(app, "/admin/user_state/a").json
    assert state["assigned_count"] == 1 and state["completed_count"] == 1
    overview = admin_get(app, "/admin/api/overview").json
    assert overview["items_by_status"] == {"completed": 1, "in_progress": 0, "unassigned": 2}

    b = login(app.test_client(), "b")
    assert current_id(b) == "item_002"  # the reclaimed item went to the next annotator
    assert admin_get(app, "/admin/item_state/item_002").json["assigned_to"] == ["b"]

    again = reclaim(app, {"user_id": "a", "instance_id": "item_002"})
    assert again.status_code == 409 and again.json["error"]
    done = reclaim(app, {"user_id": "a", "instance_id": "item_001"})
    assert done.status_code == 409 and done.json["assignment_status"] == "done"
    login(app.test_client(), "c")
    assert reclaim(app, {"user_id": "c", "instance_id": "item_001"}).status_code == 409


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"user_id": "nobody", "instance_id": "item_001"}, 404),
        ({"user_id": "a", "instance_id": "nothing"}, 404),
        ({"user_id": "a"}, 400),
        ({"instance_id": "item_001"}, 400),
        ({"user_id": 5, "instance_id": "item_001"}, 400),
        (["a", "item_001"], 400),
    ],
)
def test_reclaim_errors(make_project, body, status):
    app = make(make_project, items=3)
    login(app.test_client(), "a")
    r = reclaim(app, body)
    assert r.status_code == status and r.json["error"]


def test_reclaim_refuses_a_non_json_body(make_project):
    app = make(make_project)
    r = app.test_client().post("/admin/api/reclaim_instance", data="user_id=a", headers=ADMIN)
    assert r.status_code == 400


# -- per-user caps -------------------------------------------------------------------------
def set_instances(app, username, body):
    return app.test_client().post(
        f"/admin/api/user/{username}/set_instances", json=body, headers=ADMIN
    )


def test_set_instances_caps_one_user(make_project):
    app = make(make_project, items=6)
    a = login(app.test_client(), "a")
    assert a.get("/api/current_instance").json["total_instances"] == 6
    r = set_instances(app, "a", {"max_instances": 2})
    assert r.json == {"status": "success", "user_id": "a", "max_instances": 2}
    assert a.get("/api/current_instance").json["total_instances"] == 2
    assert annotate_all(a) == ["item_001", "item_002"]
    assert admin_get(app, "/admin/user_state/a").json["max_instances"] == 2
    b = login(app.test_client(), "b")  # others keep the project's (unlimited) cap
    assert b.get("/api/current_instance").json["total_instances"] == 6

    assert set_instances(app, "a", {"instances": 3}).json["max_instances"] == 3
    assert a.get("/api/current_instance").json["total_instances"] == 3
    assert set_instances(app, "a", {"max_annotations": -1}).json["max_instances"] is None
    assert a.get("/api/current_instance").json["total_instances"] == 6
    assert set_instances(app, "a", {"max_instances": 2}).status_code == 200
    assert set_instances(app, "a", {"max_instances": None}).json["max_instances"] is None
    assert admin_get(app, "/admin/user_state/a").json["max_instances"] is None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"max_instances": "x"}, 400),
        ({"max_instances": -5}, 400),
        ({"max_instances": True}, 400),
        ({"max_instances": 2.5}, 400),
        ({}, 400),
        ([3], 400),
    ],
)
def test_set_instances_bad_values(make_project, body, status):
    app = make(make_project)
    login(app.test_client(), "a")
    r = set_instances(app, "a", body)
    assert r.status_code == status and r.json["error"]


def test_set_instances_unknown_user(make_project):
    app = make(make_project)
    r = set_instances(app, "nobody", {"max_instances": 3})
    assert r.status_code == 404 and r.json["error"]


# -- questions -----------------------------------------------------------------------------
SCHEMES = [
    radio("sentiment", ["positive", "negative", "neutral"]),
    {
        "annotation_type": "multiselect",
        "name": "topics",
        "description": "Topics?",
        "labels": ["sports", "politics", "tech"],
    },
    {"annotation_type": "slider", "name": "score", "description": "Score?"},
    {"annotation_type": "number", "name": "count", "description": "How many?"},
    {"annotation_type": "text", "name": "note", "description": "Notes?"},
]


def test_questions_distributions(make_project):
    app = make(make_project, items=4, schemes=SCHEMES, max_annotations_per_item=3)
    answers = {
        "a": {
            "sentiment:positive": "1",
            "topics:sports": "1",
            "topics:tech": "1",
            "score:slider": "40",
            "count:number": "2",
            "note:text_box": "fine",
        },
        "b": {"sentiment:positive": "1", "topics:tech": "1", "score:slider": "60"},
        "c": {"sentiment:negative": "1", "topics:sports": "1", "topics:tech": "1"},
    }
    for name, labels in answers.items():
        client = login(app.test_client(), name)
        assert answer(client, current_id(client), **labels).status_code == 200
    body = admin_get(app, "/admin/api/questions").json
    by_name = {q["name"]: q for q in body["questions"]}
    assert [q["name"] for q in body["questions"]] == [
        "sentiment",
        "topics",
        "score",
        "count",
        "note",
    ]
    potato_keys = ("total_annotations", "analysis")  # Potato's (tests/web/test_potato_wire.py)
    assert {k: v for k, v in by_name["sentiment"].items() if k not in potato_keys} == {
        "name": "sentiment",
        "type": "radio",
        "description": "sentiment?",
        "total_answers": 3,
        "distribution": {"positive": 2, "negative": 1, "neutral": 0},
    }
    assert by_name["topics"]["total_answers"] == 3
    assert by_name["topics"]["distribution"] == {"sports": 2, "politics": 0, "tech": 3}
    score = by_name["score"]
    assert score["type"] == "slider" and score["total_answers"] == 2
    assert (score["min"], score["max"], score["mean"]) == (40, 60, 50)
    assert score["distribution"] == {"40": 1, "60": 1}
    count = by_name["count"]
    assert (count["total_answers"], count["min"], count["max"], count["mean"]) == (1, 2, 2, 2)
    assert by_name["note"]["total_answers"] == 1 and by_name["note"]["type"] == "text"


def test_questions_without_answers(make_project):
    app = make(make_project, schemes=SCHEMES)
    body = admin_get(app, "/admin/api/questions").json
    score = next(q for q in body["questions"] if q["name"] == "score")
    assert score["total_answers"] == 0 and score["min"] is None and score["mean"] is None
    assert body["questions"][0]["distribution"] == {"positive": 0, "negative": 0, "neutral": 0}


# -- access --------------------------------------------------------------------------------
GETS = [
    "/admin/api/annotation_history",
    "/admin/user_state/a",
    "/admin/system_state",
    "/admin/item_state/item_001",
    "/admin/api/stale_assignments",
    "/admin/api/questions",
]
POSTS = [
    ("/admin/api/reclaim_instance", {"user_id": "a", "instance_id": "item_001"}),
    ("/admin/api/user/a/set_instances", {"max_instances": 3}),
]


@pytest.mark.parametrize("path", GETS)
def test_get_endpoints_refuse_others(make_project, path):
    app = make(make_project, admin_users=["boss"], user_config=BOSS_USERS)
    login(app.test_client(), "a")
    r = app.test_client().get(path)
    assert r.status_code == 403 and r.json["error"]
    assert app.test_client().get(path, headers={"X-API-Key": "wrong-key-0000"}).status_code == 403
    r = login(app.test_client(), "ann").get(path)
    assert r.status_code == 403 and r.json["error"]
    assert login(app.test_client(), "boss", BOSS_PASSWORD).get(path).status_code == 200


@pytest.mark.parametrize(("path", "body"), POSTS)
def test_post_endpoints_refuse_others(make_project, path, body):
    app = make(make_project)
    login(app.test_client(), "a")
    assert app.test_client().post(path, json=body).status_code == 403
    assert login(app.test_client(), "ann").post(path, json=body).status_code == 403


def test_questions_cache_only_slow_answers(make_project, monkeypatch):
    app = make(make_project, items=3)
    scripted(app)
    first = admin_get(app, "/admin/api/questions").json["questions"][0]["total_answers"]
    assert first == 3  # fast answers are never cached ...
    c = login(app.test_client(), "c")
    answer(c, current_id(c), **{"sentiment:neutral": "1"})
    assert admin_get(app, "/admin/api/questions").json["questions"][0]["total_answers"] == 4
    monkeypatch.setattr(admin_state, "SLOW_SECONDS", -1.0)  # ... slow ones are, for a while
    assert admin_get(app, "/admin/api/questions").json["questions"][0]["total_answers"] == 4
    d = login(app.test_client(), "d")
    answer(d, current_id(d), **{"sentiment:neutral": "1"})
    assert admin_get(app, "/admin/api/questions").json["questions"][0]["total_answers"] == 4
    fresh = admin_get(app, "/admin/api/questions?fresh=1").json
    assert fresh["questions"][0]["total_answers"] == 5


@pytest.mark.postgres
def test_admin_state_on_postgres(make_project, pg_url):
    app = make(make_project, items=6, max_annotations_per_item=2, database_url=pg_url)
    scripted(app)
    history = admin_get(app, "/admin/api/annotation_history?user_id=a&minutes=5").json["history"]
    assert [h["instance_id"] for h in history] == ["item_002", "item_001"]
    assert admin_get(app, "/admin/user_state/a").json["instance_id_ordering"] == [
        "item_001",
        "item_002",
        "item_003",
    ]
    assert admin_get(app, "/admin/system_state").json["items"]["completed"] == 1
    assert admin_get(app, "/admin/item_state/item_001").json["assigned_to"] == ["a", "b"]
    age_leases(app, 120)
    stale = admin_get(app, "/admin/api/stale_assignments").json
    assert [s["instance_id"] for s in stale["stale_assignments"]] == ["item_003"]
    assert reclaim(app, {"user_id": "a", "instance_id": "item_003"}).status_code == 200
    assert admin_get(app, "/admin/item_state/item_003").json["assigned_to"] == []
    assert set_instances(app, "b", {"max_instances": 1}).status_code == 200
    questions = admin_get(app, "/admin/api/questions").json["questions"]
    assert questions[0]["distribution"] == {"positive": 2, "negative": 1, "neutral": 0}
