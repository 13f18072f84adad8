"""Span links and events over HTTP: saving through /updateinstance, validation against the
spans, pruning when spans go, and the /api/links and /api/events endpoints."""

from __future__ import annotations

import pytest

from tests.web.test_spans import client_for, save, span_app  # noqa: F401  (fixture)

TEXT = "Barack Obama visited Paris."  # item t1
PERSON = {"label": "PERSON", "start": 0, "end": 12}
PLACE = {"label": "LOCATION", "start": 21, "end": 26}
TRIGGER = {"label": "TRIGGER", "start": 13, "end": 20}
# Potato's ids for spans its frontend format sends without one: <schema>_<label>___<start>_<end>
P_ID, L_ID, T_ID = "entities_PERSON___0_12", "entities_LOCATION___21_26", "entities_TRIGGER___13_20"


def schemes():
    return [
        {
            "annotation_type": "span",
            "name": "entities",
            "description": "Entities",
            "labels": ["PERSON", "LOCATION", "TRIGGER"],
        },
        {
            "annotation_type": "span_link",
            "name": "relations",
            "description": "Relations",
            "span_schema": "entities",
            "link_types": [
                {
                    "name": "VISITED",
                    "directed": True,
                    "allowed_source_labels": ["PERSON"],
                    "allowed_target_labels": ["LOCATION"],
                    "color": "#dc2626",
                },
                {"name": "NEAR", "directed": False},
            ],
        },
        {
            "annotation_type": "event_annotation",
            "name": "events",
            "description": "Events",
            "span_schema": "entities",
            "event_types": [
                {
                    "type": "TRAVEL",
                    "trigger_labels": ["TRIGGER"],
                    "arguments": [
                        {"role": "traveller", "entity_types": ["PERSON"], "required": True},
                        {"role": "destination", "entity_types": ["LOCATION"]},
                    ],
                }
            ],
        },
    ]


def body(spans=None, links=None, events=None, **extra):
    out = {"instance_id": "t1", **extra}
    if spans is not None:
        out["span_annotations"] = spans
    if links is not None:
        out["link_annotations"] = links
    if events is not None:
        out["event_annotations"] = events
    return out


def visit():
    return {"link_type": "VISITED", "span_ids": [P_ID, L_ID]}


def travel():
    return {
        "event_type": "TRAVEL",
        "trigger_span_id": T_ID,
        "arguments": [
            {"role": "traveller", "span_id": P_ID},
            {"role": "destination", "span_id": L_ID},
        ],
    }


@pytest.fixture
def c(span_app):  # noqa: F811
    return client_for(span_app(schemes=schemes()))


def test_spans_links_and_events_in_one_body(c):
    r = c.post("/updateinstance", json=body([PERSON, PLACE, TRIGGER], [visit()], [travel()]))
    assert r.status_code == 200, r.json
    links = c.get("/api/links/t1").json["links"]
    assert len(links) == 1
    link = links[0]
    assert link["span_ids"] == [P_ID, L_ID] and link["direction"] == "directed"
    assert link["schema"] == "relations" and link["color"] == "#dc2626"
    events = c.get("/api/events/t1").json["events"]
    assert events[0]["trigger_span_id"] == T_ID
    assert [a["role"] for a in events[0]["arguments"]] == ["traveller", "destination"]
    got = c.get("/get_annotations?instance_id=t1").json
    assert got["link_annotations"][0]["id"] == link["id"]
    assert got["event_annotations"][0]["id"] == events[0]["id"]
    # Sending the same spans again (no ids) keeps ids, so the links stay valid.
    r = c.post("/updateinstance", json=body([PERSON, PLACE, TRIGGER]))
    assert r.status_code == 200
    assert c.get("/api/links/t1").json["links"] == links


