"""Writes this example's tiny recordings (11,025 Hz, 16-bit mono, one second each): calls at
known times and frequencies over a faint hum, so the boxes you draw can be checked.
Deterministic; standard library only.

    python example_projects/spectrogram_boxes/make_audio.py

recording1.wav: a rising call 1500 -> 3000 Hz at 0.20-0.45 s; a 4000 Hz whistle at 0.60-0.85 s.
recording2.wav: two 2500 Hz pips at 0.10-0.20 s and 0.50-0.60 s; a 800-1200 Hz warble at 0.7-0.9 s.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 11025
HERE = Path(__file__).resolve().parent / "media"


def call(t: float, start: float, end: float, f0: float, f1: float) -> float:
    """A call with a linear frequency sweep f0 -> f1 and soft edges, at time t."""
    if not start <= t < end:
        return 0.0
    u = (t - start) / (end - start)
    phase = 2 * math.pi * (f0 * (t - start) + (f1 - f0) * (t - start) * u / 2)
    return math.sin(math.pi * u) * math.sin(phase)


def write(name: str, calls: list[tuple[float, float, float, float]]) -> None:
    frames = []
    for i in range(RATE):
        t = i / RATE
        v = 0.05 * math.sin(2 * math.pi * 120 * t) + sum(0.4 * call(t, *c) for c in calls)
        frames.append(struct.pack("<h", int(max(-1.0, min(1.0, v)) * 32767)))
    with wave.open(str(HERE / name), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(frames))


def main() -> None:
    HERE.mkdir(exist_ok=True)
    write("recording1.wav", [(0.20, 0.45, 1500, 3000), (0.60, 0.85, 4000, 4000)])
    write("recording2.wav", [(0.10, 0.20, 2500, 2500), (0.50, 0.60, 2500, 2500),
                             (0.70, 0.90, 800, 1200)])  # fmt: skip


if __name__ == "__main__":
    main()
