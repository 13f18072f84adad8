"""Vision detections on video items: frames of an mp4 made here with opencv (a green block
moving right) are sampled, a detector runs on each, and the per-frame boxes become tracks of
the video_annotation scheme, shown on the page as editable pre-annotations.

The detector is `yolo` with a stand-in `ultralytics` module (the real library cannot run
here; see test_ai_vision.py): its `predict` really looks at the frame it is given and
reports the green block's box, so the boxes follow what is in each sampled frame; and a
vision LLM against the local fake vendor server."""

from __future__ import annotations

import importlib.machinery
import json
import sys
import types

import cv2
import numpy as np
import pytest

from potato_like.ai.vision.frames import link_tracks
from potato_like.ai.vision.service import vision
from tests.conftest import base_config, login, write_config
from tests.llm_fakes import FakeLLM

W, H, SIDE, STEP, FRAMES, FPS = 160, 120, 30, 4, 20, 10
LEFT, TOP = 10, 40


def write_moving_block(path, frames=FRAMES):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (W, H))
    for i in range(frames):
        frame = np.full((H, W, 3), 20, np.uint8)
        left = LEFT + i * STEP
        frame[TOP : TOP + SIDE, left : left + SIDE] = (0, 220, 0)
        writer.write(frame)
    writer.release()


class Tensor:
    def __init__(self, data):
        self.data = np.asarray(data, dtype=np.float32).reshape(-1, *np.shape(data)[1:])

    def cpu(self):
        return self

    def numpy(self):
        return self.data


class GreenBlockYOLO:
    """ultralytics' documented call shape; finds the green block in the frame it reads."""

    sources: list = []

    def __init__(self, model):
        self.model = model

    def predict(self, source=None, conf=0.25, iou=0.7, device=None, classes=None, max_det=300,
                verbose=True):  # fmt: skip
        GreenBlockYOLO.sources.append(source)
        bgr = cv2.imread(source)
        h, w = bgr.shape[:2]
        mask = (bgr[:, :, 1] > 120) & (bgr[:, :, 0] < 100) & (bgr[:, :, 2] < 100)
        ys, xs = np.nonzero(mask)
        rows = [] if not len(xs) else [[xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]]
        boxes = types.SimpleNamespace(
            xyxy=Tensor(rows), conf=Tensor([0.9] * len(rows)), cls=Tensor([0] * len(rows))
        )
        return [types.SimpleNamespace(orig_shape=(h, w), names={0: "car"}, boxes=boxes)]


@pytest.fixture
def ultralytics(monkeypatch):
    GreenBlockYOLO.sources = []
    module = types.ModuleType("ultralytics")
    module.__spec__ = importlib.machinery.ModuleSpec("ultralytics", None)
    module.YOLO = GreenBlockYOLO
    monkeypatch.setitem(sys.modules, "ultralytics", module)


VIDEO = {
    "annotation_type": "video_annotation",
    "name": "vid",
    "description": "Track the objects",
    "mode": "tracking",
    "labels": [{"name": "person"}, {"name": "car"}],
    "video_fps": FPS,
}


