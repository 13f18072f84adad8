"""Behavioural tracking: the three report endpoints, reading data back, admin analytics, and
the sendBeacon path (CSRF token in the JSON body)."""

from __future__ import annotations

import json
import re

import pytest

from potato_like.web import tracking
from tests.conftest import ADMIN, BOSS_PASSWORD, BOSS_USERS, answer, current_id, login

BROWSER = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def make(make_project):
    def build(**overrides):
        app = make_project(**overrides)
        if "tracking" not in app.blueprints:
            app.register_blueprint(tracking.bp)
        return app

    return build


def batch(iid, **summary):
    return {
        "instance_id": iid,
        "events": [
            {"type": "focus", "t": 1000},
            {"type": "click", "t": 1500, "target": "label"},
            {"type": "scroll", "t": 1800, "depth": 0.4},
            {"type": "keypress", "t": 2000},
            {"type": "first_answer", "t": 2500},
        ],
        "summary": {
            "focus_ms": 1500,
            "clicks": 1,
            "keypresses": 1,
            "scroll_depth": 0.4,
            "time_to_first_answer_ms": 1500,
            **summary,
        },
    }


def test_track_interactions_and_read_back(make):
    app = make()
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    r = c.post("/api/track_interactions", json=batch(iid))
    assert r.status_code == 200, r.json
    assert r.json == {"status": "success", "recorded": 5}
    r = c.post(
        "/api/track_interactions",
        json=batch(iid, focus_ms=500, clicks=2, scroll_depth=0.9, time_to_first_answer_ms=None),
    )
    assert r.status_code == 200
    data = c.get(f"/api/behavioral_data/{iid}").json
    assert data == {
        "instance_id": iid,
        "interactions": {
            "focus_ms": 2000,
            "clicks": 3,
            "keypresses": 2,
            "max_scroll_depth": 0.9,
            "time_to_first_answer_ms": 1500,
            "batches": 2,
        },
        "ai_usage": [],
        "annotation_changes": [],
    }


def test_events_only_batch_is_counted_from_events(make):
    app = make()
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    body = batch(iid)
    del body["summary"]
    assert c.post("/api/track_interactions", json=body).json["recorded"] == 5
    got = c.get(f"/api/behavioral_data/{iid}").json["interactions"]
    assert got["clicks"] == 1 and got["keypresses"] == 1 and got["max_scroll_depth"] == 0.4
    assert got["time_to_first_answer_ms"] is None


def test_track_ai_usage_and_annotation_change(make):
    app = make()
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    for action in ("request", "response", "accept"):
        r = c.post(
            "/api/track_ai_usage",
            json={
                "instance_id": iid,
                "action": action,
                "schema": "sentiment",
                "suggestion": {"label": "positive"},
                "latency_ms": 120,
            },
        )
        assert r.status_code == 200, r.json
        assert r.json == {"status": "success", "recorded": 1}
    r = c.post(
        "/api/track_annotation_change",
        json={"instance_id": iid, "schema": "sentiment", "label": "positive", "action": "select"},
    )
    assert r.status_code == 200, r.json
    r = c.post(
        "/api/track_annotation_change",
        json={"instance_id": iid, "schema": "sentiment", "action": "clear"},
    )
    assert r.status_code == 200
    data = c.get(f"/api/behavioral_data/{iid}").json
    assert [a["action"] for a in data["ai_usage"]] == ["request", "response", "accept"]
    first = data["ai_usage"][0]
    assert first["schema"] == "sentiment" and first["suggestion"] == {"label": "positive"}
    assert first["latency_ms"] == 120 and isinstance(first["ts"], float)
    changes = data["annotation_changes"]
    assert [(ch["action"], ch["label"]) for ch in changes] == [
        ("select", "positive"),
        ("clear", None),
    ]
    assert data["interactions"]["batches"] == 0


def _too_big_events(iid):
    return {"instance_id": iid, "events": [{"type": "click", "t": i} for i in range(501)]}


