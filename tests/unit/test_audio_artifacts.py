"""The artifact detector (potato_like/audio_artifacts) on recordings made here: clicks,
dropouts, hum and clipping at known times in four training files; a new file's artifacts are
found where they are, with the right labels, and the held-out score is reported."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from potato_like.audio_artifacts import model
from potato_like.audio_artifacts.features import load

pytestmark = pytest.mark.slow  # trains two forests: ~20 s on the shared 2-core machine
RATE = 16_000


def recording(seconds, clicks=(), dropouts=(), hums=(), clipped=(), seed=0) -> bytes:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    y = 0.2 * np.sin(2 * np.pi * (300 + 30 * seed) * t) + 0.03 * rng.standard_normal(len(t))
    for a, b in hums:
        i, j = int(a * RATE), int(b * RATE)
        y[i:j] += 0.3 * np.sin(2 * np.pi * 60 * t[i:j])
    for a, b in clipped:
        i, j = int(a * RATE), int(b * RATE)
        y[i:j] = np.clip(y[i:j] * 8, -0.7, 0.7)
    for at in clicks:
        i = int(at * RATE)
        y[i : i + 24] += 0.9 * np.sign(rng.standard_normal(24))
    for a, b in dropouts:
        y[int(a * RATE) : int(b * RATE)] = 0
    y = np.clip(y, -1, 1)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((y * 32000).astype("<i2").tobytes())
    return buffer.getvalue()


TRAIN = [
    {"clicks": [0.5, 2.5], "dropouts": [(1.0, 1.3)], "hums": [(3.0, 3.6)], "clipped": [(1.8, 2.2)]},
    {"clicks": [1.2, 3.4], "dropouts": [(2.0, 2.2)], "hums": [(0.2, 0.8)], "clipped": [(2.6, 3.0)]},
    {
        "clicks": [0.8, 2.0],
        "dropouts": [(3.0, 3.25)],
        "hums": [(1.2, 1.7)],
        "clipped": [(0.2, 0.5)],
    },
    {"clicks": [0.3, 3.0], "dropouts": [(1.5, 1.8)], "hums": [(2.2, 2.7)], "clipped": [(0.8, 1.2)]},
]


def segments(spec: dict) -> list[tuple[float, float, str]]:
    out = [(at, at + 0.01, "click") for at in spec["clicks"]]
    for key, label in (("dropouts", "dropout"), ("hums", "hum"), ("clipped", "clipping")):
        out += [(a, b, label) for a, b in spec[key]]
    return out


def test_clicks_dropouts_hum_and_clipping_are_told_apart_and_found(tmp_path):
    recordings = []
    for seed, spec in enumerate(TRAIN):
        path = tmp_path / f"{seed}.wav"
        path.write_bytes(recording(4.0, seed=seed, **spec))
        recordings.append(model.Recording(path, segments(spec)))
    detector, metrics = model.train(recordings, n_estimators=60)
    assert metrics["labels"] == ["click", "clipping", "dropout", "hum"]
    assert metrics["split"] == "recordings" and metrics["heldout_events"] == 5
    assert metrics["heldout_frame_f1"] > 0.6 and metrics["heldout_event_recall"] >= 0.6
    new = {
        "clicks": [0.7, 3.2],
        "dropouts": [(1.5, 1.75)],
        "hums": [(2.2, 2.8)],
        "clipped": [(0.2, 0.5)],
    }
    path = tmp_path / "new.wav"
    path.write_bytes(recording(4.0, seed=7, **new))
    found = detector.detect(load(path))
    for start, end, label in segments(new):
        middle = (start + end) / 2
        assert any(
            d["label"] == label and d["start_seconds"] - 0.1 <= middle <= d["end_seconds"] + 0.1
            for d in found
        ), (label, start, found)


def test_one_file_is_scored_on_its_last_quarter(tmp_path):
    path = tmp_path / "one.wav"
    clicks = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5]
    path.write_bytes(recording(8.0, clicks=clicks, seed=3))
    detector, metrics = model.train(
        [model.Recording(path, [(c, c + 0.01, "click") for c in clicks])], n_estimators=30
    )
    assert metrics["split"] == "time" and metrics["heldout_events"] == 2
    assert metrics["heldout_event_recall"] is not None
    assert detector.labels == ["click"]


def test_a_recording_without_annotations_cannot_train(tmp_path):
    path = tmp_path / "quiet.wav"
    path.write_bytes(recording(1.0, seed=1))
    with pytest.raises(ValueError, match="no annotations"):
        model.train([model.Recording(path, [])], n_estimators=10)
