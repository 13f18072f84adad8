"""`POST /api/track` / `/api/track/propagate`: a box tracked with OpenCV's MIL tracker
through a video made here (a textured square moving right on a dark background; MIL needs
texture: a flat white square drifts), and bad requests."""

from __future__ import annotations

import json

import pytest

from tests.conftest import base_config, login, write_config

W, H, SIDE, STEP, FRAMES = 320, 240, 48, 4, 20
LEFT, TOP = 20, 40


def write_moving_square(path):
    import cv2
    import numpy as np

    yy, xx = np.mgrid[0:SIDE, 0:SIDE]
    waves = ((np.sin(xx / 3.0) + np.cos(yy / 4.0)) * 60 + 128).astype(np.uint8)
    texture = np.dstack([waves, 255 - waves, (xx * 5 % 255).astype(np.uint8)])
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (W, H))
    for i in range(FRAMES):
        frame = np.full((H, W, 3), 30, dtype=np.uint8)
        left = LEFT + i * STEP
        frame[TOP : TOP + SIDE, left : left + SIDE] = texture
        writer.write(frame)
    writer.release()


@pytest.fixture
def ann(tmp_path, open_app):
    write_moving_square(tmp_path / "square.mp4")
    (tmp_path / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "a", "text": "square.mp4"}) + "\n")
    return login(open_app(write_config(tmp_path, base_config())).test_client(), "ann")


def test_the_box_follows_the_square(ann):
    box = {"x": LEFT, "y": TOP, "width": SIDE, "height": SIDE}
    r = ann.post("/api/track", json={"video": "square.mp4", "box": box, "frames": 15})
    assert r.status_code == 200, r.json
    body = r.json
    assert body["model"] == "opencv-mil" and "truncated" not in body
    assert [f["frame"] for f in body["frames"]] == list(range(15))
    assert all(f["visible"] and f["rle"] is None for f in body["frames"])
    for f in body["frames"]:
        left = f["bbox"]["x"] * W
        # the square's left edge moves STEP pixels a frame (60 in all); MIL stays within 3
        assert abs(left - (LEFT + STEP * f["frame"])) <= 3, (f["frame"], left)
        assert abs(f["bbox"]["y"] * H - TOP) <= 3
        assert round(f["bbox"]["width"] * W) == SIDE
    # the same from a later frame, through Potato's path, and cut at the video's end
    box = {"x": LEFT + STEP * 15, "y": TOP, "width": SIDE, "height": SIDE}
    r = ann.post(
        "/api/track/propagate",
        json={"video": "square.mp4", "box": box, "start_frame": 15, "frames": 30},
    )
    assert [f["frame"] for f in r.json["frames"]] == list(range(15, FRAMES))


def test_more_frames_than_the_budget_says_truncated(ann):
    box = {"x": LEFT, "y": TOP, "width": SIDE, "height": SIDE}
    r = ann.post("/api/track", json={"video": "square.mp4", "box": box, "frames": 500})
    assert r.json["truncated"] is True
    assert (r.json["requested_frames"], r.json["max_frames"]) == (500, 120)


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({}, 400, "video is required"),
        ({"video": "square.mp4"}, 400, "give box"),
        ({"video": "square.mp4", "box": [1, 2, 3, 4]}, 400, "box must be an object"),
        (
            {"video": "square.mp4", "box": {"x": 1, "y": 2, "width": "a", "height": 3}},
            400,
            "box.width must be a number",
        ),
        (
            {"video": "square.mp4", "box": {"x": 310, "y": 2, "width": 20, "height": 20}},
            400,
            "outside the 320x240 frame",
        ),
        (
            {
                "video": "square.mp4",
                "box": {"x": 1, "y": 2, "width": 9, "height": 9},
                "start_frame": 99,
            },
            400,
            "past the last frame",
        ),
        (
            {"video": "square.mp4", "box": {"x": 1, "y": 2, "width": 9, "height": 9}, "frames": 0},
            400,
            "frames must be a whole number",
        ),
        (
            {"video": "../etc/passwd", "box": {"x": 1, "y": 2, "width": 9, "height": 9}},
            404,
            "no such media",
        ),
        ({"video": "broken.mp4", "box": {"x": 1, "y": 2, "width": 9, "height": 9}}, 422, ""),
        ({"video": "square.mp4", "points": [[1, 2, 1]]}, 503, "SAM 2"),
    ],
)
def test_bad_requests(ann, body, status, words):
    r = ann.post("/api/track", json=body)
    assert r.status_code == status, r.json
    assert words in r.json["error"]


def test_tracking_needs_login(tmp_path, open_app):
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "a", "text": "t"}) + "\n")
    app = open_app(write_config(tmp_path, base_config()))
    r = app.test_client().post("/api/track", json={"video": "x.mp4", "box": {}})
    assert r.status_code == 401


def test_time_budget_and_downscaled_tracking(tmp_path, monkeypatch):
    from potato_like.media import box_tracking

    write_moving_square(tmp_path / "square.mp4")
    box = (LEFT, TOP, SIDE, SIDE)
    out = box_tracking.track_box(tmp_path / "square.mp4", box, 0, 10, time_budget=0)
    assert out["stopped"] == "time" and out["truncated"] is True and len(out["frames"]) == 1
    # tracked at half size (160 px wide), answered in the original frame's terms: MIL keeps
    # the box's size, so the 24-px box it tracks comes back as the 48-px box drawn. (Where
    # it goes at that size is not tested: this fine texture blurs away at half size.)
    monkeypatch.setattr(box_tracking, "TRACK_SIDE", 160)
    out = box_tracking.track_box(tmp_path / "square.mp4", box, 0, 6)
    assert len(out["frames"]) == 6
    for f in out["frames"]:
        assert round(f["bbox"]["width"] * W) == SIDE and round(f["bbox"]["height"] * H) == SIDE
