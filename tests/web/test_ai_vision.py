"""Vision pre-annotations (`ai_support.visual_endpoint_type`). The real `ultralytics` and
`segment-anything` cannot run here (torch and model weights are out of reach), so stand-in
modules with their documented APIs are put in `sys.modules`: `YOLO(model).predict(source=,
conf=, iou=, device=, classes=, max_det=, verbose=)` giving `Results` (`orig_shape`,
`names`, `boxes.xyxy/conf/cls` as tensors, `masks.xyn`), and `sam_model_registry[type](
checkpoint=)`, `.to(device=)`, `SamAutomaticMaskGenerator(model).generate(rgb)` giving
`{segmentation, bbox, area, predicted_iou}`. These tests check our side of the contract:
the calls, the conversion to the image scheme's shapes, the page's editable
pre-annotations, and the failures."""

from __future__ import annotations

import importlib.machinery
import json
import sys
import types

import cv2
import numpy as np
import pytest

from potato_like import create_app
from potato_like.ai.vision.service import vision
from potato_like.errors import ConfigError
from tests.conftest import login
from tests.web.image_util import IMAGE_H, IMAGE_W, image_project, image_scheme

GREEN = (100, 50, 250, 150)  # x1, y1, x2, y2 of the green block image_util draws


class Tensor:
    """What torch tensors offer the code under test: .cpu().numpy()."""

    def __init__(self, data):
        self.data = np.asarray(data, dtype=np.float32)

    def cpu(self):
        return self

    def numpy(self):
        return self.data

    def __len__(self):
        return len(self.data)


class YOLO:
    made: list = []
    calls: list = []
    fail = False
    with_masks = False

    def __init__(self, model):
        YOLO.made.append(model)
        self.vocabulary = None

    def set_classes(self, names):
        self.vocabulary = list(names)

    def predict(self, source=None, conf=0.25, iou=0.7, device=None, classes=None, max_det=300,
                verbose=True):  # fmt: skip
        YOLO.calls.append({"source": source, "conf": conf, "iou": iou, "device": device,
                           "classes": classes, "max_det": max_det, "verbose": verbose})  # fmt: skip
        if YOLO.fail:
            raise RuntimeError("CUDA out of memory")
        h, w = cv2.imread(source).shape[:2]
        rows = [(*GREEN, 0.91, 0), (0, 0, 10, 10, 0.62, 5), (5, 5, 20, 20, 0.1, 1)]
        rows = [r for r in rows if r[4] >= conf][:max_det]  # the library applies conf
        result = types.SimpleNamespace(
            orig_shape=(h, w),
            names={0: "Cat", 1: "dog", 5: "toaster"},
            boxes=types.SimpleNamespace(
                xyxy=Tensor([r[:4] for r in rows]),
                conf=Tensor([r[4] for r in rows]),
                cls=Tensor([r[5] for r in rows]),
            ),
            masks=None,
        )
        if YOLO.with_masks:
            x1, y1, x2, y2 = (GREEN[0] / w, GREEN[1] / h, GREEN[2] / w, GREEN[3] / h)
            tri = [[x1, y2], [(x1 + x2) / 2, y1], [x2, y2]]
            result.masks = types.SimpleNamespace(xyn=[np.asarray(tri, np.float32)] * len(rows))
        return [result]


class SamModel:
    def __init__(self, checkpoint):
        self.checkpoint = checkpoint
        self.device = None

    def to(self, device=None):
        self.device = device
        return self


class SamAutomaticMaskGenerator:
    made: list = []

    def __init__(self, model):
        SamAutomaticMaskGenerator.made.append(model)

    def generate(self, image):
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
        mask = image[:, :, 1] > 100  # the green block
        ys, xs = np.nonzero(mask)
        x, y = int(xs.min()), int(ys.min())
        speck = np.zeros_like(mask)
        speck[0, 0] = True
        return [
            {"segmentation": mask, "bbox": [x, y, int(xs.max()) - x + 1, int(ys.max()) - y + 1],
             "area": int(mask.sum()), "predicted_iou": 0.97, "stability_score": 0.95},
            {"segmentation": speck, "bbox": [0, 0, 1, 1], "area": 1, "predicted_iou": 0.99,
             "stability_score": 0.9},
        ]  # fmt: skip


