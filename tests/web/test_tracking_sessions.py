"""Potato's typing and annotation-telemetry tracking: sessions summarised by the server
(typed, deleted and pasted characters, pauses; actions and idle time), read back merged per
field, refused when malformed or about someone else's item; /api/track/propagate answers
503 (no video tracking model here)."""

from __future__ import annotations

import pytest

from tests.conftest import current_id, login

TEXT = {"annotation_type": "text", "name": "why", "description": "Why?"}
RADIO = {"annotation_type": "radio", "name": "sentiment", "labels": ["pos", "neg"]}


@pytest.fixture
def app(make_project):
    return make_project(schemes=[RADIO, TEXT])


def typing_session(iid, events, **extra):
    return {
        "schema_name": "why",
        "label_name": "text_box",
        "instance_id": iid,
        "events": events,
        **extra,
    }


KEYS = [
    {"t_ms": 0, "input_type": "insertText", "key_class": "letter", "pos": 0, "delta": 1},
    {"t_ms": 150, "input_type": "insertText", "key_class": "letter", "pos": 1, "delta": 1},
    {"t_ms": 3000, "input_type": "insertText", "key_class": "letter", "pos": 2, "delta": 1},
    {
        "t_ms": 3100,
        "input_type": "deleteContentBackward",
        "key_class": "edit",
        "pos": 2,
        "delta": -1,
    },
    {"t_ms": 4000, "input_type": "insertFromPaste", "pos": 2, "delta": 20},
]


def test_typing_sessions_are_summarised_and_merged_per_field(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    body = {"instance_id": iid, "sessions": [typing_session(iid, KEYS, final_chars=22)]}
    r = ann.post("/api/track_typing", json=body)
    assert r.status_code == 200 and r.json == {"status": "ok", "sessions_recorded": 1}
    more = [
        {"t_ms": 0, "input_type": "insertText", "delta": 1},
        {"t_ms": 1000, "input_type": "insertText", "delta": 1},
    ]
    body = {"instance_id": iid, "sessions": [typing_session(None, more, final_chars=24)]}
    assert ann.post("/api/track_typing", json=body).json["sessions_recorded"] == 1

    got = ann.get(f"/api/typing_summary/{iid}").json
    assert got["instance_id"] == iid
    summary = got["typing_summaries"]["why:::text_box"]
    assert summary == {
        "keystrokes": 4 + 2,
        "chars_typed": 3 + 2,
        "chars_deleted": 1,
        "pastes": 1,
        "chars_pasted": 20,
        "pauses": 1,  # 150 ms -> 3000 ms
        "duration_ms": 4000 + 1000,
        "final_chars": 24,
        "sessions": 2,
        "chars_per_minute": round(5 / (5000 / 60000), 1),
        "paste_ratio": round(20 / 25, 4),
        "virtual_keyboard": False,
    }


def test_annotation_telemetry_sessions(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    events = [
        {"t_ms": 0, "action": "select", "shape": None},
        {"t_ms": 500, "action": "select"},
        {"t_ms": 9000, "action": "ai_accept"},
    ]
    body = {"instance_id": iid, "sessions": [{"schema_name": "sentiment", "events": events}]}
    r = ann.post("/api/track_annotation_telemetry", json=body)
    assert r.json == {"status": "ok", "sessions_recorded": 1}
    got = ann.get(f"/api/annotation_telemetry/{iid}").json["annotation_telemetry"]
    assert got == {
        "sentiment": {
            "events": 3,
            "actions": {"select": 2, "ai_accept": 1},
            "duration_ms": 9000,
            "idle_ms": 8500,
            "active_ms": 500,
            "sessions": 1,
        }
    }


def test_empty_sessions_record_nothing(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    body = {"instance_id": iid, "sessions": [typing_session(iid, [])]}
    assert ann.post("/api/track_typing", json=body).json["sessions_recorded"] == 0
    assert ann.get(f"/api/typing_summary/{iid}").json["typing_summaries"] == {}


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        ({"sessions": "x"}, 400, "'sessions' must be a list"),
        (
            {"sessions": [typing_session("ID", KEYS, schema_name="nope")]},
            400,
            "unknown schema_name",
        ),
        ({"sessions": [typing_session("ID", [{"t_ms": "soon"}])]}, 400, "t_ms"),
        ({"sessions": [{"label_name": "x", "events": KEYS}]}, 400, "schema_name"),
        ({"sessions": [typing_session("item_999", KEYS)]}, 404, "does not exist"),
        ({"sessions": [], "extra": 1}, 400, "unknown field"),
    ],
)
def test_bad_typing_reports_are_refused_and_nothing_is_kept(app, body, status, problem):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    for s in body.get("sessions", []) if isinstance(body.get("sessions"), list) else []:
        if s.get("instance_id") == "ID":
            s["instance_id"] = iid
    r = ann.post("/api/track_typing", json={"instance_id": iid, **body})
    assert r.status_code == status and problem in r.json["error"], r.json
    assert ann.get(f"/api/typing_summary/{iid}").json["typing_summaries"] == {}


def test_only_your_own_items_and_only_when_logged_in(app):
    assert app.test_client().post("/api/track_typing", json={"sessions": []}).status_code == 401
    assert app.test_client().get("/api/typing_summary/item_001").status_code == 401
    ann = login(app.test_client(), "ann")
    current_id(ann)
    # item_005 is not in ann's list yet
    r = ann.get("/api/annotation_telemetry/item_005")
    assert r.status_code in (403, 409), r.json


def test_video_track_propagation_is_unavailable(app):
    ann = login(app.test_client(), "ann")
    assert ann.post("/api/track/propagate", json={}).status_code == 400
    r = ann.post("/api/track/propagate", json={"points": [[1, 2, 1]], "video": "v.mp4"})
    assert r.status_code == 503 and r.json["available"] is False
