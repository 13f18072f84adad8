"""spatial_annotation: 3D boxes, points, polylines and segments in metres, validated on save
(4xx naming the problem, nothing written); point clouds served from KITTI .bin, PCD, PLY and
.npy files made in the test; the dashboard summary and the export column."""

from __future__ import annotations

import json

import numpy as np
import pytest

from potato_like.errors import ConfigError
from tests.conftest import ADMIN, REPO, login

EXAMPLE = REPO / "example_projects" / "point_clouds"


def cuboid(label="car", center=(12, 2, -0.9), size=(4.2, 1.8, 1.5), rotation=(0, 0, 0, 1)):
    return {"type": "cuboid_3d", "label": label, "color": "#FF6B6B",
            "coordinates": {"center": list(center), "size": list(size), "rotation": list(rotation)}}  # fmt: skip


@pytest.fixture
def app(example_project):
    return example_project(EXAMPLE)


@pytest.fixture
def client(app):
    c = login(app.test_client(), "ann1")
    c.environ_base["HTTP_ACCEPT"] = "application/json"
    assert c.get("/api/current_instance").json["instance_id"] == "scene_0001"
    return c


def save(client, objects, raw=None):
    data = raw if raw is not None else json.dumps(objects)
    return client.post("/updateinstance", json={"instance_id": "scene_0001", "draft": True,
                                                "annotations": {"objects:_data": data}})  # fmt: skip


def stored(client):
    maps = client.get("/get_annotations?instance_id=scene_0001").json["label_annotations"]
    return json.loads(maps["objects"]["_data"]) if "objects" in maps else []


def test_objects_are_stored_in_metres_with_a_unit_quaternion(client):
    objects = [
        cuboid(rotation=(0, 0, 2, 2)),
        {"type": "point_3d", "label": "pedestrian", "coordinates": [5, -1, -1.7]},
        {"type": "polyline_3d", "label": "truck", "coordinates": [[0, 0, 0], [1, 1, 0]]},
    ]
    r = save(client, objects)
    assert r.status_code == 200, r.json
    box, point, line = stored(client)
    assert box["coordinates"]["center"] == [12.0, 2.0, -0.9]
    assert box["coordinates"]["rotation"] == pytest.approx([0, 0, 0.707107, 0.707107])
    assert point == {"type": "point_3d", "label": "pedestrian", "color": "#FFD93D",
                     "coordinates": [5.0, -1.0, -1.7]}  # fmt: skip
    assert line["coordinates"][1] == [1.0, 1.0, 0.0]


@pytest.mark.parametrize(
    ("objects", "message"),
    [
        ([cuboid(label="bus")], "unknown label 'bus'"),
        ([cuboid(size=(4, 0, 1))], "must be positive"),
        ([cuboid(center=(1, 2))], "expected 3 numbers"),
        ([cuboid(rotation=(0, 0, 0, 0))], "all zeros"),
        ([cuboid(center=(1e6, 0, 0))], "from the sensor"),
        ([{"type": "segment_3d", "label": "car", "indices": [1, -2]}], "whole numbers"),
        ([{"type": "segment_3d", "label": "car", "indices": [1.5]}], "whole numbers"),
        ([{"type": "segment_3d", "label": "car", "indices": []}], "non-empty list"),
        ([{"type": "segment_3d", "label": "bus", "indices": [3]}], "unknown label 'bus'"),
        ([{"type": "mesh", "label": "car"}], "is not one of"),
        ([{"type": "polyline_3d", "label": "car", "coordinates": [[0, 0, 0]]}], "at least 2"),
        ([{"type": "point_3d", "label": "car", "coordinates": [0, "x", 0]}], "finite numbers"),
        ({"not": "a list"}, "list of 3D objects"),
    ],
)
def test_bad_objects_are_refused_and_nothing_saved(client, objects, message):
    r = save(client, objects)
    assert r.status_code == 400 and message in r.json["error"], r.json
    assert stored(client) == []


def test_nan_and_broken_json_are_refused(client):
    assert (
        save(
            client, None, raw='[{"type": "point_3d", "label": "car", "coordinates": [NaN, 0, 0]}]'
        ).status_code
        == 400
    )
    assert save(client, None, raw="[{").status_code == 400


def test_config_problems_are_listed(tmp_path, example_project):
    def edit(config):
        config["annotation_schemes"][0]["tools"] = ["cuboid_3d", "voxel"]
        config["annotation_schemes"][0]["color_mode"] = "rainbow"

    with pytest.raises(ConfigError) as err:
        example_project(EXAMPLE, edit=edit)
    text = str(err.value)
    assert "tools[1]" in text and "'voxel'" in text and "color_mode" in text


def test_page_names_the_cloud_and_the_keys(client):
    page = client.get("/annotate").get_data(as_text=True)
    config = json.loads(
        page.split('data-type="spatial_annotation"')[1].split("data-config='")[1].split("'")[0]
    )
    assert config["cloud"] == "media/clouds/scene_0001.bin"
    assert config["toolKeys"] == {
        "cuboid_3d": "c", "point_3d": "k", "polyline_3d": "n", "segment_3d": "g"
    }  # fmt: skip
    assert config["segment3d"] is True


def test_segments_keep_sorted_unique_indices(client):
    segment = {"type": "segment_3d", "label": "truck", "indices": [40, 8, 40, 0]}
    assert save(client, [segment]).status_code == 200
    (kept,) = stored(client)
    assert kept == {
        "type": "segment_3d",
        "label": "truck",
        "color": "#4ECDC4",
        "indices": [0, 8, 40],
    }


