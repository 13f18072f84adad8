"""Box tracking through a video with OpenCV's MIL tracker (`cv2.TrackerMIL`), the tracker of
opencv-python-headless that needs no model file (DaSiamRPN, Nano and Vit need ONNX weights
this package does not ship). SAM 2 (Potato's point-prompted mask tracking) is not
installable here and is not offered.

The answer follows Potato's propagation result: one entry per frame with `frame`, `visible`
(the tracker still found the object), `score` (null: MIL gives no confidence), `rle` (null:
a box, no mask) and `bbox` normalised to the frame ({x, y, width, height} in 0..1), plus
`truncated` when the request asked for more frames than the budget, or when the time budget
(TIME_BUDGET seconds) ran out first (`"stopped": "time"`). Frames are tracked at most
TRACK_SIDE pixels on their longer side (MIL's cost grows with the frame size); boxes are
answered normalised, so the scale never shows.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import BadRequest
from .waveform import UnreadableMedia

MODEL = "opencv-mil"
DEFAULT_FRAMES = 30
MAX_FRAMES = 120  # Potato's DEFAULT_MAX_FRAMES
BOX_KEYS = ("x", "y", "width", "height")
TIME_BUDGET = 10.0  # seconds of tracking in one request
TRACK_SIDE = 640


def read_box(raw: Any) -> tuple[float, float, float, float]:
    """A box {x, y, width, height} in frame pixels (of the original video)."""
    if not isinstance(raw, Mapping):
        raise BadRequest("box must be an object {x, y, width, height} in frame pixels")
    values = []
    for key in BOX_KEYS:
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BadRequest(f"box.{key} must be a number (frame pixels), got {value!r}")
        values.append(float(value))
    x, y, w, h = values
    if w < 2 or h < 2:
        raise BadRequest("box.width and box.height must be at least 2 pixels")
    if x < 0 or y < 0:
        raise BadRequest("box.x and box.y must not be negative")
    return x, y, w, h


def track_box(
    path: Path,
    box: tuple[float, float, float, float],
    start_frame: int,
    frames: int,
    max_frames: int = MAX_FRAMES,
    time_budget: float = TIME_BUDGET,
) -> dict[str, Any]:
    """Track `box` (drawn on `start_frame`) over the next frames, up to `max_frames`."""
    import cv2  # lazy: heavy import

    deadline = time.monotonic() + time_budget
    out_of_time = False
    wanted = max(1, frames)
    count = min(wanted, max_frames)
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise UnreadableMedia("cannot decode this video file")
        total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        if total and start_frame >= total:
            raise BadRequest(f"start_frame {start_frame} is past the last frame ({total - 1})")
        capture.set(cv2.CAP_PROP_POS_FRAMES, start_frame)
        ok, frame = capture.read()
        if not ok:
            raise UnreadableMedia(f"frame {start_frame} of this video cannot be read")
        height, width = frame.shape[:2]
        x, y, w, h = box
        if x + w > width or y + h > height:
            raise BadRequest(f"box lies outside the {width}x{height} frame")
        scale = min(1.0, TRACK_SIDE / max(width, height))
        size = (round(width * scale), round(height * scale))
        shrink = (
            (lambda f: cv2.resize(f, size, interpolation=cv2.INTER_AREA))
            if scale < 1
            else (lambda f: f)
        )
        tracker = cv2.TrackerMIL_create()
        tracker.init(shrink(frame), tuple(max(1, round(v * scale)) for v in (x, y, w, h)))
        results = [_entry(start_frame, True, (x, y, w, h), width, height)]
        while len(results) < count:
            if time.monotonic() > deadline:
                out_of_time = True
                break
            ok, frame = capture.read()
            if not ok:
                break  # the video ended
            found, rect = tracker.update(shrink(frame))
            rect = tuple(v / scale for v in rect) if found else None
            results.append(_entry(start_frame + len(results), bool(found), rect, width, height))
    finally:
        capture.release()
    payload: dict[str, Any] = {
        "model": MODEL,
        "frames": results,
        "occluded": sum(1 for r in results if not r["visible"]),
    }
    if wanted > max_frames or out_of_time:
        payload.update(truncated=True, requested_frames=wanted, max_frames=max_frames)
    if out_of_time:
        payload["stopped"] = "time"
    return payload


def _entry(frame: int, visible: bool, rect: Any, width: int, height: int) -> dict[str, Any]:
    bbox = None
    if rect is not None:
        x, y, w, h = (float(v) for v in rect)
        bbox = {
            "x": round(x / width, 5),
            "y": round(y / height, 5),
            "width": round(w / width, 5),
            "height": round(h / height, 5),
        }
    return {"frame": frame, "visible": visible, "score": None, "rle": None, "bbox": bbox}
