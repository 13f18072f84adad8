"""Potato's cross-document event registry (`event_template`) under /corpus/api: template,
seeded and created events, slots with stale-write detection, members, evidence checked
against the documents' text, deletion; bad input gets 4xx naming the problem."""

from __future__ import annotations

import json

import pytest

from potato_like.errors import ConfigError
from tests.conftest import base_config, login, write_config

DOCS = [
    {"id": "doc_01", "text": "Floods hit Bangkok in October 2011."},
    {"id": "doc_02", "text": "The Chao Phraya river flooded Ayutthaya."},
]
TEMPLATE = {
    "enabled": True,
    "name": "disaster_event",
    "allow_annotator_create": True,
    "seed_events": "seeds.json",
    "slots": [
        {"name": "event_type", "description": "Kind of disaster", "type": "text"},
        {"name": "where", "description": "Location"},
    ],
}
SEEDS = {
    "events": [
        {
            "id": "evt_seed_flood",
            "title": "2011 Thailand Floods",
            "slot_values": {"event_type": "flood"},
            "member_doc_ids": ["doc_01"],
        }
    ]
}


@pytest.fixture
def make(tmp_path, open_app):
    def build(**template):
        (tmp_path / "data.jsonl").write_text("".join(json.dumps(d) + "\n" for d in DOCS))
        (tmp_path / "seeds.json").write_text(json.dumps(SEEDS))
        config = base_config(event_template={**TEMPLATE, **template})
        return open_app(write_config(tmp_path, config))

    return build


def test_template_seed_and_reads(make):
    ann = login(make().test_client(), "ann")
    t = ann.get("/corpus/api/event_template").json
    assert t["template_name"] == "disaster_event" and t["allow_annotator_create"] is True
    assert [s["name"] for s in t["slots"]] == ["event_type", "where"]
    events = ann.get("/corpus/api/events").json["events"]
    assert [(e["id"], e["provenance"], e["slot_values"]) for e in events] == [
        ("evt_seed_flood", "seeded", {"event_type": "flood"})
    ]
    assert ann.get("/corpus/api/events?doc_id=doc_02").json["events"] == []
    assert ann.get("/corpus/api/event/evt_seed_flood").json["title"] == "2011 Thailand Floods"
    assert ann.get("/corpus/api/event/nope").status_code == 404


def test_create_fill_cite_and_share(make):
    app = make()
    ann, bob = login(app.test_client(), "ann"), login(app.test_client(), "bob")
    r = ann.post("/corpus/api/event", json={"title": "Ayutthaya flood", "doc_id": "doc_02"})
    assert r.status_code == 201, r.json
    event = r.json
    eid = event["id"]
    assert event["member_doc_ids"] == ["doc_02"] and event["created_by"] == "ann"
    # bob sees it and fills a slot; ann's write against the old version is refused
    first = bob.post(f"/corpus/api/event/{eid}/slot", json={"slot": "where", "value": "Ayutthaya"})
    assert first.status_code == 200 and first.json["slot_values"] == {"where": "Ayutthaya"}
    stale = {"slot": "where", "value": "Bangkok", "expected_updated_at": event["updated_at"]}
    r = ann.post(f"/corpus/api/event/{eid}/slot", json=stale)
    assert r.status_code == 409 and r.json["error"] == "stale_write"
    assert r.json["current"]["slot_values"] == {"where": "Ayutthaya"}
    fresh = {**stale, "expected_updated_at": first.json["updated_at"]}
    assert ann.post(f"/corpus/api/event/{eid}/slot", json=fresh).status_code == 200
    # members and evidence (checked against the document's text)
    r = ann.post(f"/corpus/api/event/{eid}/member", json={"doc_id": "doc_01"})
    assert r.json["member_doc_ids"] == ["doc_02", "doc_01"]
    cite = {"slot": "where", "doc_id": "doc_01", "start": 11, "end": 18, "text": "Bangkok"}
    r = ann.post(f"/corpus/api/event/{eid}/evidence", json=cite)
    assert r.status_code == 200, r.json
    assert r.json["evidence"][0]["quoted_text"] == "Bangkok"
    assert (
        ann.post(f"/corpus/api/event/{eid}/title", json={"title": "Floods"}).json["title"]
        == "Floods"
    )
    shared = bob.get("/corpus/api/events?doc_id=doc_01").json["events"]
    assert sorted(e["id"] for e in shared) == sorted([eid, "evt_seed_flood"])
    r = ann.delete(f"/corpus/api/event/{eid}/evidence/0")
    assert r.status_code == 200 and r.json["evidence"] == []
    assert ann.delete(f"/corpus/api/event/{eid}/evidence/0").status_code == 404
    r = ann.post(f"/corpus/api/event/{eid}/member", json={"doc_id": "doc_01", "attach": False})
    assert r.json["member_doc_ids"] == ["doc_02"]
    # only the creator (or an admin) deletes
    assert bob.delete(f"/corpus/api/event/{eid}").status_code == 403
    assert ann.delete(f"/corpus/api/event/{eid}").json == {"success": True}
    assert ann.get(f"/corpus/api/event/{eid}").status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        (
            "/corpus/api/event/evt_seed_flood/slot",
            {"slot": "when", "value": "x"},
            400,
            "'slot' must be one of event_type, where",
        ),
        (
            "/corpus/api/event/evt_seed_flood/slot",
            {"slot": "where", "value": 3},
            400,
            "'value' must be a string",
        ),
        ("/corpus/api/event/evt_seed_flood/member", {"doc_id": "doc_99"}, 404, "no document"),
        ("/corpus/api/event/evt_seed_flood/member", {}, 400, "'doc_id'"),
        (
            "/corpus/api/event/evt_seed_flood/evidence",
            {"slot": "where", "doc_id": "doc_01", "start": 11, "end": 99},
            400,
            "do not fit",
        ),
        (
            "/corpus/api/event/evt_seed_flood/evidence",
            {"slot": "where", "doc_id": "doc_01", "start": 0, "end": 6, "text": "Storms"},
            400,
            "is not the document's text",
        ),
        ("/corpus/api/event/missing/title", {"title": "x"}, 404, "no event"),
        ("/corpus/api/event", [], 400, "JSON object"),
    ],
)
def test_bad_requests(make, path, body, status, words):
    ann = login(make().test_client(), "ann")
    before = ann.get("/corpus/api/event/evt_seed_flood").json
    r = ann.post(path, json=body)
    assert r.status_code == status, r.json
    assert words in r.json["error"]
    assert ann.get("/corpus/api/event/evt_seed_flood").json == before


