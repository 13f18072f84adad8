"""Media embedders of the embedding map (embeddings/media_embedders.py) on files made here:
images of three kinds (red, blue, stripes) and sounds of two (tones, noise) land next to
their own kind; `auto` picks the embedder by the items' media type; unreadable values get
a zero row; the map and similar items use them on a real project."""

from __future__ import annotations

import math
import random
import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from potato_like.config.embeddings import EmbeddingSettings
from potato_like.embeddings.embedders import embed_texts
from potato_like.embeddings.media_embedders import common_media_type, media_type


def write_png(path, kind, seed):
    import cv2

    rng = np.random.default_rng(seed)
    img = np.zeros((48, 64, 3), np.uint8)
    if kind == "red":
        img[:] = (20, 20, 200 + seed)
    elif kind == "blue":
        img[:] = (210 - seed, 40, 30)
    else:  # black and white vertical stripes
        for x in range(0, 64, 8):
            img[:, x : x + 4] = 255
    noise = rng.integers(0, 12, img.shape).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), cv2.add(img, noise))


def write_wav(path, kind, seed, seconds=1.0, rate=16000):
    rng = random.Random(seed)
    frames = []
    for n in range(int(seconds * rate)):
        if kind == "tone":
            v = 0.5 * math.sin(2 * math.pi * (440 + 20 * seed) * n / rate)
        else:
            v = rng.uniform(-0.5, 0.5)
        frames.append(struct.pack("<h", int(v * 32767)))
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes(b"".join(frames))


def nearest(matrix, i):
    rows = matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)
    sims = rows @ rows[i]
    sims[i] = -np.inf
    return int(np.argmax(sims))


def test_images_land_next_to_their_own_kind(tmp_path):
    kinds = ["red", "blue", "stripes"] * 3
    values = []
    for i, kind in enumerate(kinds):
        write_png(tmp_path / "media" / f"{i}.png", kind, i)
        values.append(f"media/{i}.png")
    matrix, used = embed_texts(None, values, tmp_path)  # auto: the items are images
    assert used == "image:hsv-histogram+gradients"
    assert matrix.shape == (9, 82)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0)
    for i in range(9):
        assert kinds[nearest(matrix, i)] == kinds[i], i


def test_sounds_land_next_to_their_own_kind(tmp_path):
    kinds = ["tone", "noise"] * 3
    values = []
    for i, kind in enumerate(kinds):
        write_wav(tmp_path / f"{i}.wav", kind, i)
        values.append(f"{i}.wav")
    matrix, used = embed_texts(EmbeddingSettings(backend="audio"), values, tmp_path)
    assert used == "audio:mfcc20-mean-std" and matrix.shape == (6, 40)
    for i in range(6):
        assert kinds[nearest(matrix, i)] == kinds[i], i


def test_unreadable_values_get_zero_rows(tmp_path):
    write_png(tmp_path / "ok.png", "red", 0)
    (tmp_path / "broken.png").write_bytes(b"not a png")
    values = ["ok.png", "broken.png", "missing.png", "https://example.org/x.png", "../up.png"]
    matrix, used = embed_texts(EmbeddingSettings(backend="image"), values, tmp_path)
    assert used.startswith("image:")
    assert np.linalg.norm(matrix[0]) == pytest.approx(1.0)
    assert not np.abs(matrix[1:]).any()


def test_media_type_decides_auto():
    assert media_type("a/b.JPG") == "image" and media_type("x.wav") == "audio"
    assert media_type("clip.mp4") == "video" and media_type("plain words") is None
    assert common_media_type(["a.png"] * 9 + ["some text"]) == "image"
    assert common_media_type(["a.png", "b.wav", "text", "more text"]) is None
    _matrix, used = embed_texts(None, ["the cat sat", "a dog ran"])
    assert not used.startswith(("image", "audio"))
    # Texts that merely end like file names are not images when no such files exist.
    _matrix, used = embed_texts(None, ["see the chart.png", "logo.png"], Path("/nonexistent"))
    assert used.startswith("tfidf")


def test_config_backends(tmp_path):
    from potato_like.config import load_config
    from tests.conftest import base_config, write_config

    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "x"}\n')
    config = load_config(write_config(tmp_path, base_config(
        embeddings={"backend": "audio", "max_seconds": 5, "media_root": "media"},
    )))  # fmt: skip
    assert config.embeddings.backend == "audio" and config.embeddings.max_seconds == 5
    assert config.embeddings.media_root == "media"
    assert not any("embeddings" in w for w in config.warnings)
    config = load_config(write_config(tmp_path, base_config(embeddings={"backend": "video"})))
    assert any("'video' is not available here" in w for w in config.warnings)


def test_the_map_and_similar_items_use_the_image_embedder(tmp_path, open_app):
    import json

    from potato_like.embeddings.map_runs import compute_map
    from potato_like.quality.similar_items import similar_items
    from tests.conftest import base_config, write_config

    kinds = ["red", "blue"] * 3
    with (tmp_path / "data.jsonl").open("w") as fh:
        for i, kind in enumerate(kinds):
            write_png(tmp_path / "images" / f"{i}.png", kind, i)
            fh.write(json.dumps({"id": f"i{i}", "text": f"images/{i}.png"}) + "\n")
    app = open_app(write_config(tmp_path, base_config(embedding_visualization={"enabled": True})))
    project = app.extensions["potato_like"]
    summary = compute_map(project)  # 6 items: placed by SVD, no UMAP compile
    assert summary["embedder"].startswith("image:") and summary["points"] == 6
    index = similar_items(project).index()
    assert index.embedder.startswith("image:")
    seq_of = dict(zip(index.ids, index.seqs, strict=True))
    (first, *_rest) = index.neighbours(seq_of["i0"], 2)
    assert first[1] in ("i2", "i4")  # another red image
