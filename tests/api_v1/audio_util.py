"""WAV recordings made in the tests: a quiet tone under noise with clicks (a few loud
samples) at known times."""

from __future__ import annotations

import io
import struct
import wave

import numpy as np

RATE = 16_000


def click_wav(seconds: float, clicks: list[float], seed: int, rate: int = RATE) -> bytes:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    y = 0.2 * np.sin(2 * np.pi * (220 + 40 * seed % 200) * t) + 0.03 * rng.standard_normal(len(t))
    for at in clicks:
        i = int(at * rate)
        y[i : i + 24] += 0.9 * np.sign(rng.standard_normal(24))
    y = np.clip(y, -1, 1)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", int(v * 32000)) for v in y))
    return buffer.getvalue()


def new_dataset(client, headers, name: str = "recordings") -> str:
    answer = client.post("/api/v1/datasets", json={"name": name}, headers=headers)
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def upload_url(client, headers, dataset_id: str, data: bytes, content_type="audio/wav", **extra):
    payload = {
        "filename": "take.wav",
        "content_type": content_type,
        "size_bytes": len(data),
        **extra,
    }
    return client.post(
        f"/api/v1/datasets/{dataset_id}/audio/upload-url", json=payload, headers=headers
    )


def path_of(url: str) -> str:
    """The path and query of an absolute upload URL (for the Flask test client)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def upload(client, headers, dataset_id: str, data: bytes) -> str:
    """A ready audio file in the dataset: URL, upload, confirm. Its id."""
    made = upload_url(client, headers, dataset_id, data)
    assert made.status_code == 201, made.json
    sent = client.post(path_of(made.json["upload_url"]), data=data, content_type="audio/wav")
    assert sent.status_code == 200, sent.json
    confirmed = client.post(f"/api/v1/audio/{made.json['audio_id']}/confirm", headers=headers)
    assert confirmed.status_code == 200, confirmed.json
    return made.json["audio_id"]
