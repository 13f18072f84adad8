"""geo_annotation task: classify_region (a choropleth): the page gets the outline's regions
(ids from region_id_property), answers are one geometry-null feature per labelled region,
unknown/duplicate regions and drawn geometry are refused with nothing written,
require_all_regions holds the item open, the GeoJSON export carries each region's outline,
and the dashboard counts labels per region."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ADMIN, base_config, current_id, login, write_config

EXAMPLE = Path(__file__).resolve().parents[2] / "example_projects" / "geo_regions"


def region(rid, label, name=""):
    return {"type": "Feature", "geometry": None,
            "properties": {"region": rid, "region_name": name, "label": label}}  # fmt: skip


def fc(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def send(client, iid, value, draft=True):
    raw = value if isinstance(value, str) else json.dumps(value)
    body = {"instance_id": iid, "annotations": {"districts:districts": raw}, "draft": draft}
    return client.post("/updateinstance", json=body)


def stored(client, iid):
    return client.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]


@pytest.fixture
def app(example_project):
    return example_project(EXAMPLE, require_password=False)


def page_config(client):
    page = client.get("/annotate").data.decode()
    return page, json.loads(page.split('data-role="geo-config">')[1].split("</script>")[0])


def test_page_lists_the_regions_of_the_outline(app):
    page, config = page_config(login(app.test_client(), "ann"))
    assert config["task"] == "classify_region" and config["overlay"] is None
    assert [(r["id"], r["name"]) for r in config["regions"]] == [
        ("D1", "Old Town"), ("D2", "Harbour"), ("D3", "Hillside")]  # fmt: skip
    assert config["regions"][0]["geometry"]["type"] == "Polygon"
    assert 'data-role="regions"' in page and "Map of regions" in page


def test_labels_per_region_are_stored_and_shown_after_reload(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, fc(region("D1", "safe", "Old Town"), region("D3", "unsafe")))
    assert r.status_code == 200, r.json
    saved = json.loads(stored(ann, iid)["districts"]["districts"])
    assert [f["properties"] for f in saved["features"]] == [
        {"region": "D1", "region_name": "Old Town", "label": "safe"},
        {"region": "D3", "region_name": "", "label": "unsafe"},
    ]
    assert all(f["geometry"] is None for f in saved["features"])
    page = ann.get("/annotate").data.decode()
    assert "&#34;region&#34;: &#34;D3&#34;" in page or '"region": "D3"' in page


@pytest.mark.parametrize(
    "value, problem",
    [
        (fc(region("D9", "safe")), "'D9' is not a region of this map"),
        (fc(region("D1", "safe"), region("D1", "unsafe")), "labelled twice"),
        (fc(region("D1", "great")), "'great' is not one of safe, unsure, unsafe"),
        (fc({**region("D1", "safe"), "geometry": {"type": "Point", "coordinates": [8, 47]}}),
         "geometry null"),
        (fc({"type": "Feature", "geometry": None, "properties": {"label": "safe"}}),
         "must name a region"),
        (fc({"type": "Feature", "geometry": None,
             "properties": {"region": "D1", "label": "safe", "colour": "red"}}), "'colour'"),
    ],
)  # fmt: skip
def test_bad_region_answers_are_refused_and_nothing_is_written(app, value, problem):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, value)
    assert r.status_code == 400 and problem in r.json["error"], r.json
    assert stored(ann, iid) == {}


def test_require_all_regions_keeps_the_item_open_until_every_region_has_a_label(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, fc(region("D1", "safe")), draft=False)
    assert r.status_code == 400
    assert "label every region (2 left: Harbour, Hillside)" in r.json["error"]
    assert send(ann, iid, fc(region("D1", "safe"))).status_code == 200  # a draft is kept
    full = fc(region("D1", "safe"), region("D2", "unsure"), region("D3", "unsafe"))
    assert send(ann, iid, full, draft=False).status_code == 200


def test_geojson_export_puts_the_outline_back_and_the_dashboard_counts_per_region(app):
    for user, value in (("a", fc(region("D1", "safe"), region("D2", "unsafe"))),
                        ("b", fc(region("D1", "unsafe")))):  # fmt: skip
        client = login(app.test_client(), user)
        assert send(client, current_id(client), value).status_code == 200
    admin = app.test_client()
    r = admin.post("/admin/api/export", json={"format": "geojson"}, headers=ADMIN)
    doc = json.loads(r.data)
    d1 = [f for f in doc["features"] if f["properties"]["region"] == "D1"]
    assert len(d1) == 2 and d1[0]["geometry"]["type"] == "Polygon"
    assert d1[0]["properties"]["region_name"] == "Old Town"  # from the outline
    assert d1[0]["geometry"]["coordinates"][0][0] == [8.45, 47.35]
    questions = admin.get("/admin/api/questions?fresh=1", headers=ADMIN).json["questions"]
    summary = next(q for q in questions if q["name"] == "districts")["summary"]
    assert summary["labels_by_region"] == {"D1": {"safe": 1, "unsafe": 1}, "D2": {"unsafe": 1}}
    assert summary["regions_by_label"] == {"safe": 1, "unsafe": 2}


def test_classify_region_needs_an_outline_and_takes_no_drawing_options(tmp_path):
    from potato_like import create_app
    from potato_like.errors import ConfigError

    scheme = {"annotation_type": "geo_annotation", "name": "m", "task": "classify_region",
              "labels": ["a"], "feature_text": True, "tools": ["point"]}  # fmt: skip
    config = base_config(annotation_schemes=[scheme])
    with pytest.raises(ConfigError) as err:
        create_app(write_config(tmp_path, config))
    text = str(err.value)
    assert "classify_region needs region outlines" in text
    assert "feature_text: does not apply to task: classify_region" in text
    assert "tools: applies to task: draw only" in text


def test_per_item_outlines_from_basemap_field_are_regions_too(tmp_path, open_app):
    outline = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "north", "properties": {"name": "North"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 1], [1, 1], [1, 2], [0, 1]]]}},
        {"type": "Feature", "properties": {},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}  # fmt: skip
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "x", "text": "t", "map": outline}))
    scheme = {"annotation_type": "geo_annotation", "name": "districts",
              "task": "classify_region", "labels": ["a", "b"], "basemap_field": "map"}  # fmt: skip
    app = open_app(write_config(tmp_path, base_config(annotation_schemes=[scheme])))
    ann = login(app.test_client(), "ann")
    _page, config = page_config(ann)
    assert [r["id"] for r in config["regions"]] == ["north", "r1"]  # feature id, then r<index>
    iid = current_id(ann)
    assert send(ann, iid, fc(region("r1", "b"))).status_code == 200
    assert send(ann, iid, fc(region("south", "b"))).status_code == 400
