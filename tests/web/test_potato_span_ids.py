"""Potato's default span ids: `<schema>_<label>___<start>_<end>` for spans its frontend format
(`span_annotations`) sends without an id, `<schema>_<label>_<start>_<end>` for its backend
format; links, events and entity links naming a span by either shape find it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import base_config, login, write_config
from tests.web.test_links import schemes

TEXT = "Barack Obama visited Paris."


@pytest.fixture
def client(tmp_path, open_app):
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "t1", "text": TEXT}) + "\n")
    config = base_config()
    config["annotation_schemes"] = schemes()
    app = open_app(write_config(tmp_path, config))
    c = login(app.test_client(), "ann")
    assert c.get("/api/current_instance").json["instance_id"] == "t1"
    return c


def span_ids(c):
    return [s["id"] for s in c.get("/api/spans/t1").json["spans"]]


def test_frontend_format_gets_potatos_triple_underscore_id(client):
    r = client.post(
        "/updateinstance",
        json={
            "instance_id": "t1",
            "span_annotations": [
                {"schema": "entities", "name": "PERSON", "start": 0, "end": 12, "value": "true"}
            ],
        },
    )
    assert r.status_code == 200, r.json
    assert span_ids(client) == ["entities_PERSON___0_12"]


def test_format_coords_go_into_the_id_as_potato_does(client):
    span = {"schema": "entities", "name": "LOCATION", "start": 21, "end": 26}
    span["format_coords"] = {"format": "pdf", "anchor_kind": "text", "page": 1}
    r = client.post("/updateinstance", json={"instance_id": "t1", "span_annotations": [span]})
    assert r.status_code == 200, r.json
    assert span_ids(client) == ["entities_LOCATION_text_1_21_26"]


def test_backend_format_gets_potatos_backend_id(client):
    body = {
        "instance_id": "t1",
        "type": "span",
        "schema": "entities",
        "state": [{"name": "PERSON", "start": 0, "end": 12, "value": "Barack Obama"}],
    }
    r = client.post("/updateinstance", json=body)
    assert r.status_code == 200, r.json
    assert span_ids(client) == ["entities_PERSON_0_12"]


def test_a_given_id_is_kept(client):
    span = {"schema": "entities", "name": "PERSON", "start": 0, "end": 12, "id": "span_abc"}
    r = client.post("/updateinstance", json={"instance_id": "t1", "span_annotations": [span]})
    assert r.status_code == 200, r.json
    assert span_ids(client) == ["span_abc"]


def test_links_and_events_may_name_spans_by_either_shape_and_store_the_id(client):
    spans = [
        {"schema": "entities", "name": "PERSON", "start": 0, "end": 12},
        {"schema": "entities", "name": "TRIGGER", "start": 13, "end": 20},
        {"schema": "entities", "name": "LOCATION", "start": 21, "end": 26},
    ]
    body = {
        "instance_id": "t1",
        "span_annotations": spans,
        # our earlier id shape and Potato's, mixed
        "link_annotations": [
            {
                "schema": "relations",
                "link_type": "VISITED",
                "span_ids": ["entities_PERSON_0_12", "entities_LOCATION___21_26"],
            }
        ],
        "event_annotations": [
            {
                "schema": "events",
                "event_type": "TRAVEL",
                "trigger_span_id": "entities_TRIGGER_13_20",
                "arguments": [{"role": "traveller", "span_id": "entities_PERSON_0_12"}],
            }
        ],
    }
    r = client.post("/updateinstance", json=body)
    assert r.status_code == 200, r.json
    links = client.get("/api/links/t1").json["links"]
    assert links[0]["span_ids"] == ["entities_PERSON___0_12", "entities_LOCATION___21_26"]
    got = client.get("/get_annotations?instance_id=t1").json
    events = json.dumps(got)
    assert "entities_TRIGGER___13_20" in events and "entities_TRIGGER_13_20" not in events


def test_a_link_naming_one_span_by_both_shapes_is_a_self_link(client):
    body = {
        "instance_id": "t1",
        "span_annotations": [{"schema": "entities", "name": "PERSON", "start": 0, "end": 12}],
        "link_annotations": [
            {
                "schema": "relations",
                "link_type": "NEAR",
                "span_ids": ["entities_PERSON_0_12", "entities_PERSON___0_12"],
            }
        ],
    }
    r = client.post("/updateinstance", json=body)
    assert r.status_code == 400 and "itself" in r.json["error"]
    assert span_ids(client) == []
