"""Spans, links, events and entity linking on PostgreSQL: save, read, prune, clear, link a
span to a knowledge-base entry and export, as on SQLite."""

from __future__ import annotations

import json

import pytest

from potato_like import create_app
from tests.conftest import ADMIN, base_config, csrf_headers, login, write_config
from tests.web.test_links import L_ID, P_ID, PERSON, PLACE, T_ID, TRIGGER, body, schemes, travel

pytestmark = pytest.mark.postgres

TEXT = "Barack Obama visited Paris."


@pytest.fixture
def pg_span_app(tmp_path, pg_url):
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "t1", "text": TEXT}) + "\n")
    (tmp_path / "kb.jsonl").write_text(
        json.dumps({"id": "Q90", "name": "Paris", "aliases": ["City of Light"]}) + "\n"
    )
    config = base_config(database_url=pg_url)
    config["annotation_schemes"] = schemes()
    config["annotation_schemes"][0]["entity_linking"] = {
        "knowledge_bases": [{"name": "places", "type": "file", "path": "kb.jsonl"}]
    }
    app = create_app(write_config(tmp_path, config))
    app.config["TESTING"] = True
    assert app.extensions["potato_like"].store.engine.dialect.name == "postgresql"
    yield app
    app.extensions["potato_like"].close()


def test_span_link_event_and_kb_flow_on_postgres(pg_span_app):
    c = login(pg_span_app.test_client(), "ann1")
    assert c.get("/api/current_instance").json["instance_id"] == "t1"
    links = [{"link_type": "VISITED", "span_ids": [P_ID, L_ID]}]
    r = c.post("/updateinstance", json=body([PERSON, PLACE, TRIGGER], links, [travel()]))
    assert r.status_code == 200, r.json
    spans = c.get("/api/spans/t1").json["spans"]
    assert [(s["id"], s["text"]) for s in spans] == [
        (P_ID, "Barack Obama"),
        (T_ID, "visited"),
        (L_ID, "Paris"),
    ]
    assert c.get("/api/links/t1").json["links"][0]["span_ids"] == [P_ID, L_ID]
    # Entity linking writes through the same store.
    found = c.get("/api/entity_linking/search?q=city&kb=places").json["results"]
    assert [e["entity_id"] for e in found] == ["Q90"]
    r = c.post(
        "/api/entity_linking/update_span",
        json={"instance_id": "t1", "span_id": L_ID, "kb_id": "Q90", "kb_source": "places"},
    )
    assert r.status_code == 200, r.json
    place = next(s for s in c.get("/api/spans/t1").json["spans"] if s["id"] == L_ID)
    assert (place["kb_id"], place["kb_label"]) == ("Q90", "Paris")
    # Replacing the spans without the place prunes the link, keeps the event's traveller.
    assert c.post("/updateinstance", json=body([PERSON, TRIGGER])).status_code == 200
    assert c.get("/api/links/t1").json["links"] == []
    assert [a["role"] for a in c.get("/api/events/t1").json["events"][0]["arguments"]] == [
        "traveller"
    ]
    exported = c.post("/admin/api/export", json={"format": "spans_jsonl"}, headers=ADMIN)
    record = json.loads(exported.get_data(as_text=True))
    assert [s["id"] for s in record["spans"]] == [P_ID, T_ID]
    # Clearing takes the event with the spans.
    assert c.post("/api/spans/t1/clear", headers=csrf_headers(c)).json["cleared_count"] == 2
    assert c.get("/api/events/t1").json["events"] == []
    assert c.get("/get_annotations?instance_id=t1").json["span_annotations"] == {}
