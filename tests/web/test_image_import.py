"""`run.py import-images`: COCO, YOLO and VOC datasets (here: our own exports of shapes drawn
in a test project) become items whose predictions are the same shapes, which a project with
`pre_annotation` then shows as editable shapes."""

from __future__ import annotations

import json

import pytest

from potato_like.cli import main
from potato_like.data.image_datasets import DatasetError, coco_items, voc_items, yolo_items
from tests.conftest import ADMIN, login
from tests.web.image_util import image_project, image_scheme, write_image
from tests.web.test_image_exports import SHAPES


@pytest.fixture
def exported(tmp_path, open_app):
    app = open_app(image_project(tmp_path / "src", schemes=[image_scheme()]))
    c = login(app.test_client(), "ann1")
    assert c.get("/api/current_instance").json["instance_id"] == "a"
    body = {"instance_id": "a", "image_annotations": {"objects": SHAPES}}
    assert c.post("/updateinstance", json=body).status_code == 200

    def export(fmt):
        r = c.post("/admin/api/export", json={"format": fmt}, headers=ADMIN)
        assert r.status_code == 200
        return r.get_data(as_text=True)

    return export


def approx_box(shape):
    return pytest.approx(list(shape["coordinates"].values()), abs=1e-4)


def test_coco_round_trip(exported, tmp_path):
    path = tmp_path / "coco.json"
    path.write_text(exported("coco"))
    (item,) = coco_items(path)
    assert (item["image"], item["image_width"], item["image_height"]) == ("images/a.png", 400, 300)
    kinds = [s["type"] for s in item["shapes"]]
    assert kinds == ["bbox", "polygon", "mask", "keypoint_set", "polygon"]
    assert approx_box(item["shapes"][0]) == [0.25, 0.2, 0.5, 0.4]
    assert item["shapes"][1]["coordinates"] == [{"x": 0.1, "y": 0.1}, {"x": 0.5, "y": 0.1},
                                                {"x": 0.3, "y": 0.6}]  # fmt: skip
    assert item["shapes"][2]["rle"] == SHAPES[2]["rle"]  # the mask survives bit for bit


def _split_bundle(text, root):
    current = None
    for line in text.splitlines():
        if line.startswith("# file: "):
            current = root / line[len("# file: ") :]
            current.parent.mkdir(parents=True, exist_ok=True)
            current.write_text("")
        else:
            with current.open("a") as fh:
                fh.write(line + "\n")


def test_yolo_round_trip(exported, tmp_path):
    root = tmp_path / "yolo"
    _split_bundle(exported("yolo"), root)
    write_image(root / "images" / "a__ann1.png")
    (item,) = yolo_items(root)
    box = item["shapes"][0]
    assert box["label"] == "cat" and approx_box(box) == [0.25, 0.2, 0.5, 0.4]
    assert item["image_width"] == 400


def test_voc_round_trip_through_the_cli(exported, tmp_path, open_app):
    import xml.etree.ElementTree as ET

    root = ET.fromstring(exported("voc"))  # noqa: S314
    folder = tmp_path / "voc"
    folder.mkdir()
    for i, ann in enumerate(root.findall("annotation")):
        (folder / f"a{i}.xml").write_text(ET.tostring(ann, encoding="unicode"))
    (item,) = voc_items(folder, "images/")
    assert approx_box(item["shapes"][0]) == [0.25, 0.2, 0.5, 0.4]

    project = tmp_path / "dst"
    config = image_project(project, pre_annotation={"enabled": True, "field": "predictions"})
    assert main(["import-images", "voc", str(folder), "--out", str(project / "data.jsonl"),
                 "--image-root", "images/"]) == 0  # fmt: skip
    line = json.loads((project / "data.jsonl").read_text().splitlines()[0])
    assert line["image"] == "images/a.png" and line["predictions"]["objects"][0]["type"] == "bbox"
    c = login(open_app(config).test_client(), "ann1")
    assert c.get("/api/current_instance").json["instance_id"] == "a0"
    page = c.get("/annotate").get_data(as_text=True)
    value = json.loads(page.split("data-ia-value>")[1].split("</script>")[0])
    assert len(value["shapes"]) == 5 and value["shapes"][0]["label"] == "cat"


def test_bad_datasets_are_named(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(DatasetError, match="needs 'images' and 'categories'"):
        list(coco_items(bad))
    with pytest.raises(DatasetError, match="class names file is missing"):
        list(yolo_items(tmp_path))
    (tmp_path / "classes.txt").write_text("cat\n")
    (tmp_path / "images").mkdir()
    write_image(tmp_path / "images" / "x.png")
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "x.txt").write_text("3 0.5 0.5 0.1 0.1\n")
    with pytest.raises(DatasetError, match=r"class 3 is not in classes\.txt"):
        list(yolo_items(tmp_path))
    (tmp_path / "labels" / "x.txt").write_text("0 0.5 0.5\n")
    with pytest.raises(DatasetError, match="expected 4 numbers or 3\\+ points"):
        list(yolo_items(tmp_path))
    assert main(["import-images", "coco", str(bad), "--out", str(tmp_path / "o.jsonl")]) == 1
    assert main(["import-images", "voc", str(tmp_path / "nope"), "--out", "x"]) == 2