def test_segments_are_refused_when_the_tools_do_not_make_them(example_project):
    def edit(config):
        config["annotation_schemes"][0]["tools"] = ["cuboid_3d"]

    c = login(example_project(EXAMPLE, edit=edit).test_client(), "ann2")
    c.get("/api/current_instance")
    r = save(c, [{"type": "segment_3d", "label": "car", "indices": [1, 2]}])
    assert r.status_code == 400 and "do not make segment_3d" in r.json["error"]
    page = c.get("/annotate").get_data(as_text=True)
    assert 'data-testid="sp3-lasso"' not in page and 'data-testid="sp3-objects"' in page


def test_the_3d_view_loads_the_vendored_three_module(client):
    page = client.get("/annotate").get_data(as_text=True)
    url = page.split('data-three="')[1].split('"')[0]
    assert "vendor/three/three.module.min.js" in url and 'data-testid="sp3-lasso"' in page
    r = client.get(url)
    assert r.status_code == 200 and b'const t="170"' in r.data[:400]


def test_kitti_bin_cloud_is_served_decimated_with_its_stride(client):
    full = client.get("/media/pointcloud/media/clouds/scene_0001.bin").json
    assert full["count"] == 3300 and full["stride"] == 1 and len(full["points"]) == 3 * 3300
    part = client.get("/media/pointcloud/clouds/scene_0001.bin?max_points=1000").json
    assert part["stride"] == 4 and part["served"] == 825
    assert part["points"][3:6] == full["points"][12:15]  # served point 1 is file point 4
    assert full["bounds"]["min"][2] < -1.6


def test_pcd_ply_and_npy_clouds(client, app):
    root = app.extensions["potato_like"].config.config_path.parent / "media" / "clouds"
    (root / "a.pcd").write_text("VERSION .7\nFIELDS x y z intensity\nSIZE 4 4 4 4\nTYPE F F F F\n"
                                "COUNT 1 1 1 1\nWIDTH 2\nHEIGHT 1\nPOINTS 2\nDATA ascii\n1 2 3 0.5\n4 5 6 0.1\n")  # fmt: skip
    header = (
        b"VERSION .7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nPOINTS 2\nDATA binary\n"
    )
    (root / "b.pcd").write_bytes(header + np.array([[1, 2, 3], [7, 8, 9]], "<f4").tobytes())
    (root / "c.ply").write_text("ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\n"
                                "property float y\nproperty float z\nend_header\n0 0 0\n1 1 1\n")  # fmt: skip
    np.save(root / "d.npy", np.array([[1, 1, 1], [2, 2, 2], [3, 3, 3]], np.float32))
    assert client.get("/media/pointcloud/clouds/a.pcd").json["intensity"] == [0.5, 0.1]
    assert client.get("/media/pointcloud/clouds/b.pcd").json["points"] == [1, 2, 3, 7, 8, 9]
    assert client.get("/media/pointcloud/clouds/c.ply").json["count"] == 2
    assert client.get("/media/pointcloud/clouds/d.npy").json["bounds"]["max"] == [3, 3, 3]


@pytest.mark.parametrize(
    ("name", "content", "status"),
    [
        ("odd.bin", b"\0" * 17, 422),
        ("empty.bin", b"", 422),
        ("bad.pcd", b"VERSION .7\nFIELDS a b\nDATA ascii\n1 2\n", 422),
        ("bad.ply", b"ply\nformat binary_little_endian 1.0\nend_header\n", 422),
        ("bad.npy", b"nope", 422),
    ],
)
def test_corrupt_clouds_are_422(client, app, name, content, status):
    root = app.extensions["potato_like"].config.config_path.parent / "media" / "clouds"
    (root / name).write_bytes(content)
    r = client.get(f"/media/pointcloud/clouds/{name}")
    assert r.status_code == status and r.json["error"]


@pytest.mark.parametrize(
    "url",
    ["/media/pointcloud/../config.yaml", "/media/pointcloud/items.jsonl",
     "/media/pointcloud/clouds/../../config.yaml", "/media/pointcloud/clouds/none.bin",
     "/media/pointcloud/media/rgb/scene_0001.png"],
)  # fmt: skip
def test_cloud_paths_outside_or_of_other_kinds_are_404(client, url):
    assert client.get(url).status_code == 404


def test_dashboard_summary_and_export_column(client):
    r = client.post("/updateinstance", json={"instance_id": "scene_0001",
                                            "annotations": {"objects:_data": json.dumps([cuboid(), cuboid("truck", size=(8, 2.5, 3))])}})  # fmt: skip
    assert r.status_code == 200, r.json
    q = client.get("/admin/api/questions", headers=ADMIN).json
    (entry,) = [x for x in q["questions"] if x.get("name", x.get("schema")) == "objects"]
    assert entry["summary"]["objects_by_label"] == {"car": 1, "truck": 1}
    assert entry["summary"]["mean_box_length_m"] == {"car": 4.2, "truck": 8.0}
    del client.environ_base["HTTP_ACCEPT"]
    csv_text = client.post("/admin/api/export", json={"format": "csv"}, headers=ADMIN).get_data(
        as_text=True
    )
    assert "answer:objects" in csv_text.splitlines()[0] and "cuboid_3d" in csv_text
