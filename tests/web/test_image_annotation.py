"""image_annotation over HTTP: Potato's wire format in, normalised + pixel values stored,
every bad input refused with a 4xx naming the problem and nothing written."""

from __future__ import annotations

import csv
import io
import json

import pytest

from potato_like.media.shapes import rle_decode, rle_encode
from tests.conftest import ADMIN, login
from tests.web.image_util import IMAGE_H, IMAGE_W, bbox, image_project, image_scheme, polygon


@pytest.fixture
def app(tmp_path, open_app):
    return open_app(image_project(tmp_path))


def start(client):
    assert client.get("/api/current_instance").json["instance_id"] == "a"
    return client


@pytest.fixture
def client(app):
    return start(login(app.test_client(), "ann1"))


def save(client, shapes, instance="a", draft=True, **extra):
    body = {"instance_id": instance, "draft": draft,
            "image_annotations": {"objects": shapes}, **extra}  # fmt: skip
    return client.post("/updateinstance", json=body)


def page_value(client):
    page = client.get("/annotate").get_data(as_text=True)
    return json.loads(page.split("data-ia-value>")[1].split("</script>")[0])


def test_bbox_and_polygon_are_stored_normalised_and_in_pixels(client):
    response = save(client, [bbox(), polygon()])
    assert response.status_code == 200, response.json
    value = client.get("/api/current_instance").json
    assert value["instance_id"] == "a"
    page = client.get("/annotate").get_data(as_text=True)
    data = json.loads(page.split("data-ia-value>")[1].split("</script>")[0])
    assert data["image"] == {"width": IMAGE_W, "height": IMAGE_H, "verified": True}
    box, poly = data["shapes"]
    assert box["coordinates"] == {"x": 0.25, "y": 0.2, "width": 0.5, "height": 0.4}
    assert box["pixels"] == {"x": 100.0, "y": 60.0, "width": 200.0, "height": 120.0}
    assert poly["pixels"][1] == {"x": 200.0, "y": 30.0}
    assert poly["color"] == "#00FF00"  # the label's colour when none is sent
    assert box["id"] and poly["id"] and box["id"] != poly["id"]


def test_potato_page_format_data_field_is_accepted(client):
    body = {"instance_id": "a", "draft": True,
            "annotations": {"objects:_data": json.dumps([bbox()])}}  # fmt: skip
    response = client.post("/updateinstance", json=body)
    assert response.status_code == 200, response.json
    assert page_value(client)["shapes"][0]["pixels"]["x"] == 100.0


def test_backend_format_is_accepted(client):
    body = {"instance_id": "a", "schema": "objects", "type": "image_annotation",
            "state": [bbox()]}  # fmt: skip
    response = client.post("/updateinstance", json=body)
    assert response.status_code == 200, response.json


def test_every_shape_type_round_trips(client):
    shapes = [
        bbox(),
        polygon(),
        {"type": "polyline", "label": "cat", "coordinates": [[0.1, 0.1], [0.9, 0.9]]},
        {"type": "ellipse", "label": "cat",
         "coordinates": {"cx": 0.5, "cy": 0.5, "rx": 0.1, "ry": 0.2, "angle": 30}},
        {"type": "landmark", "label": "dog", "coordinates": {"x": 0.5, "y": 0.25}},
        {"type": "keypoint_set", "label": "dog", "skeleton": "body",
         "coordinates": [{"x": 0.1, "y": 0.2, "v": 2}, {"x": 0.3, "y": 0.4, "v": 1}]},
    ]  # fmt: skip
    assert save(client, shapes).status_code == 200
    page = client.get("/annotate").get_data(as_text=True)
    data = json.loads(page.split("data-ia-value>")[1].split("</script>")[0])
    kinds = [s["type"] for s in data["shapes"]]
    assert kinds == ["bbox", "polygon", "polyline", "ellipse", "landmark", "keypoint_set"]
    assert data["shapes"][3]["pixels"] == {"cx": 200.0, "cy": 150.0, "rx": 40.0, "ry": 60.0,
                                           "angle": 30.0}  # fmt: skip
    assert data["shapes"][4]["pixels"] == {"x": 200.0, "y": 75.0}
    assert data["shapes"][5]["pixels"][0] == {"x": 40.0, "y": 60.0, "v": 2}


def _mask(h=IMAGE_H, w=IMAGE_W):
    import numpy as np

    bits = np.zeros((h, w), np.uint8)
    bits[10:20, 30:50] = 1
    return {"type": "mask", "label": "cat", "rle": rle_encode(bits)}


def test_mask_rle_is_checked_against_the_image_size(client):
    assert save(client, [_mask()]).status_code == 200
    page = client.get("/annotate").get_data(as_text=True)
    data = json.loads(page.split("data-ia-value>")[1].split("</script>")[0])
    mask = data["shapes"][0]
    assert mask["area"] == 200
    assert rle_decode(mask["rle"])[15, 40] == 1
    wrong = save(client, [_mask(100, 100)])
    assert wrong.status_code == 400
    assert "does not match the image" in wrong.json["error"]


