"""Vision detections on a video: frames sampled evenly with opencv, the detector run on each
frame (as a PNG in a scratch directory), and the per-frame boxes linked into tracks (the same
label, the box nearest the track's last one: overlapping, or its centre within the larger
box's diagonal) whose boxes are the tracks' keyframes in video pixels. The video page
interpolates between keyframes, as it does for boxes an annotator draws."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .detectors import Detector, VisionUnavailable

DEFAULT_MAX_FRAMES = 10


def sample_frames(video: Path, max_frames: int, scratch: Path) -> tuple[dict, list[tuple]]:
    """({fps, width, height, duration, frame_count}, [(frame index, time, png path)])."""
    import cv2

    capture = cv2.VideoCapture(str(video))
    try:
        if not capture.isOpened():
            raise VisionUnavailable(f"the video {video.name} cannot be read")
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0) or 30.0
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        if count <= 0 or width <= 0 or height <= 0:
            raise VisionUnavailable(f"the video {video.name} has no frames that can be read")
        if count <= max_frames:
            wanted = list(range(count))
        else:
            step = (count - 1) / (max_frames - 1) if max_frames > 1 else 0
            wanted = sorted({round(i * step) for i in range(max_frames)})
        frames = []
        for index in wanted:
            capture.set(cv2.CAP_PROP_POS_FRAMES, index)
            ok, pixels = capture.read()
            if not ok:
                continue
            path = scratch / f"frame-{index:07d}.png"
            cv2.imwrite(str(path), pixels)
            frames.append((index, round(index / fps, 3), path))
    finally:
        capture.release()
    if not frames:
        raise VisionUnavailable(f"the video {video.name} has no frames that can be read")
    meta = {
        "fps": round(fps, 3),
        "width": width,
        "height": height,
        "duration": round(count / fps, 3),
        "frame_count": count,
    }
    return meta, frames


def _pixels(box: dict, width: int, height: int) -> dict[str, float]:
    return {
        "x": round(box["x"] * width, 2),
        "y": round(box["y"] * height, 2),
        "width": round(box["width"] * width, 2),
        "height": round(box["height"] * height, 2),
    }


def _iou(a: dict, b: dict) -> float:
    x1, y1 = max(a["x"], b["x"]), max(a["y"], b["y"])
    x2 = min(a["x"] + a["width"], b["x"] + b["width"])
    y2 = min(a["y"] + a["height"], b["y"] + b["height"])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = a["width"] * a["height"] + b["width"] * b["height"] - inter
    return inter / union if union > 0 else 0.0


def _close(a: dict, b: dict) -> float:
    """How well box b continues box a: IoU when they overlap, else a small score when b's
    centre lies within the larger box's diagonal of a's centre (0: not the same object)."""
    iou = _iou(a, b)
    if iou > 0:
        return 1.0 + iou
    ax, ay = a["x"] + a["width"] / 2, a["y"] + a["height"] / 2
    bx, by = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
    reach = max(math.hypot(a["width"], a["height"]), math.hypot(b["width"], b["height"]))
    distance = math.hypot(ax - bx, ay - by)
    return 1.0 - distance / reach if distance < reach else 0.0


def link_tracks(frames: Sequence[dict], width: int, height: int) -> list[dict]:
    """Tracks [{id, label, confidence, keyframes: [{frame, time, bbox (pixels)}]}] from
    [{frame, time, shapes (normalised bboxes)}] in frame order."""
    tracks: list[dict[str, Any]] = []
    open_tracks: list[dict[str, Any]] = []  # those seen in the previous sampled frame
    for entry in frames:
        boxes = [
            (shape["label"], _pixels(shape["coordinates"], width, height), shape["confidence"])
            for shape in entry["shapes"]
            if shape.get("type") == "bbox"
        ]
        pairs = sorted(
            (
                (_close(track["keyframes"][-1]["bbox"], box), t, b)
                for t, track in enumerate(open_tracks)
                for b, (label, box, _conf) in enumerate(boxes)
                if track["label"] == label
            ),
            key=lambda p: -p[0],
        )
        used_tracks: set[int] = set()
        used_boxes: set[int] = set()
        continued = []
        for score, t, b in pairs:
            if score <= 0 or t in used_tracks or b in used_boxes:
                continue
            used_tracks.add(t)
            used_boxes.add(b)
            continued.append((open_tracks[t], b))
        for b in range(len(boxes)):
            if b not in used_boxes:
                track = {"id": f"ai_{len(tracks) + 1}", "label": boxes[b][0], "keyframes": [],
                         "scores": []}  # fmt: skip
                tracks.append(track)
                continued.append((track, b))
        open_tracks = []
        for track, b in continued:
            _label, box, conf = boxes[b]
            track["keyframes"].append({"frame": entry["frame"], "time": entry["time"], "bbox": box})
            track["scores"].append(conf)
            open_tracks.append(track)
    for track in tracks:
        scores = track.pop("scores")
        track["confidence"] = round(sum(scores) / len(scores), 4)
    return tracks


def detect_video(
    detector: Detector, video: Path, labels: Sequence[str], max_frames: int, scratch: Path
) -> dict[str, Any]:
    """{video_metadata, frames: [{frame, time, shapes}], tracks} for one video."""
    meta, sampled = sample_frames(video, max_frames, scratch)
    frames = []
    for index, time, path in sampled:
        shapes = detector.detect(path, labels, ("bbox",))
        frames.append({"frame": index, "time": time, "shapes": shapes})
    tracks = link_tracks(frames, meta["width"], meta["height"])
    return {"video_metadata": meta, "frames": frames, "tracks": tracks}
