"""geo_annotation: GeoJSON FeatureCollections in Potato's one hidden input; bad geometry
(types, ranges, unclosed rings, too many vertices, unknown labels) is refused with nothing
written; tiles only from the configured server (and its origin in the CSP); export, GeoJSON
exporter and dashboard summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ADMIN, base_config, current_id, login, write_config

EXAMPLE = Path(__file__).resolve().parents[2] / "example_projects" / "geo_maps"
SQUARE = [[[8.5, 47.35], [8.58, 47.35], [8.58, 47.4], [8.5, 47.4], [8.5, 47.35]]]


def feature(geometry, label="place", **props):
    return {"type": "Feature", "geometry": geometry, "properties": {"label": label, **props}}


def fc(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def send(client, iid, value, schema="landmarks"):
    raw = value if isinstance(value, str) else json.dumps(value)
    return client.post(
        "/updateinstance", json={"instance_id": iid, "annotations": {f"{schema}:{schema}": raw}}
    )


def stored(client, iid):
    return client.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]


@pytest.fixture
def app(example_project):
    return example_project(EXAMPLE, require_password=False)


def test_page_has_the_map_its_data_and_no_tiles_notice(app):
    ann = login(app.test_client(), "ann")
    response = ann.get("/annotate")
    page = response.data.decode()
    assert "js/geo-annotation.js" in page and "vendor/leaflet/leaflet-src.esm.js?v=" in page
    assert "No map tiles are configured" in page
    config = json.loads(page.split('data-role="geo-config">')[1].split("</script>")[0])
    # the item's `area` polygon and the basemap file's lake are both drawn under the answers
    assert len(config["overlay"]["features"]) == 2 and config["tiles"] == ""
    assert "img-src 'self' data: https:;" in response.headers["Content-Security-Policy"]


def test_points_lines_and_polygons_are_stored_canonically_and_shown_after_reload(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    value = fc(
        feature({"type": "Point", "coordinates": [8.541234567891, 47.3769]}, text="Station"),
        feature({"type": "LineString", "coordinates": [[8.5, 47.36], [8.55, 47.37]]}, "road"),
        feature({"type": "Polygon", "coordinates": SQUARE}, "park"),
    )
    r = send(ann, iid, value)
    assert r.status_code == 200, r.json
    got = json.loads(stored(ann, iid)["landmarks"]["landmarks"])
    assert [f["id"] for f in got["features"]] == ["f1", "f2", "f3"]
    assert got["features"][0]["geometry"]["coordinates"] == [8.5412346, 47.3769]
    assert got["features"][0]["properties"] == {"label": "place", "text": "Station"}
    page = ann.get("/annotate").data.decode()
    assert "8.5412346" in page  # the hidden input holds the answer again


BAD_ANSWERS = [
    ("not json", "not valid JSON"),
    ({"type": "Feature"}, "must be a GeoJSON FeatureCollection"),
    (fc(feature({"type": "Point", "coordinates": [47.3, 181.0]})), "outside longitude"),
    (fc(feature({"type": "Point", "coordinates": [8.5, "47"]})), "is not a number"),
    (fc(feature({"type": "Point", "coordinates": [8.5, 47]}, "river")), "'river' is not one of"),
    (fc(feature({"type": "MultiPoint", "coordinates": [[1, 2]]})), "'MultiPoint' is not one"),
    (
        fc(feature({"type": "Polygon", "coordinates": [SQUARE[0][:-1]]}, "park")),
        "the ring is not closed",
    ),
    (
        fc(feature({"type": "Polygon", "coordinates": [[[1, 1], [2, 2], [3, 3], [1, 1]]]})),
        "encloses no area",
    ),
    (fc(feature({"type": "LineString", "coordinates": [[1, 1], [1, 1]]})), "two distinct"),
    (
        fc(feature({"type": "LineString", "coordinates": [[i / 1000, 1] for i in range(5001)]})),
        "more than the 5000 allowed",
    ),
    (
        fc(feature({"type": "Point", "coordinates": [1, 1]}, colour="red")),
        "unknown key 'colour'",
    ),
]


def test_bad_geojson_is_refused_naming_the_problem_and_nothing_is_written(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    for value, problem in BAD_ANSWERS:
        r = send(ann, iid, value)
        assert r.status_code == 400 and problem in r.json["error"], (problem, r.json)
    assert stored(ann, iid) == {}


def test_a_pin_task_takes_one_point_per_label(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    pin = {"type": "Point", "coordinates": [13.4, 52.5]}
    r = send(ann, iid, fc(feature(pin, "born"), feature(pin, "born")), "origin")
    assert r.status_code == 400 and "pinned twice" in r.json["error"]
    line = {"type": "LineString", "coordinates": [[1, 1], [2, 2]]}
    r = send(ann, iid, fc(feature(line, "born")), "origin")
    assert r.status_code == 400 and "'LineString' is not one of Point" in r.json["error"]
    assert (
        send(ann, iid, fc(feature(pin, "born"), feature(pin, "lives")), "origin").status_code == 200
    )


def test_max_features_is_enforced(example_project):
    def edit(config):
        config["annotation_schemes"][0]["max_features"] = 1

    ann = login(example_project(EXAMPLE, edit=edit, require_password=False).test_client(), "ann")
    point = feature({"type": "Point", "coordinates": [1, 1]})
    r = send(ann, current_id(ann), fc(point, point))
    assert r.status_code == 400 and "more than the 1 allowed" in r.json["error"]


def test_configured_tiles_reach_the_page_and_only_their_host_joins_the_csp(example_project):
    def edit(config):
        config["annotation_schemes"][0]["basemap"] = {
            "tiles": "http://tiles.internal.example:8080/{z}/{x}/{y}.png",
            "attribution": "© Example tiles",
        }

    ann = login(example_project(EXAMPLE, edit=edit, require_password=False).test_client(), "ann")
    response = ann.get("/annotate")
    csp = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https: http://tiles.internal.example:8080;" in csp
    assert "connect-src 'self';" in csp
    assert response.text.count("No map tiles are configured") == 1  # the pin map has none


@pytest.mark.parametrize(
    ("basemap", "problem"),
    [
        ({"tiles": "https://t.example/tiles.png", "attribution": "x"}, "must contain {z}"),
        ({"tiles": "https://t.example/{z}/{x}/{y}.png"}, "attribution: is required"),
        ({"tiles": "ftp://t.example/{z}/{x}/{y}.png", "attribution": "x"}, "http(s) URL"),
        ({"geojson": "../outside.geojson"}, "inside the project directory"),
        ({"geojson": "missing.geojson"}, "cannot read"),
    ],
)
def test_bad_basemaps_are_config_errors(tmp_path, basemap, problem):
    from potato_like import create_app
    from potato_like.errors import ConfigError

    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "x"}\n')
    scheme = {"annotation_type": "geo_annotation", "name": "m", "labels": ["a"], "basemap": basemap}
    path = write_config(tmp_path, base_config(annotation_schemes=[scheme]))
    with pytest.raises(ConfigError) as info:
        create_app(path)
    assert problem in str(info.value)


def test_export_geojson_exporter_and_dashboard(app):
    for name, pts in (("ann", [[8.5, 47.36]]), ("bob", [[8.52, 47.37], [8.53, 47.38]])):
        client = login(app.test_client(), name)
        value = fc(*(feature({"type": "Point", "coordinates": p}) for p in pts))
        assert send(client, current_id(client), value).status_code == 200
    admin = app.test_client()
    table = admin.post("/admin/api/export", json={"format": "csv"}, headers=ADMIN).data.decode()
    assert "landmarks:::landmarks" in table.splitlines()[0]
    r = admin.post("/admin/api/export", json={"format": "geojson"}, headers=ADMIN)
    assert r.status_code == 200, r.data[:300]
    out = json.loads(r.data)
    assert out["type"] == "FeatureCollection" and len(out["features"]) == 3
    props = out["features"][0]["properties"]
    assert {props["annotator"], props["item_id"], props["schema"]} == {"ann", "m1", "landmarks"}
    summary = admin.get("/admin/api/questions", headers=ADMIN)
    assert summary.status_code == 200
    entry = next(q for q in summary.json["questions"] if q["name"] == "landmarks")
    assert entry["summary"]["features_by_label"] == {"place": 3}
    assert entry["summary"]["bounding_box"] == [8.5, 47.36, 8.53, 47.38]
