"""Video metadata (duration, width, height, fps) read with opencv."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .waveform import UnreadableMedia


def video_metadata(path: Path) -> dict[str, Any]:
    """Seed 003's `/api/video/metadata` answer for a local file (raises UnreadableMedia)."""
    import cv2  # lazy: heavy import

    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise UnreadableMedia("cannot decode this video file")
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0)
        frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        if width <= 0 or height <= 0 or fps <= 0:
            raise UnreadableMedia("cannot decode this video file")
        ok, _frame = capture.read()
        if not ok:
            raise UnreadableMedia("the video file holds no readable frame")
    finally:
        capture.release()
    fps_out: float | int = int(fps) if abs(fps - round(fps)) < 1e-6 else round(fps, 3)
    return {
        "duration": round(frames / fps, 3) if frames > 0 else 0.0,
        "width": width,
        "height": height,
        "fps": fps_out,
        "frame_count": frames,
    }
