"""Media files made in tests: WAV with the stdlib `wave` module, MP4 with opencv."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path


def write_wav(path: Path, seconds: float = 1.0, rate: int = 16000, freq: float = 440.0) -> Path:
    """A mono 16-bit tone at half amplitude."""
    n = int(seconds * rate)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        step = 2 * math.pi * freq / rate
        w.writeframes(
            b"".join(struct.pack("<h", int(16000 * math.sin(i * step))) for i in range(n))
        )
    return path


def write_mp4(
    path: Path, frames: int = 30, fps: int = 10, size: tuple[int, int] = (64, 48)
) -> Path:
    import cv2
    import numpy as np

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for i in range(frames):
        frame = np.full((size[1], size[0], 3), (i * 8) % 255, dtype=np.uint8)
        writer.write(frame)
    writer.release()
    return path
