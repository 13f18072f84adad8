"""COCO, YOLO, Pascal VOC, LabelMe and CVAT exports of image shapes, each read back with the
format's reference reader (pycocotools for COCO) or a reader written against its published
spec, on images and shapes made in the test."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from potato_like.media.shapes import rle_encode
from tests.conftest import ADMIN, login
from tests.web.image_util import IMAGE_H, IMAGE_W, bbox, image_project, image_scheme, polygon


def _mask():
    bits = np.zeros((IMAGE_H, IMAGE_W), np.uint8)
    bits[10:20, 30:50] = 1  # 10 rows x 20 columns at (30, 10)
    return {"type": "mask", "label": "cat", "rle": rle_encode(bits)}


SHAPES = [
    bbox(),  # (100, 60) 200x120 px
    polygon(),  # (40,30) (200,30) (120,180)
    _mask(),
    {"type": "keypoint_set", "label": "dog",
     "coordinates": [{"x": 0.1, "y": 0.2, "v": 2}, {"x": 0.3, "y": 0.4, "v": 0}]},
    {"type": "polyline", "label": "cat", "coordinates": [[0.1, 0.1], [0.9, 0.9]]},
    {"type": "ellipse", "label": "dog",
     "coordinates": {"cx": 0.5, "cy": 0.5, "rx": 0.1, "ry": 0.2, "angle": 0}},
]  # fmt: skip


@pytest.fixture
def client(tmp_path, open_app):
    app = open_app(image_project(tmp_path, schemes=[image_scheme()]))
    c = login(app.test_client(), "ann1")
    assert c.get("/api/current_instance").json["instance_id"] == "a"
    body = {"instance_id": "a", "image_annotations": {"objects": SHAPES}}
    response = c.post("/updateinstance", json=body)
    assert response.status_code == 200, response.json
    return c


def export(client, fmt) -> str:
    response = client.post("/admin/api/export", json={"format": fmt}, headers=ADMIN)
    assert response.status_code == 200, response.data
    return response.get_data(as_text=True)


def test_coco_loads_in_pycocotools(client, tmp_path):
    from pycocotools.coco import COCO

    path = tmp_path / "coco.json"
    path.write_text(export(client, "coco"))
    coco = COCO(str(path))
    assert [c["name"] for c in coco.loadCats(coco.getCatIds())] == ["cat", "dog"]
    (image,) = coco.loadImgs(coco.getImgIds())
    assert (image["file_name"], image["width"], image["height"]) == ("images/a.png", 400, 300)
    assert image["annotator"] == "ann1"
    anns = coco.loadAnns(coco.getAnnIds(imgIds=[image["id"]]))
    assert len(anns) == 5  # the polyline has no COCO form
    assert json.loads(path.read_text())["potato_like"]["left_out"] == 1
    box, poly, mask, keypoints, ellipse = anns
    assert box["bbox"] == [100.0, 60.0, 200.0, 120.0]
    assert coco.annToMask(box).sum() == pytest.approx(200 * 120, rel=0.03)
    assert poly["segmentation"][0] == [40.0, 30.0, 200.0, 30.0, 120.0, 180.0]
    assert poly["area"] == pytest.approx(160 * 150 / 2)
    bits = coco.annToMask(mask)
    assert bits.sum() == 200 and bits[15, 40] == 1 and bits[5, 40] == 0
    assert mask["bbox"] == [30.0, 10.0, 20.0, 10.0] and mask["area"] == 200
    assert keypoints["keypoints"] == [40.0, 60.0, 2, 120.0, 120.0, 0]
    assert keypoints["num_keypoints"] == 1
    assert coco.annToMask(ellipse).sum() == pytest.approx(np.pi * 40 * 60, rel=0.05)


def _bundle(text):
    files, current = {}, None
    for line in text.splitlines():
        if line.startswith("# file: "):
            current = line[len("# file: ") :]
            files[current] = []
        elif line:
            files[current].append(line)
    return files


def test_yolo_detection_lines_follow_the_spec(client):
    files = _bundle(export(client, "yolo"))
    assert files["classes.txt"] == ["cat", "dog"]
    lines = files["labels/a__ann1.txt"]
    rows = [line.split() for line in lines]
    assert all(len(r) == 5 for r in rows)
    cls, cx, cy, w, h = rows[0]
    assert cls == "0"
    assert [float(v) for v in (cx, cy, w, h)] == pytest.approx([0.5, 0.4, 0.5, 0.4])
    for row in rows:
        assert all(0 <= float(v) <= 1 for v in row[1:])
    assert len(rows) == 5  # every shape but the mask


def test_yolo_segmentation_polygons(client):
    rows = [r.split() for r in _bundle(export(client, "yolo_seg"))["labels/a__ann1.txt"]]
    assert rows[1][0] == "1"
    assert [float(v) for v in rows[1][1:]] == pytest.approx([0.1, 0.1, 0.5, 0.1, 0.3, 0.6])
    assert all(len(r) % 2 == 1 and len(r) >= 7 for r in rows)  # class + >= 3 points
    assert len(rows) == 3  # box, polygon, ellipse


def test_voc_xml(client):
    root = ET.fromstring(  # noqa: S314
        export(client, "voc")
    )
    (ann,) = root.findall("annotation")
    assert ann.findtext("filename") == "a.png"
    assert ann.findtext("size/width") == "400" and ann.findtext("size/height") == "300"
    objects = ann.findall("object")
    assert [o.findtext("name") for o in objects][:2] == ["cat", "dog"]
    box = objects[0].find("bndbox")
    assert [int(box.findtext(k)) for k in ("xmin", "ymin", "xmax", "ymax")] == [101, 61, 300, 180]
    for o in objects:
        b = o.find("bndbox")
        assert 1 <= int(b.findtext("xmin")) <= int(b.findtext("xmax")) <= 400


def test_labelme_json(client):
    (doc,) = [json.loads(line) for line in export(client, "labelme").splitlines()]
    assert (doc["imageWidth"], doc["imageHeight"], doc["imagePath"]) == (400, 300, "images/a.png")
    kinds = [s["shape_type"] for s in doc["shapes"]]
    assert kinds == ["rectangle", "polygon", "point", "point", "linestrip", "polygon"]
    assert doc["shapes"][0]["points"] == [[100.0, 60.0], [300.0, 180.0]]


def test_cvat_xml(client):
    root = ET.fromstring(  # noqa: S314
        export(client, "cvat")
    )
    assert [n.text for n in root.findall("meta/task/labels/label/name")] == ["cat", "dog"]
    (image,) = root.findall("image")
    box = image.find("box")
    assert [float(box.get(k)) for k in ("xtl", "ytl", "xbr", "ybr")] == [100, 60, 300, 180]
    assert image.find("polygon").get("points") == "40.0,30.0;200.0,30.0;120.0,180.0"
    assert image.find("polyline") is not None and image.find("ellipse").get("rx") == "40.0"
    mask = image.find("mask")
    assert (mask.get("left"), mask.get("top"), mask.get("width"), mask.get("height")) == (
        "30", "10", "20", "10")  # fmt: skip
    runs = [int(r) for r in mask.get("rle").split(",")]
    assert runs == [0, 200]


def test_exports_are_listed_and_empty_projects_export_cleanly(tmp_path, open_app):
    app = open_app(image_project(tmp_path))
    c = app.test_client()
    names = {f["name"] for f in c.get("/admin/api/export/formats", headers=ADMIN).json["formats"]}
    assert {"coco", "yolo", "yolo_seg", "voc", "labelme", "cvat", "mask_png"} <= names
    coco = json.loads(export(c, "coco"))
    assert coco["images"] == [] and coco["annotations"] == []
    assert (
        ET.fromstring(  # noqa: S314
            export(c, "voc")
        ).findall("annotation")
        == []
    )
    assert (
        ET.fromstring(  # noqa: S314
            export(c, "cvat")
        ).findall("image")
        == []
    )


def test_mask_png_class_indices(client):
    import base64

    import cv2

    (line,) = [json.loads(x) for x in export(client, "mask_png").splitlines()]
    assert line["file"] == "masks/a__ann1.png" and line["classes"] == ["background", "cat", "dog"]
    png = cv2.imdecode(np.frombuffer(base64.b64decode(line["png_base64"]), np.uint8),
                       cv2.IMREAD_UNCHANGED)  # fmt: skip
    assert png.shape == (IMAGE_H, IMAGE_W)
    assert png[15, 40] == 1  # the cat mask (painted after the polygon)
    assert png[150, 280] == 1  # inside the cat box only
    assert png[150, 200] == 2  # the dog ellipse, drawn last, at the centre
    assert png[290, 390] == 0  # background