@pytest.mark.parametrize(
    ("make_body", "needle"),
    [
        (lambda iid: [iid], "JSON object"),
        (lambda iid: {"instance_id": 5, "events": []}, "instance_id"),
        (lambda iid: {"instance_id": "", "events": []}, "instance_id"),
        (lambda iid: {"instance_id": iid, "events": {}}, "'events' must be a list"),
        (lambda iid: {"instance_id": iid, "events": ["click"]}, "events[0]"),
        (lambda iid: {"instance_id": iid, "events": [{"t": 1}]}, "events[0].type"),
        (lambda iid: {"instance_id": iid, "events": [{"type": "Click!", "t": 1}]}, "type"),
        (lambda iid: {"instance_id": iid, "events": [{"type": "click", "t": "1"}]}, "events[0].t"),
        (lambda iid: {"instance_id": iid, "events": [{"type": "click", "t": True}]}, ".t"),
        (
            lambda iid: {"instance_id": iid, "events": [{"type": "click", "t": 1, "x": [1]}]},
            "events[0].x",
        ),
        (_too_big_events, "at most 500"),
        (lambda iid: {"instance_id": iid, "summary": []}, "'summary' must be an object"),
        (lambda iid: {"instance_id": iid, "summary": {"focus_ms": "1"}}, "summary.focus_ms"),
        (lambda iid: {"instance_id": iid, "summary": {"focus_ms": -1}}, "summary.focus_ms"),
        (lambda iid: {"instance_id": iid, "summary": {"clicks": 1.5}}, "summary.clicks"),
        (lambda iid: {"instance_id": iid, "summary": {"scroll_depth": 1.5}}, "scroll_depth"),
        (lambda iid: {"instance_id": iid, "summary": {"mouse": 1}}, "mouse"),
        (lambda iid: {"instance_id": iid, "extra": 1}, "extra"),
        (
            lambda iid: {
                "instance_id": iid,
                "events": [{"type": "click", "t": 1, "note": "x" * 300}] * 300,
            },
            "64 KB",
        ),
    ],
)
def test_bad_interaction_batches_are_refused(make, make_body, needle):
    app = make()
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    r = c.post("/api/track_interactions", json=make_body(iid))
    assert r.status_code == 400, r.json
    assert needle in r.json["error"]
    assert c.get(f"/api/behavioral_data/{iid}").json["interactions"]["batches"] == 0


def test_not_json_is_refused(make):
    app = make()
    c = login(app.test_client(), "ann")
    r = c.post("/api/track_interactions", data="not json", content_type="application/json")
    assert r.status_code == 400 and "JSON object" in r.json["error"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"action": "steal"}, "'action'"),
        ({}, "'action'"),
        ({"action": "accept", "schema": "nope"}, "unknown schema"),
        ({"action": "accept", "schema": 3}, "schema"),
        ({"action": "accept", "latency_ms": "fast"}, "latency_ms"),
        ({"action": "accept", "suggestion": "x" * 5000}, "suggestion"),
        ({"action": "accept", "bogus": 1}, "bogus"),
    ],
)
def test_bad_ai_usage_is_refused(make, body, needle):
    app = make()
    c = login(app.test_client(), "ann")
    r = c.post("/api/track_ai_usage", json={"instance_id": current_id(c), **body})
    assert r.status_code == 400, r.json
    assert needle in r.json["error"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"schema": "sentiment", "action": "toggle"}, "'action'"),
        ({"action": "select"}, "schema"),
        ({"schema": "nope", "action": "select"}, "unknown schema"),
        ({"schema": "sentiment", "label": "great", "action": "select"}, "no label 'great'"),
        ({"schema": "sentiment", "label": 1, "action": "select"}, "label"),
        ({"schema": "sentiment", "action": "update", "value": {"a": 1}}, "value"),
    ],
)
def test_bad_annotation_change_is_refused(make, body, needle):
    app = make()
    c = login(app.test_client(), "ann")
    r = c.post("/api/track_annotation_change", json={"instance_id": current_id(c), **body})
    assert r.status_code == 400, r.json
    assert needle in r.json["error"]


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/track_interactions", {"events": []}),
        ("/api/track_ai_usage", {"action": "request"}),
        ("/api/track_annotation_change", {"schema": "sentiment", "action": "clear"}),
    ],
)
def test_unknown_foreign_and_logged_out(make, url, body):
    app = make()
    c = login(app.test_client(), "ann")
    current_id(c)
    r = c.post(url, json={"instance_id": "no_such_item", **body})
    assert r.status_code == 404 and "does not exist" in r.json["error"]
    r = c.post(url, json={"instance_id": "item_005", **body})  # not in ann's list
    assert r.status_code == 403 and "not assigned" in r.json["error"]
    r = app.test_client().post(url, json={"instance_id": "item_001", **body})
    assert r.status_code == 401