BAD = [
    ({"type": "bbox", "label": "horse", "coordinates": bbox()["coordinates"]}, "unknown label"),
    (bbox(x=1.2), "outside the image"),
    (bbox(x=-0.1), "outside the image"),
    (bbox(x=0.8, w=0.5), "right edge is outside"),
    (bbox(w=0), "positive width"),
    ({"type": "bbox", "label": "cat", "coordinates": {"x": "a", "y": 0, "width": 1, "height": 1}},
     "x must be a number"),
    (polygon(points=((0.1, 0.1), (0.2, 0.2))), "at least 3 points"),
    ({"type": "polyline", "label": "cat", "coordinates": [[0.1, 0.1]]}, "at least 2 points"),
    ({"type": "star", "label": "cat", "coordinates": {}}, "unknown shape type"),
    ({"type": "cuboid_2d", "label": "cat", "coordinates": {}}, "unknown shape type"),
    ({"type": "ellipse", "label": "cat", "coordinates": {"cx": 0.5, "cy": 0.5, "rx": 0, "ry": 1}},
     "positive radii"),
    ({"type": "landmark", "label": "cat", "coordinates": {"x": 0.5}}, "y must be a number"),
    ({"type": "mask", "label": "cat", "rle": {"counts": [5, 5], "size": [300, 400]}},
     "add up to 10 pixels"),
    ({"type": "mask", "label": "cat", "rle": {"counts": [120000], "size": [300, 400]}},
     "the mask is empty"),
    ({"type": "mask", "label": "cat", "rle": {"counts": "abc", "size": [300, 400]}},
     "run lengths"),
    ({"type": "mask", "label": "cat", "rle": {"counts": [1], "size": [300]}}, "rle.size"),
    ({**bbox(), "color": "url(javascript:1)"}, "CSS colour"),
    ("not a shape", "must be an object"),
    ({**bbox(), "id": "bad id!"}, "id"),
]  # fmt: skip


@pytest.mark.parametrize(("shape", "message"), BAD)
def test_bad_shapes_are_refused_and_nothing_is_written(client, shape, message):
    assert save(client, [bbox()]).status_code == 200
    response = save(client, [polygon(), shape])
    assert response.status_code == 400, response.json
    assert message in response.json["error"]
    page = client.get("/annotate").get_data(as_text=True)
    data = json.loads(page.split("data-ia-value>")[1].split("</script>")[0])
    assert [s["type"] for s in data["shapes"]] == ["bbox"]  # the earlier value is untouched


def test_bad_data_field_json_is_refused(client):
    body = {"instance_id": "a", "annotations": {"objects:_data": "[{not json"}}
    response = client.post("/updateinstance", json=body)
    assert response.status_code == 400
    assert "not valid JSON" in response.json["error"]


def test_shape_types_outside_the_tools_are_refused(tmp_path, open_app):
    app = open_app(image_project(tmp_path, schemes=[image_scheme(tools=["bbox"])]))
    client = start(login(app.test_client(), "ann1"))
    response = save(client, [polygon()])
    assert response.status_code == 400
    assert "do not draw polygon shapes" in response.json["error"]


def test_min_and_max_annotations(tmp_path, open_app):
    app = open_app(image_project(tmp_path, schemes=[image_scheme(min_annotations=2,
                                                                 max_annotations=3)]))  # fmt: skip
    client = start(login(app.test_client(), "ann1"))
    one = save(client, [bbox()], draft=False)
    assert one.status_code == 400
    assert "at least 2 shapes required" in one.json["error"]
    assert save(client, [bbox()] * 0 + [bbox(), polygon()], draft=False).status_code == 200
    four = save(client, [bbox(x=0.1 * i) for i in range(4)])
    assert four.status_code == 400
    assert "at most 3 shapes" in four.json["error"]


def test_remote_image_size_is_the_clients_and_flagged_unverified(client):
    for _ in range(2):
        client.post("/go_to", json={"action": "next_instance"})
    assert client.get("/api/current_instance").json["instance_id"] == "remote"
    shape = {**bbox(), "image_size": [1000, 2000]}
    assert save(client, [shape], instance="remote").status_code == 200
    page = client.get("/annotate").get_data(as_text=True)
    data = json.loads(page.split("data-ia-value>")[1].split("</script>")[0])
    assert data["image"] == {"width": 2000, "height": 1000, "verified": False}
    assert data["shapes"][0]["pixels"]["x"] == 500.0


def test_a_missing_local_image_is_a_clear_error(tmp_path, open_app):
    config = image_project(tmp_path, items=[{"id": "a", "image": "images/broken.png"}])
    (tmp_path / "images" / "broken.png").write_bytes(b"not an image")
    app = open_app(config)
    client = start(login(app.test_client(), "ann1"))
    response = save(client, [bbox()])
    assert response.status_code == 400
    assert "cannot be read" in response.json["error"]


def test_config_problems_are_reported(tmp_path):
    from potato_like.config import load_config
    from potato_like.errors import ConfigError

    path = image_project(tmp_path, schemes=[image_scheme(tools=["bbox", "lasso"]),
                                            {**image_scheme(name="x"), "tools": None}])  # fmt: skip
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    assert "'lasso' is not a tool" in text
    assert "tools: is required" in text