def test_creation_can_be_closed_and_login_is_needed(make):
    app = make(allow_annotator_create=False)
    assert app.test_client().get("/corpus/api/events").status_code == 401
    ann = login(app.test_client(), "ann")
    r = ann.post("/corpus/api/event", json={"title": "x"})
    assert r.status_code == 403 and "allow_annotator_create" in r.json["error"]


def test_without_event_template_the_api_says_so(tmp_path, open_app):
    (tmp_path / "data.jsonl").write_text(json.dumps(DOCS[0]) + "\n")
    ann = login(open_app(write_config(tmp_path, base_config())).test_client(), "ann")
    r = ann.get("/corpus/api/events")
    assert r.status_code == 400 and "event_template.enabled" in r.json["error"]


def test_seeds_survive_edits_across_restarts(make):
    app = make()
    ann = login(app.test_client(), "ann")
    ann.post("/corpus/api/event/evt_seed_flood/title", json={"title": "Edited"})
    app.extensions["potato_like"].close()
    again = login(make().test_client(), "ann")
    assert again.get("/corpus/api/event/evt_seed_flood").json["title"] == "Edited"


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ({"slots": []}, "event_template.slots: is required"),
        ({"seed_events": "missing.json"}, "event_template.seed_events: file not found"),
        ({"slots": [{"name": "a"}, {"name": "a"}]}, "'a' is used twice"),
    ],
)
def test_config_problems(make, template, words):
    with pytest.raises(ConfigError) as err:
        make(**template)
    assert words in str(err.value)


@pytest.mark.postgres
def test_registry_on_postgres(tmp_path, pg_url):
    from potato_like import create_app

    (tmp_path / "data.jsonl").write_text("".join(json.dumps(d) + "\n" for d in DOCS))
    (tmp_path / "seeds.json").write_text(json.dumps(SEEDS))
    config = base_config(database_url=pg_url, event_template=TEMPLATE)
    app = create_app(write_config(tmp_path, config))
    app.config["TESTING"] = True
    try:
        assert app.extensions["potato_like"].store.engine.dialect.name == "postgresql"
        ann = login(app.test_client(), "ann")
        eid = ann.post("/corpus/api/event", json={"title": "x", "doc_id": "doc_01"}).json["id"]
        r = ann.post(f"/corpus/api/event/{eid}/slot", json={"slot": "where", "value": "Bangkok"})
        assert r.json["slot_values"] == {"where": "Bangkok"}
        ids = sorted(e["id"] for e in ann.get("/corpus/api/events?doc_id=doc_01").json["events"])
        assert ids == sorted([eid, "evt_seed_flood"])
    finally:
        app.extensions["potato_like"].close()