def _module(monkeypatch, name, **attrs):
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    for key, value in attrs.items():
        setattr(module, key, value)
    monkeypatch.setitem(sys.modules, name, module)


@pytest.fixture
def ultralytics(monkeypatch):
    YOLO.made, YOLO.calls, YOLO.fail, YOLO.with_masks = [], [], False, False
    _module(monkeypatch, "ultralytics", YOLO=YOLO)


@pytest.fixture
def segment_anything(monkeypatch):
    SamAutomaticMaskGenerator.made = []
    registry = {"vit_b": SamModel, "vit_h": SamModel}
    _module(monkeypatch, "segment_anything", sam_model_registry=registry,
            SamAutomaticMaskGenerator=SamAutomaticMaskGenerator)  # fmt: skip


def ai(endpoint, **conf):
    return {"enabled": True, "visual_endpoint_type": endpoint, "visual_ai_config": conf}


def annotator(app, name="ann1"):
    client = login(app.test_client(), name)
    assert client.get("/api/current_instance").json["instance_id"] == "a"
    return client


def detections(client, instance="a"):
    r = client.get(f"/api/vision_suggestions?instance_id={instance}")
    assert r.status_code == 200, r.json
    return r.json


def test_yolo_boxes_become_shapes_of_the_scheme(tmp_path, open_app, ultralytics):
    app = open_app(image_project(tmp_path, ai_support=ai(
        "yolo", model="yolov8s.pt", confidence_threshold=0.4, iou_threshold=0.5, max_detections=20,
    )))  # fmt: skip
    client = annotator(app)
    got = detections(client)
    assert got["endpoint_type"] == "yolo" and got["model"] == "yolov8s.pt"
    (shape,) = got["suggestions"]["objects"]  # 'toaster' is no label; 0.1 is below conf
    assert shape["type"] == "bbox" and shape["label"] == "cat" and shape["confidence"] == 0.91
    box = shape["coordinates"]
    assert box["x"] == pytest.approx(GREEN[0] / IMAGE_W, abs=1e-5)
    assert box["y"] == pytest.approx(GREEN[1] / IMAGE_H, abs=1e-5)
    assert box["width"] == pytest.approx((GREEN[2] - GREEN[0]) / IMAGE_W, abs=1e-5)
    assert box["height"] == pytest.approx((GREEN[3] - GREEN[1]) / IMAGE_H, abs=1e-5)
    assert YOLO.made == ["yolov8s.pt"]
    call = YOLO.calls[0]
    assert call["source"].endswith("a.png") and call["conf"] == 0.4 and call["iou"] == 0.5
    assert call["max_det"] == 20 and call["verbose"] is False
    detections(client)  # cached per item: the model runs once
    assert len(YOLO.calls) == 1


def test_detections_are_editable_preannotations_on_the_page(tmp_path, open_app, ultralytics):
    app = open_app(image_project(tmp_path, ai_support=ai("yolo")))
    project = app.extensions["potato_like"]
    client = annotator(app)
    client.get("/annotate")  # asks for this item and the next in the background
    assert vision(project).wait_idle(10)
    page = client.get("/annotate").get_data(as_text=True)
    value = json.loads(page.split("data-ia-value>")[1].split("</script>")[0])
    (shape,) = value["shapes"]
    assert shape["label"] == "cat" and shape["type"] == "bbox"
    assert shape["pixels"]["x"] == pytest.approx(GREEN[0], abs=0.5)  # sized from the file
    assert 'data-testid="prefilled"' in page
    assert {c["source"].rsplit("/", 1)[-1] for c in YOLO.calls} == {"a.png", "b.jpg"}
    # The annotator edits the pre-annotation: their answer is saved and shown instead.
    mine = dict(shape, label="dog", coordinates={"x": 0.1, "y": 0.1, "width": 0.2, "height": 0.2})
    body = {"instance_id": "a", "image_annotations": {"objects": [mine]}}
    assert client.post("/updateinstance", json=body).status_code == 200
    page = client.get("/annotate").get_data(as_text=True)
    value = json.loads(page.split("data-ia-value>")[1].split("</script>")[0])
    assert [s["label"] for s in value["shapes"]] == ["dog"]
    assert 'data-testid="prefilled"' not in page