def video_project(root, visual="yolo", scheme=None, **conf):
    write_moving_block(root / "clip.mp4")
    (root / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    rows = [{"id": "a", "text": "clip.mp4"}, {"id": "b", "text": "broken.mp4"}]
    (root / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    ai = {"enabled": True, "visual_endpoint_type": visual, "visual_ai_config": conf}
    config = base_config(annotation_schemes=[scheme or VIDEO], ai_support=ai)
    config["assignment_strategy"] = "fixed_order"
    return write_config(root, config)


def suggestions(app, instance="a"):
    client = login(app.test_client(), "ann1")
    assert client.get("/api/current_instance").json["instance_id"] == "a"
    if instance != "a":
        client.post("/go_to", json={"go_to": instance})
    r = client.get(f"/api/vision_suggestions?instance_id={instance}")
    assert r.status_code == 200, r.json
    return r.json


def test_sampled_frames_give_one_track_that_follows_the_block(tmp_path, open_app, ultralytics):
    app = open_app(video_project(tmp_path, max_frames=5))
    got = suggestions(app)
    found = got["suggestions"]["vid"]
    meta = found["video_metadata"]
    assert (meta["width"], meta["height"], meta["frame_count"]) == (W, H, FRAMES)
    assert meta["fps"] == pytest.approx(FPS)
    frames = [f["frame"] for f in found["frames"]]
    assert frames == [0, 5, 10, 14, 19]  # five frames spread over the twenty
    assert len(GreenBlockYOLO.sources) == 5
    for entry in found["frames"]:  # normalised boxes, as for images
        (shape,) = entry["shapes"]
        assert shape["label"] == "car" and shape["type"] == "bbox"
        assert shape["coordinates"]["x"] * W == pytest.approx(LEFT + STEP * entry["frame"], abs=2)
        assert entry["time"] == pytest.approx(entry["frame"] / FPS)
    (track,) = found["tracks"]  # the moving block is one object
    assert track["label"] == "car" and track["confidence"] == 0.9
    assert [k["frame"] for k in track["keyframes"]] == frames
    for key in track["keyframes"]:  # the page's tracks are in video pixels
        assert key["bbox"]["x"] == pytest.approx(LEFT + STEP * key["frame"], abs=2)
        assert key["bbox"]["y"] == pytest.approx(TOP, abs=2)
        assert key["bbox"]["width"] == pytest.approx(SIDE, abs=3)


def test_tracks_are_editable_preannotations_on_the_video_page(tmp_path, open_app, ultralytics):
    app = open_app(video_project(tmp_path, max_frames=4))
    client = login(app.test_client(), "ann1")
    client.get("/annotate")
    assert vision(app.extensions["potato_like"]).wait_idle(20)
    page = client.get("/annotate").get_data(as_text=True)
    assert 'data-testid="prefilled"' in page
    raw = page.split('name="vid:_data"')[1].split('value="')[1].split('"')[0]
    value = json.loads(raw.replace("&#34;", '"').replace("&quot;", '"'))
    (track,) = value["tracking"].values()
    assert track["label"] == "car" and sorted(int(f) for f in track["keyframes"]) == [0, 6, 13, 19]
    assert value["video_metadata"]["width"] == W
    # The annotator's own answer replaces the pre-annotation.
    mine = {"tracking": {"o1": {"id": "o1", "label": "person", "keyframes": {
        "3": {"frame": 3, "bbox": {"x": 1, "y": 1, "width": 5, "height": 5}}}}}}  # fmt: skip
    body = {"instance_id": "a", "annotations": {"vid:_data": json.dumps(mine)}}
    assert client.post("/updateinstance", json=body).status_code == 200
    page = client.get("/annotate").get_data(as_text=True)
    assert 'data-testid="prefilled"' not in page and "ai_1" not in page


def test_an_unreadable_video_gives_a_message(tmp_path, open_app, ultralytics):
    got = suggestions(open_app(video_project(tmp_path)), "b")
    assert got["suggestions"] == {} and "broken.mp4" in got["message"]
    assert GreenBlockYOLO.sources == []


def test_segment_mode_gets_no_detections(tmp_path, open_app, ultralytics):
    scheme = {**VIDEO, "mode": "segment"}
    got = suggestions(open_app(video_project(tmp_path, scheme=scheme)))
    assert got["suggestions"] == {} and "no scheme draws" in got["message"]


def test_bad_max_frames_is_a_config_problem(tmp_path, ultralytics):
    from potato_like import create_app
    from potato_like.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        create_app(video_project(tmp_path, max_frames=0))
    assert "visual_ai_config.max_frames" in str(err.value)


def test_a_vision_llm_runs_on_the_frames_too(tmp_path, open_app):
    box = {"x": 0.25, "y": 0.25, "width": 0.25, "height": 0.25}
    fake = FakeLLM("ollama", default={"detections": [{"label": "person", "bbox": box,
                                                      "confidence": 0.7}]})  # fmt: skip
    try:
        app = open_app(
            video_project(tmp_path, "ollama_vision", base_url=fake.url, timeout=20, max_frames=3)
        )
        (track,) = suggestions(app)["suggestions"]["vid"]["tracks"]
    finally:
        fake.close()
    assert len(fake.requests) == 3 and track["label"] == "person"
    assert [k["bbox"] for k in track["keyframes"]] == [
        {"x": 40.0, "y": 30.0, "width": 40.0, "height": 30.0}
    ] * 3


def test_linking_keeps_separate_objects_apart():
    def shape(label, x):
        return {"type": "bbox", "label": label, "confidence": 0.5,
                "coordinates": {"x": x, "y": 0.1, "width": 0.1, "height": 0.1}}  # fmt: skip

    frames = [
        {"frame": 0, "time": 0, "shapes": [shape("car", 0.1), shape("car", 0.7)]},
        {"frame": 5, "time": 0.5, "shapes": [shape("car", 0.72), shape("car", 0.12)]},
        {"frame": 9, "time": 0.9, "shapes": [shape("person", 0.14)]},
    ]
    tracks = link_tracks(frames, 100, 100)
    got = [(t["label"], [k["frame"] for k in t["keyframes"]]) for t in tracks]
    assert got == [("car", [0, 5]), ("car", [0, 5]), ("person", [9])]
    assert [k["bbox"]["x"] for k in tracks[0]["keyframes"]] == [10.0, 12.0]
    assert [k["bbox"]["x"] for k in tracks[1]["keyframes"]] == [70.0, 72.0]
