"""Span annotation over HTTP: /updateinstance span_annotations, /get_annotations, the span
API (/api/spans, clear, colours, schemas) and refusals that write nothing."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ADMIN, base_config, login, with_csrf, write_config

TEXTS = {
    "t1": "Barack Obama visited Paris.",
    # an emoji (outside the BMP: 2 UTF-16 units), CJK, a combining mark, right-to-left text
    "t2": "😀 Ana met 東京 friends; cafe\u0301 שלום עולם end",
    "t3": "line one\r\nline two",
}


def ner(**extra):
    return {
        "annotation_type": "span",
        "name": "entities",
        "description": "Mark the entities",
        "labels": [{"name": "PERSON", "color": "#3b82f6"}, "LOCATION", "ORG"],
        **extra,
    }


@pytest.fixture
def span_app(tmp_path, open_app):
    def make(schemes=None, texts=TEXTS, **overrides):
        with (tmp_path / "data.jsonl").open("w", encoding="utf-8") as fh:
            for key, text in texts.items():
                fh.write(json.dumps({"id": key, "text": text}, ensure_ascii=False) + "\n")
        config = base_config(**overrides)
        config["annotation_schemes"] = schemes or [ner()]
        return open_app(write_config(tmp_path, config))

    return make


def client_for(app, name="ann1"):
    c = login(app.test_client(), name)
    assert c.get("/api/current_instance").json["instance_id"] == "t1"
    return c


def save(c, iid, spans, **extra):
    return c.post("/updateinstance", json={"instance_id": iid, "span_annotations": spans, **extra})


def go_to(c, iid):
    r = c.post("/go_to", json={"go_to": iid})
    assert r.status_code == 200, r.json


def test_spans_round_trip_in_potato_shapes(span_app):
    c = client_for(span_app())
    r = save(
        c,
        "t1",
        [
            {
                "schema": "entities",
                "name": "PERSON",
                "title": "PERSON",
                "start": 0,
                "end": 12,
                "value": "true",
            },
            {"schema": "entities", "name": "LOCATION", "start": 21, "end": 26},
        ],
    )
    assert r.status_code == 200, r.json
    assert r.json["instance_status"] == "completed"
    got = c.get("/get_annotations?instance_id=t1").json
    assert got["label_annotations"] == {}
    assert got["span_annotations"] == {
        "entities:PERSON:0:12": "true",
        "entities:LOCATION:21:26": "true",
    }
    spans = c.get("/api/spans/t1").json
    assert spans["text"] == TEXTS["t1"]
    assert [(s["label"], s["start"], s["end"], s["text"]) for s in spans["spans"]] == [
        ("PERSON", 0, 12, "Barack Obama"),
        ("LOCATION", 21, 26, "Paris"),
    ]
    first = spans["spans"][0]
    assert first["id"] == "entities_PERSON___0_12"  # Potato's frontend-format id
    assert first["schema"] == "entities" and first["title"] == "PERSON"
    assert first["color"] == "#3b82f6"
    assert spans["spans"][1]["color"].startswith("#")  # auto-assigned


def test_unicode_offsets_are_code_points(span_app):
    app = span_app()
    c = client_for(app)
    go_to(c, "t2")
    text = TEXTS["t2"]
    wanted = ["Ana", "東京", "cafe\u0301", "שלום עולם"]
    spans = [
        {"label": "PERSON", "start": text.index(w), "end": text.index(w) + len(w), "text": w}
        for w in wanted
    ]
    assert spans[0]["start"] == 2  # the emoji counts as one character
    r = save(c, "t2", spans)
    assert r.status_code == 200, r.json
    got = c.get("/api/spans/t2").json["spans"]
    assert [s["text"] for s in got] == wanted
    # A client counting UTF-16 units (emoji = 2) is caught by the text check.
    r = save(c, "t2", [{"label": "PERSON", "start": 3, "end": 6, "text": "Ana"}])
    assert r.status_code == 400
    assert "code points" in r.json["error"]
    assert [s["text"] for s in c.get("/api/spans/t2").json["spans"]] == wanted


def test_crlf_text_keeps_its_offsets(span_app):
    c = client_for(span_app())
    go_to(c, "t3")
    r = save(c, "t3", [{"label": "ORG", "start": 10, "end": 18}])
    assert r.status_code == 200, r.json
    assert c.get("/api/spans/t3").json["spans"][0]["text"] == "line two"


@pytest.mark.parametrize(
    ("span", "needle"),
    [
        ({"label": "PERSON", "start": 0, "end": 999}, "out of range"),
        ({"label": "PERSON", "start": -1, "end": 3}, "out of range"),
        ({"label": "PERSON", "start": 5, "end": 5}, "greater than start"),
        ({"label": "PERSON", "start": 6, "end": 2}, "greater than start"),
        ({"label": "PERSN", "start": 0, "end": 6}, "unknown label 'PERSN'"),
        ({"label": "PERSON", "start": "a", "end": 6}, "whole number"),
        ({"label": "PERSON", "start": True, "end": 6}, "whole number"),
        ({"start": 0, "end": 6}, "'label' is required"),
        ({"schema": "nope", "label": "PERSON", "start": 0, "end": 6}, "must name a span scheme"),
        ({"label": "PERSON", "segments": [[0, 6], [7, 12]]}, "allow_discontinuous"),
        ({"label": "PERSON", "start": 0, "end": 6, "id": "bad id!"}, "id"),
    ],
)
def test_bad_spans_are_refused_and_nothing_is_written(span_app, span, needle):
    c = client_for(span_app())
    assert save(c, "t1", [{"label": "ORG", "start": 21, "end": 26}]).status_code == 200
    r = save(c, "t1", [{"label": "PERSON", "start": 0, "end": 12}, span])
    assert r.status_code == 400, r.json
    assert needle in r.json["error"]
    assert c.get("/get_annotations?instance_id=t1").json["span_annotations"] == {
        "entities:ORG:21:26": "true"
    }


def test_bad_span_bodies(span_app):
    c = client_for(span_app())
    assert save(c, "t1", "PERSON").status_code == 400
    assert save(c, "t1", ["x"]).status_code == 400
    assert save(c, "t1", {"entities": "x"}).status_code == 400
    r = c.post(
        "/updateinstance", json={"instance_id": "t1", "annotations": {"entities:PERSON": "1"}}
    )
    assert r.status_code == 400 and "span_annotations" in r.json["error"]
    r = c.post("/updateinstance", json={"instance_id": "t1", "link_annotations": [{"x": 1}]})
    assert r.status_code == 400 and "no span_link schemes" in r.json["error"]


def test_replacing_removing_and_shapes(span_app):
    c = client_for(span_app())
    # mapping of schema -> full list
    assert (
        save(c, "t1", {"entities": [{"label": "PERSON", "start": 0, "end": 6}]}).status_code == 200
    )
    # /get_annotations shape round-trips
    r = save(c, "t1", {"entities:ORG:21:26": "true", "entities:PERSON:0:6": "true"})
    assert r.status_code == 200, r.json
    keys = c.get("/get_annotations?instance_id=t1").json["span_annotations"]
    assert keys == {"entities:PERSON:0:6": "true", "entities:ORG:21:26": "true"}
    # a false value removes; a duplicate is kept once
    r = save(
        c,
        "t1",
        [
            {"label": "ORG", "start": 21, "end": 26, "value": "false"},
            {"label": "PERSON", "start": 0, "end": 6},
            {"label": "PERSON", "start": 0, "end": 6},
        ],
    )
    assert r.status_code == 200
    assert c.get("/get_annotations?instance_id=t1").json["span_annotations"] == {
        "entities:PERSON:0:6": "true"
    }
    # backend format with type span
    r = c.post(
        "/updateinstance",
        json={
            "instance_id": "t1",
            "schema": "entities",
            "type": "span",
            "state": [{"name": "LOCATION", "start": 21, "end": 26, "value": "true"}],
        },
    )
    assert r.status_code == 200, r.json
    # it adds the span, as Potato does (tests/web/test_potato_wire.py)
    assert set(c.get("/get_annotations?instance_id=t1").json["span_annotations"]) == {
        "entities:PERSON:0:6",
        "entities:LOCATION:21:26",
    }
    # an empty list clears the scheme; the item is no longer answered
    r = save(c, "t1", {"entities": []}, draft=True)
    assert r.status_code == 200 and r.json["instance_status"] == "in_progress"
    assert c.get("/api/spans/t1").json["spans"] == []


def test_overlapping_nested_and_discontinuous(span_app):
    c = client_for(span_app(schemes=[ner(allow_discontinuous=True)]))
    spans = [
        {"label": "ORG", "start": 0, "end": 26},
        {"label": "PERSON", "start": 0, "end": 12},
        {"label": "PERSON", "start": 7, "end": 20},
        {"label": "LOCATION", "segments": [[0, 6], [21, 26]]},
    ]
    r = save(c, "t1", spans)
    assert r.status_code == 200, r.json
    got = c.get("/api/spans/t1").json["spans"]
    assert len(got) == 4
    disc = next(s for s in got if "segments" in s)
    assert disc["segments"] == [[0, 6], [21, 26]]
    assert disc["text"] == "Barack … Paris"
    r = save(c, "t1", [{"label": "ORG", "segments": [[0, 6], [3, 9]]}])
    assert r.status_code == 400 and "overlap" in r.json["error"]


def test_clear_spans_post_and_delete(span_app):
    c = client_for(span_app())
    save(
        c,
        "t1",
        [{"label": "ORG", "start": 21, "end": 26}, {"label": "PERSON", "start": 0, "end": 6}],
    )
    assert c.post("/api/spans/t1/clear").status_code == 400  # a bare POST needs the token
    with_csrf(c)
    r = c.post("/api/spans/t1/clear")
    assert r.status_code == 200 and r.json == {"status": "success", "cleared_count": 2}
    assert c.get("/api/spans/t1").json["spans"] == []
    r = c.delete("/api/spans/t1/clear")
    assert r.json["cleared_count"] == 0
    assert c.post("/api/spans/t1/clear?schema=nope").status_code == 400
    assert c.post("/api/spans/missing/clear").status_code == 404
    assert c.post("/api/spans/t3/clear").status_code == 403  # not assigned yet
    assert c.get("/api/spans/t1/clear").status_code in (403, 404)


def test_span_api_needs_a_session(span_app):
    c = span_app().test_client()
    for r in (
        c.get("/api/spans/t1"),
        c.post("/api/spans/t1/clear"),
        c.delete("/api/spans/t1/clear"),
    ):
        assert r.status_code == 401


def test_schemas_and_colors(span_app):
    app = span_app(
        schemes=[
            ner(),
            {
                "annotation_type": "radio",
                "name": "ok",
                "description": "OK?",
                "labels": ["yes", "no"],
            },
        ],
        ui={
            "spans": {"span_colors": {"entities": {"ORG": "(255, 128, 0)"}}},
            "label_colors": {"ok": {"yes": "#00aa00"}},
        },
    )
    c = app.test_client()
    schemas = c.get("/api/schemas").json
    assert schemas["entities"]["type"] == "span"
    assert schemas["entities"]["labels"] == ["PERSON", "LOCATION", "ORG"]
    assert schemas["entities"]["keys"] == {"1": "PERSON", "2": "LOCATION", "3": "ORG"}
    colors = c.get("/api/colors").json
    assert colors["entities"]["PERSON"] == "#3b82f6"
    assert colors["entities"]["ORG"] == "rgb(255, 128, 0)"
    assert colors["entities"]["LOCATION"].startswith("#")
    assert colors["ok"]["yes"] == "#00aa00" and set(colors["ok"]) == set(schemas["ok"]["labels"])


def test_required_span_scheme(span_app):
    c = client_for(span_app(schemes=[ner(label_requirement={"required": True})]))
    r = save(c, "t1", {"entities": []})
    assert r.status_code == 400 and "at least one span" in r.json["error"]
    assert save(c, "t1", [{"label": "ORG", "start": 21, "end": 26}]).status_code == 200


def test_admin_export_has_spans(span_app):
    c = client_for(span_app())
    save(c, "t1", [{"label": "PERSON", "start": 0, "end": 12}])
    rows = c.post("/admin/api/export", json={"format": "jsonl"}, headers=ADMIN).get_data(
        as_text=True
    )
    record = json.loads(rows.splitlines()[0])
    assert record["label_annotations"] == {}
    assert record["span_annotations"][0]["label"] == "PERSON"
    assert record["answers"]["entities"][0]["text"] == "Barack Obama"


def test_span_agreement_in_the_admin_api(span_app):
    app = span_app()
    for name, end in (("ann1", 12), ("ann2", 6)):
        c = client_for(app, name)
        span = {"schema": "entities", "label": "PERSON", "start": 0, "end": end}
        assert save(c, "t1", [span]).status_code == 200
        c.post("/go_to", json={"action": "next_instance"})
        for iid in ("t2", "t3"):
            go_to(c, iid)
            save(c, iid, [{"schema": "entities", "label": "ORG", "start": 0, "end": 1}])
    report = c.get("/admin/api/agreement", headers=ADMIN).json
    entry = report["by_schema"]["entities"]
    assert entry["metric_type"] == "unitizing"
    assert entry["items_evaluated"] == 3 and entry["total_annotations"] == 6
    assert 0 < entry["krippendorff_alpha"] < 1
    assert entry["pairwise_f1"] == pytest.approx(2 / 3, abs=1e-4)  # t1 differs, t2 and t3 match
    assert report["overall"]["schemas_evaluated"] == 1
    admin = app.test_client()
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"], "next": "/admin"})
    page = admin.get("/admin/agreement/")
    assert page.status_code == 200 and b"span F1 0.667" in page.data