def test_polygon_scheme_takes_segmentation_outlines(tmp_path, open_app, ultralytics):
    YOLO.with_masks = True
    scheme = image_scheme(tools=["polygon"])
    app = open_app(image_project(tmp_path, schemes=[scheme], ai_support=ai("yolo")))
    (shape,) = detections(annotator(app))["suggestions"]["objects"]
    assert shape["type"] == "polygon" and len(shape["coordinates"]) == 3
    assert shape["coordinates"][1]["y"] == pytest.approx(GREEN[1] / IMAGE_H, abs=1e-5)


def test_sam_regions_become_polygons_with_the_configured_label(
    tmp_path, open_app, segment_anything
):
    (tmp_path / "sam_vit_b.pth").write_bytes(b"weights")
    scheme = image_scheme(tools=["polygon", "bbox"])
    app = open_app(image_project(tmp_path, schemes=[scheme], ai_support=ai(
        "sam", checkpoint="sam_vit_b.pth", model_type="vit_b", device="cpu", label="dog",
    )))  # fmt: skip
    got = detections(annotator(app))
    (shape,) = got["suggestions"]["objects"]  # the 1-pixel speck is below min_area
    assert shape["type"] == "polygon" and shape["label"] == "dog"
    assert shape["confidence"] == 0.97
    xs = sorted({round(p["x"] * IMAGE_W) for p in shape["coordinates"]})
    ys = sorted({round(p["y"] * IMAGE_H) for p in shape["coordinates"]})
    assert (xs[0], xs[-1], ys[0], ys[-1]) == (100, 249, 50, 149)  # the block's outline
    (model,) = SamAutomaticMaskGenerator.made
    assert model.checkpoint == str(tmp_path / "sam_vit_b.pth") and model.device == "cpu"


def test_a_failing_detector_answers_with_a_message(tmp_path, open_app, ultralytics):
    YOLO.fail = True
    app = open_app(image_project(tmp_path, ai_support=ai("yolo")))
    client = annotator(app)
    got = detections(client)
    assert got["suggestions"] == {} and "out of memory" in got["message"]
    assert client.get("/annotate").status_code == 200
    assert client.get("/api/vision_suggestions?instance_id=nope").status_code == 404


def test_remote_image_gets_no_detections(tmp_path, open_app, ultralytics):
    app = open_app(image_project(tmp_path, ai_support=ai("yolo")))
    client = annotator(app)
    client.post("/go_to", json={"go_to": "remote"})
    got = detections(client, "remote")
    assert got["suggestions"] == {} and "not a file of the project" in got["message"]
    assert YOLO.calls == []


def config_problems(tmp_path, **extra):
    with pytest.raises(ConfigError) as err:
        create_app(image_project(tmp_path, **extra))
    return str(err.value)


def test_missing_library_is_a_config_error_naming_the_extra(tmp_path):
    text = config_problems(tmp_path, ai_support=ai("yolo"))
    assert "ai_support.visual_endpoint_type" in text and "ultralytics" in text
    assert "pip install 'potato_like[vision]'" in text
    text = config_problems(tmp_path, ai_support=ai("sam", checkpoint="x.pth"))
    assert "segment-anything" in text and "potato_like[vision]" in text


def test_bad_vision_settings(tmp_path, segment_anything, ultralytics):
    assert "checkpoint: is required" in config_problems(tmp_path, ai_support=ai("sam"))
    assert "not a vision endpoint" in config_problems(tmp_path, ai_support=ai("yolov9"))
    text = config_problems(tmp_path, ai_support=ai("yolo", confidence_threshold=3))
    assert "visual_ai_config.confidence_threshold" in text


def test_sam3_is_accepted_with_a_warning(tmp_path, open_app):
    app = open_app(image_project(tmp_path, ai_support=ai("sam3", model="sam3")))
    project = app.extensions["potato_like"]
    assert vision(project) is None
    (warning,) = [w for w in project.config.warnings if "visual_endpoint_type" in w]
    assert "'sam3'" in warning and "not served" in warning
    client = annotator(app)
    assert client.get("/api/vision_suggestions?instance_id=a").status_code == 404
