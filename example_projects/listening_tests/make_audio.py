"""Writes this example's tiny test signals (8 kHz, 16-bit mono, half a second each):
a reference of three tones and two degraded versions, for two items. Deterministic, so
running it again gives the same files. Standard library only.

    python example_projects/listening_tests/make_audio.py
"""

from __future__ import annotations

import math
import random
import struct
import wave
from pathlib import Path

RATE = 8000
SECONDS = 0.5
HERE = Path(__file__).resolve().parent / "media"


def write(name: str, tones: list[tuple[float, float]], noise: float = 0.0, seed: int = 0) -> None:
    rng = random.Random(seed)
    n = int(RATE * SECONDS)
    frames = []
    for i in range(n):
        fade = min(1.0, i / 200, (n - i) / 200)  # no clicks at the ends
        v = sum(a * math.sin(2 * math.pi * f * i / RATE) for f, a in tones)
        v += noise * rng.uniform(-1, 1)
        frames.append(struct.pack("<h", int(max(-1, min(1, v * fade)) * 32767)))
    with wave.open(str(HERE / name), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(frames))


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for k, base in ((1, 330.0), (2, 440.0)):
        full = [(base, 0.3), (base * 4, 0.15), (3300.0, 0.1)]
        write(f"ref{k}.wav", full)
        write(f"lowpass{k}.wav", full[:2])  # the top tone removed
        write(f"noisy{k}.wav", full, noise=0.08, seed=k)


if __name__ == "__main__":
    main()