@pytest.mark.parametrize(
    ("links", "events", "needle"),
    [
        ([{"link_type": "VISITED", "span_ids": [P_ID, "nope"]}], None, "'nope' does not exist"),
        ([{"link_type": "VISITED", "span_ids": [L_ID, P_ID]}], None, "cannot join"),
        ([{"link_type": "VISITS", "span_ids": [P_ID, L_ID]}], None, "unknown link type"),
        ([{"link_type": "NEAR", "span_ids": [P_ID, P_ID]}], None, "itself"),
        ([{"link_type": "NEAR", "span_ids": [P_ID]}], None, "2 to 2"),
        ([{"link_type": "NEAR", "span_ids": "x"}], None, "span_ids"),
        (None, [{**travel(), "trigger_span_id": "gone"}], "trigger span 'gone'"),
        (None, [{**travel(), "trigger_span_id": P_ID}], "cannot trigger"),
        (None, [{**travel(), "arguments": []}], "required role(s) missing: traveller"),
        (None, [{**travel(), "arguments": [{"role": "weapon", "span_id": P_ID}]}], "no role"),
        (
            None,
            [{**travel(), "arguments": [{"role": "traveller", "span_id": L_ID}]}],
            "cannot fill role",
        ),
        (None, [{**travel(), "event_type": "ATTACK"}], "unknown event type"),
    ],
)
def test_bad_links_and_events_write_nothing(c, links, events, needle):
    assert c.post("/updateinstance", json=body([PERSON, PLACE, TRIGGER])).status_code == 200
    r = c.post("/updateinstance", json=body([PERSON, PLACE, TRIGGER], links, events))
    assert r.status_code == 400, r.json
    assert needle in r.json["error"], r.json["error"]
    assert len(c.get("/api/spans/t1").json["spans"]) == 3  # the spans were not touched
    assert c.get("/api/links/t1").json["links"] == []
    assert c.get("/api/events/t1").json["events"] == []


def test_link_to_a_span_removed_in_the_same_body_is_refused(c):
    c.post("/updateinstance", json=body([PERSON, PLACE]))
    r = c.post("/updateinstance", json=body([PERSON], [visit()]))
    assert r.status_code == 400 and L_ID in r.json["error"]
    assert len(c.get("/api/spans/t1").json["spans"]) == 2


def test_undirected_links_fit_either_way_and_deduplicate(c):
    c.post("/updateinstance", json=body([PERSON, PLACE]))
    r = c.post(
        "/updateinstance",
        json=body(
            links=[
                {"link_type": "NEAR", "span_ids": [L_ID, P_ID]},
                {"link_type": "NEAR", "source": P_ID, "target": L_ID},
            ]
        ),
    )
    assert r.status_code == 200, r.json
    links = c.get("/api/links/t1").json["links"]
    assert len(links) == 1 and links[0]["direction"] == "undirected"


def test_deleting_spans_prunes_links_and_events(c):
    c.post("/updateinstance", json=body([PERSON, PLACE, TRIGGER], [visit()], [travel()]))
    # The destination goes: the link goes, the event keeps its required traveller.
    r = c.post("/updateinstance", json=body([PERSON, TRIGGER]))
    assert r.status_code == 200, r.json
    assert c.get("/api/links/t1").json["links"] == []
    events = c.get("/api/events/t1").json["events"]
    assert [a["role"] for a in events[0]["arguments"]] == ["traveller"]
    # Relabelling the traveller so it no longer fits drops the event.
    r = c.post(
        "/updateinstance",
        json=body([{**PERSON, "label": "LOCATION", "id": P_ID}, TRIGGER]),
    )
    assert r.status_code == 200
    assert c.get("/api/events/t1").json["events"] == []


def test_clear_spans_takes_links_and_events_with_it(c):
    c.post("/updateinstance", json=body([PERSON, PLACE, TRIGGER], [visit()], [travel()]))
    r = c.delete("/api/spans/t1/clear")
    assert r.json["cleared_count"] == 3
    assert c.get("/api/links/t1").json["links"] == []
    assert c.get("/api/events/t1").json["events"] == []
    assert c.get("/get_annotations?instance_id=t1").json["span_annotations"] == {}


def test_delete_link_and_event(c):
    c.post("/updateinstance", json=body([PERSON, PLACE, TRIGGER], [visit()], [travel()]))
    link_id = c.get("/api/links/t1").json["links"][0]["id"]
    event_id = c.get("/api/events/t1").json["events"][0]["id"]
    assert c.delete(f"/api/links/t1/{link_id}").json == {"status": "success", "deleted": link_id}
    assert c.get("/api/links/t1").json["links"] == []
    assert c.delete(f"/api/links/t1/{link_id}").status_code == 404
    assert c.delete(f"/api/events/t1/{link_id}").status_code == 404
    assert c.delete(f"/api/events/t1/{event_id}").status_code == 200
    assert c.get("/api/events/t1").json["events"] == []
    assert len(c.get("/api/spans/t1").json["spans"]) == 3
    assert c.delete("/api/links/nope/x").status_code == 404
    assert c.get("/api/links/t2").status_code == 403


