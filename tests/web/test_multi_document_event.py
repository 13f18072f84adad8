"""multi_document_event: a document's events (seed or new), their slots and cited evidence as
one record; unknown slots, evidence off the text and (without allow_annotator_create) new
events are refused with nothing written; the same event id joins documents; agreement."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ADMIN, base_config, current_id, login, write_config

TEXTS = [
    "Heavy monsoon rains flooded Ayutthaya this week.",
    "Floodwaters in Ayutthaya damaged historic temples.",
]
SCHEME = {
    "annotation_type": "multi_document_event",
    "name": "events",
    "description": "Group documents into events",
    "slots": [
        {"name": "event_type", "description": "Kind of disaster", "type": "text"},
        {"name": "where", "description": "Location", "type": "text"},
    ],
    "allow_annotator_create": True,
    "seed_events": "seeds.json",
}
SEEDS = {
    "events": [{"id": "evt_flood", "title": "Thai floods", "slot_values": {"event_type": "flood"}}]
}


def make(tmp_path, open_app, **scheme):
    with (tmp_path / "data.jsonl").open("w") as fh:
        for i, text in enumerate(TEXTS):
            fh.write(json.dumps({"id": f"d{i + 1}", "text": text}) + "\n")
    (tmp_path / "seeds.json").write_text(json.dumps(SEEDS))
    config = base_config(
        annotation_schemes=[{**SCHEME, **scheme}], assignment_strategy="fixed_order"
    )
    return open_app(write_config(tmp_path, config))


@pytest.fixture
def app(tmp_path, open_app):
    return make(tmp_path, open_app)


def send(client, iid, events):
    record = json.dumps({"events": events})
    return client.post(
        "/updateinstance", json={"instance_id": iid, "annotations": {"events:events": record}}
    )


def stored(client, iid):
    raw = client.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    raw = raw.get("events", {}).get("events")
    return json.loads(raw) if raw else None


def where_evidence(text_index=0, word="Ayutthaya"):
    at = TEXTS[text_index].index(word)
    return {"where": [{"start": at, "end": at + len(word), "text": word}]}


def test_page_offers_the_seed_events(app):
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    assert "evt_flood" in page and "Thai floods" in page and "js/multi-document-event.js" in page


def test_a_document_joins_an_event_with_slots_and_evidence(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    event = {
        "id": "evt_flood",
        "title": "Thai floods",
        "slot_values": {"where": "Ayutthaya", "event_type": "  "},
        "evidence": where_evidence(),
    }
    assert send(ann, iid, [event]).status_code == 200
    assert stored(ann, iid) == {
        "events": [
            {
                "id": "evt_flood",
                "title": "Thai floods",
                "slot_values": {"where": "Ayutthaya"},
                "evidence": where_evidence(),
            }
        ]
    }


@pytest.mark.parametrize(
    ("events", "problem"),
    [
        ([{"id": "e1", "slot_values": {"who": "x"}}], "unknown slot 'who'"),
        (
            [{"id": "e1", "evidence": {"where": [{"start": 0, "end": 99, "text": ""}]}}],
            "is not the document's text",
        ),
        (
            [{"id": "e1", "evidence": {"where": [{"start": 0, "end": 5, "text": "Light"}]}}],
            "is not the document's text",
        ),
        ([{"id": "e1"}, {"id": "e1"}], "listed twice"),
        ([{"id": "bad id!"}], "must be 1-120 letters"),
        ([{"id": "e1", "slot_values": {"where": 5}}], "must be text"),
    ],
)
def test_bad_events_are_refused_and_nothing_is_written(app, events, problem):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, events)
    assert r.status_code == 400 and problem in r.json["error"], r.json
    assert stored(ann, iid) is None


def test_without_allow_annotator_create_only_seed_events(tmp_path, open_app):
    app = make(tmp_path, open_app, allow_annotator_create=False)
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, [{"id": "evt_new", "title": "Mine"}])
    assert r.status_code == 400 and "not one of the seed events" in r.json["error"]
    assert send(ann, iid, [{"id": "evt_flood"}]).status_code == 200


def test_a_bad_config_is_reported(tmp_path, open_app):
    with pytest.raises(Exception, match="no seed_events"):
        make(tmp_path, open_app, allow_annotator_create=False, seed_events=None)


def test_agreement_on_membership_and_slots(app):
    answers = {
        "ann": [{"id": "evt_flood", "slot_values": {"where": "Ayutthaya"}}],
        "bob": [
            {"id": "evt_flood", "slot_values": {"where": "ayutthaya "}},
            {"id": "evt_rain", "slot_values": {"event_type": "rain"}},
        ],
    }
    for name, events in answers.items():
        client = login(app.test_client(), name)
        for _ in range(2):
            assert send(client, current_id(client), events).status_code == 200
            client.post("/go_to", json={"action": "next_instance"})
    entry = app.test_client().get("/admin/api/agreement", headers=ADMIN).json["by_schema"]
    assert entry["events"]["pairwise_scores"] == {
        "membership_jaccard": 0.5,
        "slot_exact_match": 1.0,
    }