def test_behavioral_data_is_visible_to_its_owner_only(make):
    app = make(admin_users=["boss"], user_config=BOSS_USERS)
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    assert ann.post("/api/track_interactions", json=batch(iid)).status_code == 200
    other = login(app.test_client(), "other")
    current_id(other)
    r = other.get(f"/api/behavioral_data/{iid}?user=ann")
    assert r.status_code == 403
    r = other.get("/api/behavioral_data/item_005")  # not in other's list
    assert r.status_code == 403
    assert other.get("/api/behavioral_data/nope").status_code == 404
    assert app.test_client().get(f"/api/behavioral_data/{iid}").status_code == 401
    # The owner may name themselves; an admin may read anyone's.
    assert ann.get(f"/api/behavioral_data/{iid}?user=ann").json["interactions"]["batches"] == 1
    boss = login(app.test_client(), "boss", BOSS_PASSWORD)
    got = boss.get(f"/api/behavioral_data/{iid}?user=ann")
    assert got.status_code == 200 and got.json["interactions"]["focus_ms"] == 1500
    assert boss.get(f"/api/behavioral_data/{iid}?user=ghost").status_code == 404
    assert boss.get("/api/behavioral_data/nope?user=ann").status_code == 404


def _work(c, items, focus_ms, clicks, keys, ttfa_ms, batches=1):
    for _ in range(items):
        iid = current_id(c)
        for _ in range(batches):
            summary = {
                "focus_ms": focus_ms / batches,
                "clicks": clicks,
                "keypresses": keys,
                "scroll_depth": 0.5,
                "time_to_first_answer_ms": ttfa_ms,
            }
            r = c.post("/api/track_interactions", json={"instance_id": iid, "summary": summary})
            assert r.status_code == 200, r.json
        assert answer(c, iid, **{"sentiment:positive": "1"}).status_code == 200
        c.post("/go_to", json={"action": "next_instance"})
    return iid


def test_admin_analytics_on_a_scripted_session(make):
    scripted_analytics(make(items=10, admin_users=["boss"], user_config=BOSS_USERS))


@pytest.mark.postgres
def test_tracking_on_postgres(make, pg_url):
    app = make(items=10, admin_users=["boss"], user_config=BOSS_USERS, database_url=pg_url)
    scripted_analytics(app)
    c = login(app.test_client(), "careful")
    data = c.get("/api/behavioral_data/item_001").json
    assert data["interactions"]["focus_ms"] == 10_000 and data["interactions"]["batches"] == 2


def scripted_analytics(app):
    careful = login(app.test_client(), "careful")
    last = _work(careful, 2, focus_ms=10_000, clicks=2, keys=1, ttfa_ms=4000, batches=2)
    for action in ("request", "response", "accept", "request", "reject"):
        r = careful.post("/api/track_ai_usage", json={"instance_id": last, "action": action})
        assert r.status_code == 200
    for action in ("select", "deselect", "select"):
        body = {"instance_id": last, "schema": "sentiment", "label": "neutral", "action": action}
        assert careful.post("/api/track_annotation_change", json=body).status_code == 200
    rusher = login(app.test_client(), "rusher")
    _work(rusher, 5, focus_ms=500, clicks=1, keys=0, ttfa_ms=400)

    r = app.test_client().get("/admin/api/behavioral_analytics", headers=ADMIN)
    assert r.status_code == 200, r.json
    body = r.json
    assert body["hours"] == 168
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", body["generated_at"])
    by_user = {a["user_id"]: a for a in body["annotators"]}
    assert list(by_user) == ["careful", "rusher"]
    assert by_user["careful"] == {
        "user_id": "careful",
        "items_with_data": 2,
        "avg_focus_seconds_per_item": 10.0,
        "avg_time_to_first_answer_seconds": 4.0,
        "clicks_per_item": 4.0,  # two batches of 2 clicks per item
        "keypresses_per_item": 2.0,
        "ai_requests": 2,
        "ai_accept_rate": 0.5,
        "annotation_changes": 3,
        "suspicion_score": 0.0,
    }
    rush = by_user["rusher"]
    assert rush["items_with_data"] == 5
    assert rush["avg_focus_seconds_per_item"] == 0.5
    assert rush["avg_time_to_first_answer_seconds"] == 0.4
    assert rush["clicks_per_item"] == 1.0 and rush["keypresses_per_item"] == 0.0
    assert rush["ai_requests"] == 0 and rush["ai_accept_rate"] is None
    # 0.5 * (1 - 0.5/5) + 0.4 * (1 - 0.4/2) + 0.1 * 0 = 0.77, at full weight after 5 items.
    assert rush["suspicion_score"] == pytest.approx(0.77)

    # An admin session works too; a window that ends before anything happened is empty only
    # when it is in the past, so a tiny window still sees these fresh reports.
    boss = login(app.test_client(), "boss", BOSS_PASSWORD)
    assert len(boss.get("/admin/api/behavioral_analytics?hours=1").json["annotators"]) == 2