def test_image_info_and_preview_endpoints(tmp_path, open_app):
    import cv2
    import numpy as np

    from tests.web.image_util import write_image

    config = image_project(tmp_path)
    write_image(tmp_path / "images" / "big.jpg", 4000, 3000)
    app = open_app(config)
    client = app.test_client()
    assert client.get("/api/image/info?src=images/a.png").status_code in (401, 302)
    login(client, "ann1")
    info = client.get("/api/image/info?src=images/big.jpg").json
    assert info["width"] == 4000 and info["height"] == 3000 and info["verified"] is True
    preview = client.get(info["preview_url"])
    assert preview.status_code == 200 and preview.mimetype == "image/jpeg"
    small = cv2.imdecode(np.frombuffer(preview.data, np.uint8), cv2.IMREAD_COLOR)
    assert small.shape[:2] == (1200, 1600)
    cached = list((tmp_path / "annotation_output" / ".image_previews").glob("*.jpg"))
    assert len(cached) == 1
    assert client.get(info["preview_url"]).status_code == 200  # served from the cache
    remote = client.get("/api/image/info?src=https://example.org/x.jpg").json
    assert remote == {"url": "https://example.org/x.jpg",
                      "preview_url": "https://example.org/x.jpg", "verified": False}  # fmt: skip
    for bad in ("../secret.png", "config.yaml", "images/missing.png"):
        assert client.get(f"/api/image/info?src={bad}").status_code in (400, 404), bad
    assert client.get("/api/image/preview?src=https://example.org/x.jpg").status_code == 400
    (tmp_path / "images" / "junk.png").write_bytes(b"junk")
    junk = client.get("/api/image/info?src=images/junk.png")
    assert junk.status_code == 422 and "not an image" in junk.json["error"]


def test_page_loads_the_editor_only_when_used(client, make_project):
    page = client.get("/annotate").get_data(as_text=True)
    assert "js/image-annotation.js" in page
    assert "js/spans.js" not in page
    other = login(make_project().test_client(), "ann1").get("/annotate").get_data(as_text=True)
    assert "image-annotation" not in other


def test_pre_annotations_prefill_the_editor(tmp_path, open_app):
    rows = [{"id": "a", "image": "images/a.png", "predictions": {"objects": [bbox()]}}]
    config = image_project(tmp_path, items=rows,
                           pre_annotation={"enabled": True, "field": "predictions"})  # fmt: skip
    app = open_app(config)
    client = start(login(app.test_client(), "ann1"))
    page = client.get("/annotate").get_data(as_text=True)
    data = json.loads(page.split("data-ia-value>")[1].split("</script>")[0])
    assert data["shapes"][0]["coordinates"]["width"] == 0.5


def test_wide_csv_export_has_the_shapes_as_json(app, client):
    assert save(client, [bbox()], draft=False).status_code == 200
    out = client.post("/admin/api/export", json={"format": "csv"}, headers=ADMIN)
    assert out.status_code == 200
    rows = list(csv.DictReader(io.StringIO(out.get_data(as_text=True))))
    shapes = json.loads(rows[0]["answer:objects"])
    assert shapes[0]["pixels"] == {"x": 100.0, "y": 60.0, "width": 200.0, "height": 120.0}


def test_agreement_matches_regions_by_iou(app):
    from potato_like.quality.image_agreement import match

    for user, shapes in (
        ("ann1", [bbox(), polygon()]),
        ("ann2", [bbox(x=0.26, y=0.21), polygon(label="cat")]),  # box IoU ~0.9; label differs
    ):
        c = start(login(app.test_client(), user))
        assert save(c, shapes, draft=False).status_code == 200
    report = app.test_client().get("/admin/api/agreement", headers=ADMIN).json
    entry = report["by_schema"]["objects"]
    assert entry["pairwise_f1"] == 0.5  # one of two shapes each matched
    assert 0.85 < entry["mean_iou"] < 0.95
    assert entry["krippendorff_alpha"] is None
    far = match([bbox()], [bbox(x=0.0, y=0.0, w=0.1, h=0.1)])
    assert far[0] == 0  # no overlap: no match


def test_dashboard_pages_show_image_answers(app, client):
    assert save(client, [bbox(), _mask()], draft=False).status_code == 200
    admin = app.test_client()
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"]})
    item = admin.get("/admin/item/a")
    assert item.status_code == 200
    text = item.get_data(as_text=True)
    assert "cat: bbox" in text and "mask of 200 px" in text
    for page in ("/admin/questions/", "/admin/agreement/", "/admin/instances/", "/admin"):
        assert admin.get(page).status_code == 200, page
    out = admin.post("/admin/api/export", json={"format": "jsonl"}, headers=ADMIN)
    (record,) = [json.loads(line) for line in out.get_data(as_text=True).splitlines()]
    assert [s["type"] for s in record["answers"]["objects"]] == ["bbox", "mask"]