def test_link_endpoints_need_a_session(span_app):  # noqa: F811
    anon = span_app(schemes=schemes()).test_client()
    for r in (
        anon.get("/api/links/t1"),
        anon.delete("/api/links/t1/x"),
        anon.get("/api/events/t1"),
        anon.delete("/api/events/t1/x"),
    ):
        assert r.status_code == 401


def test_config_refuses_broken_references(tmp_path):
    from potato_like.config import load_config
    from potato_like.errors import ConfigError
    from tests.conftest import base_config, write_items

    write_items(tmp_path / "data.jsonl", 2)
    bad = schemes()
    bad[1]["span_schema"] = "entitys"
    bad[1]["link_types"][0]["allowed_source_labels"] = ["PERSN"]
    bad[2]["event_types"][0]["arguments"][0]["role"] = None
    config = base_config(annotation_schemes=bad)
    with pytest.raises(ConfigError) as err:
        load_config(config, config_dir=tmp_path)
    text = str(err.value)
    assert "annotation_schemes[1].span_schema: 'entitys' is not a span scheme" in text
    assert "did you mean 'entities'" in text
    assert "annotation_schemes[2].event_types[0].arguments[0].role: is required" in text
    bad = schemes()
    bad[1]["link_types"][0]["allowed_source_labels"] = ["PERSN"]
    with pytest.raises(ConfigError) as err:
        load_config(base_config(annotation_schemes=bad), config_dir=tmp_path)
    assert "link_types[0].allowed_source_labels: 'PERSN' is not a label" in str(err.value)


def test_output_file_has_spans_links_and_events(span_app):  # noqa: F811
    import json

    app = span_app(schemes=schemes())
    c = client_for(app)
    c.post("/updateinstance", json=body([PERSON, PLACE, TRIGGER], [visit()], [travel()]))
    project = app.extensions["potato_like"]
    project.output.flush()
    path = project.config.output_dir / "ann1" / "annotated_instances.jsonl"
    line = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert line["label_annotations"] == {}
    assert [s["annotation"] for s in line["span_annotations"]] == ["PERSON", "TRIGGER", "LOCATION"]
    assert line["span_annotations"][0]["span"] == "Barack Obama"
    assert line["link_annotations"][0]["link_type"] == "VISITED"
    assert line["event_annotations"][0]["event_type"] == "TRAVEL"


def test_admin_item_page_shows_spans_links_and_events_readably(c, span_app):  # noqa: F811
    r = c.post("/updateinstance", json=body([PERSON, PLACE, TRIGGER], [visit()], [travel()]))
    assert r.status_code == 200, r.json
    admin = c.application.test_client()
    admin.post("/admin/login", data={"key": "test-admin-key-123456"})
    page = admin.get("/admin/item/t1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "{&#39;" not in html and "&#39;id&#39;" not in html  # no Python reprs
    assert "PERSON “Barack Obama” [0:12]" in html
    assert "VISITED: PERSON “Barack Obama” → LOCATION “Paris”" in html
    assert "TRAVEL: TRIGGER “visited”; traveller: PERSON “Barack Obama”" in html


def test_relabelled_span_that_duplicates_another_keeps_its_links(c):
    """The page relabels a span in place (its id stays): when that makes it equal to another
    span, a link on it must still save (it was refused on every autosave)."""
    orgs = {"label": "LOCATION", "start": 0, "end": 12, "id": "entities_LOCATION_0_12"}
    relabelled = {**PERSON, "label": "LOCATION", "id": P_ID}
    link = {"link_type": "NEAR", "span_ids": [P_ID, L_ID]}
    r = c.post("/updateinstance", json=body([orgs, relabelled, PLACE], [link]))
    assert r.status_code == 200, r.json
    assert len(c.get("/api/links/t1").json["links"]) == 1
    ids = [s["id"] for s in c.get("/api/spans/t1").json["spans"]]
    assert ids == ["entities_LOCATION_0_12", P_ID, L_ID]