def test_suspicion_score_formula():
    assert tracking.suspicion_score(0, 0, None, 0) == 0.0
    assert tracking.suspicion_score(10, 0, 0, 0) == 1.0
    assert tracking.suspicion_score(10, 20, 10, 5) == 0.0
    assert tracking.suspicion_score(1, 0, 0, 0) == pytest.approx(0.2)  # one item: 1/5 weight


def test_admin_analytics_access_and_bad_hours(make):
    app = make(admin_users=["boss"], user_config=BOSS_USERS)
    assert app.test_client().get("/admin/api/behavioral_analytics").status_code == 403
    c = login(app.test_client(), "someone")
    assert c.get("/admin/api/behavioral_analytics").status_code == 403
    anon = app.test_client()
    for bad in ("abc", "0", "-5", "nan", "100000"):
        r = anon.get(f"/admin/api/behavioral_analytics?hours={bad}", headers=ADMIN)
        assert r.status_code == 400 and "hours" in r.json["error"], bad
    r = anon.get("/admin/api/behavioral_analytics?hours=24", headers=ADMIN)
    assert r.json["annotators"] == [] and r.json["hours"] == 24


def _page_token(c) -> str:
    page = c.get("/annotate")
    assert page.status_code == 200
    found = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))
    assert found
    return found.group(1)


def test_beacon_with_token_in_body_is_accepted(make):
    app = make()
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    token = _page_token(c)
    body = {**batch(iid), "csrf_token": token}
    # What sendBeacon(url, new Blob([json], {type: "application/json"})) sends: no X-CSRFToken.
    r = c.post(
        "/api/track_interactions",
        data=json.dumps(body),
        content_type="application/json",
        headers=BROWSER,
    )
    assert r.status_code == 200, r.json
    # The header still works for fetch() calls from the page.
    r = c.post(
        "/api/track_interactions",
        json=batch(iid),
        headers={**BROWSER, "X-CSRFToken": token},
    )
    assert r.status_code == 200, r.json
    assert c.get(f"/api/behavioral_data/{iid}").json["interactions"]["batches"] == 2


def test_beacon_without_or_with_a_wrong_token_is_refused(make):
    app = make()
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    _page_token(c)
    for extra in ({}, {"csrf_token": "forged"}, {"csrf_token": 5}):
        r = c.post(
            "/api/track_interactions",
            data=json.dumps({**batch(iid), **extra}),
            content_type="application/json",
            headers=BROWSER,
        )
        assert r.status_code == 400, extra
        assert "CSRF" in r.json["error"] or "csrf" in r.json["error"]
    # Cross-site is refused before any token is looked at.
    r = c.post(
        "/api/track_interactions",
        json=batch(iid),
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert r.status_code == 403
    # Only this route reads the token from the body: the others still need the header.
    r = c.post(
        "/api/track_ai_usage",
        json={"instance_id": iid, "action": "request", "csrf_token": _page_token(c)},
        headers=BROWSER,
    )
    assert r.status_code == 400
    assert c.get(f"/api/behavioral_data/{iid}").json["interactions"]["batches"] == 0


def test_what_the_page_sends_for_select_number_and_other_boxes_is_recorded(make_project):
    """The page reports a change with the input's own label (issue 21, point 17): a select's
    `select-one`, a number's `number` and the "Other" box's `free_response`."""
    schemes = [
        {"annotation_type": "select", "name": "city", "description": "City?",
         "labels": ["Paris", "Rome"]},
        {"annotation_type": "number", "name": "stars", "description": "Stars?"},
        {"annotation_type": "radio", "name": "mood", "description": "Mood?",
         "labels": ["happy", "sad"], "has_free_response": {"instruction": "Other"}},
    ]  # fmt: skip
    app = make_project(schemes=schemes)
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    page = c.get("/annotate").get_data(as_text=True)
    for schema, label, value in (
        ("city", "select-one", "Rome"),
        ("stars", "number", "4"),
        ("mood", "free_response", "calm"),
    ):
        assert re.search(rf'data-scheme="{schema}"\s+data-label="{label}"', page), label
        body = {"instance_id": iid, "schema": schema, "label": label, "action": "update",
                "value": value}  # fmt: skip
        r = c.post("/api/track_annotation_change", json=body)
        assert r.status_code == 200, r.json
    r = c.post(
        "/api/track_annotation_change",
        json={"instance_id": iid, "schema": "city", "label": "Oslo", "action": "update"},
    )
    assert r.status_code == 400
