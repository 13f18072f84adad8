"""Embedders for media items (registered in embeddings/embedders.py's registry): the item's
value (its text, or `embeddings.source_field`) names an image or audio file of the project.

- `image` (opencv): the image shrunk to 64x64; a colour histogram in HSV (8 hues x 3
  saturations x 3 values, 72 bins) and a texture histogram (gradient orientation in 8 bins
  weighted by magnitude, plus the mean gradient magnitude and the Laplacian's standard
  deviation): 82 numbers, each block normalised, the row L2-normalised.
- `audio` (librosa): the first `embeddings.max_seconds` (30) at 16 kHz; 20 MFCCs, their
  mean and standard deviation over time (40 numbers). Columns are standardised over the
  batch (MFCC 0, the loudness, would otherwise decide everything), then rows L2-normalised.

A value that is not a readable file inside the project (a URL, a missing or broken file)
gets a zero row: it sits apart on the map instead of stopping the run. Nothing is fetched.
"""

from __future__ import annotations

import logging
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from ..media.paths import MEDIA_TYPES, in_media_dir, relative_media_path
from .embedders import Embedder, register

log = logging.getLogger("potato_like.embeddings")
IMAGE_SIDE = 64
AUDIO_RATE = 16_000
N_MFCC = 20


def media_type(value: str) -> str | None:
    """'image', 'audio' or 'video' by the file suffix of an item value, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    suffix = PurePosixPath(value.strip().split("?", 1)[0]).suffix.lower()
    kind = MEDIA_TYPES.get(suffix, "")
    return kind.split("/", 1)[0] if kind.split("/", 1)[0] in ("image", "audio", "video") else None


def common_media_type(values: list[str], share: float = 0.8) -> str | None:
    """The media type of at least `share` of the values (up to 200 looked at), else None."""
    sample = [v for v in values[:200] if isinstance(v, str) and v.strip()]
    if not sample:
        return None
    kinds = [media_type(v) for v in sample]
    for kind in ("image", "audio"):
        if kinds.count(kind) >= share * len(sample):
            return kind
    return None


def _normalised(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


class MediaEmbedder(Embedder):
    """Resolves item values to files inside `root` (the project directory, or
    `embeddings.media_root` under it)."""

    dims = 1

    def __init__(self, settings, root: Path | None = None) -> None:
        super().__init__(settings, root)
        base = Path(root or ".").resolve()
        media_root = getattr(settings, "media_root", None)
        self.base = base
        self.root = (base / media_root).resolve() if media_root else base

    def file_of(self, value: str) -> Path | None:
        clean = relative_media_path((value or "").strip())
        if clean is None:
            return None
        for root in dict.fromkeys((self.root, self.base)):
            try:
                path = (root / in_media_dir(root, clean)).resolve(strict=True)
            except (OSError, RuntimeError):
                continue
            if path.is_file() and path.is_relative_to(self.base):
                return path
        return None

    def vectors(self, texts: list[str]) -> Any:
        rows = np.zeros((len(texts), self.dims), dtype=np.float64)
        missing = 0
        for i, value in enumerate(texts):
            path = self.file_of(value)
            features = None if path is None else self.features(path)
            if features is None:
                missing += 1
            else:
                rows[i] = features
        if missing:
            log.info("%s embedder: %d of %d items have no readable file", self.name, missing,
                     len(texts))  # fmt: skip
        return _normalised(self.finish(rows))

    def features(self, path: Path) -> np.ndarray | None:
        raise NotImplementedError

    def finish(self, rows: np.ndarray) -> np.ndarray:
        return rows


@register("image")
class ImageEmbedder(MediaEmbedder):
    dims = 72 + 8 + 2

    def features(self, path: Path) -> np.ndarray | None:
        import cv2

        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            return None
        small = cv2.resize(bgr, (IMAGE_SIDE, IMAGE_SIDE), interpolation=cv2.INTER_AREA)
        hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
        colour = cv2.calcHist([hsv], [0, 1, 2], None, [8, 3, 3], [0, 180, 0, 256, 0, 256])
        colour = colour.ravel() / max(1.0, colour.sum())
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
        gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
        magnitude, angle = cv2.cartToPolar(gx, gy, angleInDegrees=True)
        bins = (angle.ravel() % 180 // 22.5).astype(int)  # orientation, sign ignored
        texture = np.bincount(bins, weights=magnitude.ravel(), minlength=8)[:8]
        texture = texture / max(1e-9, texture.sum())
        sharpness = float(cv2.Laplacian(grey, cv2.CV_32F).std())
        return np.concatenate([colour, texture, [float(magnitude.mean()), sharpness]])

    def describe(self) -> str:
        return "image:hsv-histogram+gradients"


@register("audio")
class AudioEmbedder(MediaEmbedder):
    dims = 2 * N_MFCC

    def features(self, path: Path) -> np.ndarray | None:
        import librosa

        seconds = float(getattr(self.settings, "max_seconds", 30.0) or 30.0)
        try:
            signal, rate = librosa.load(str(path), sr=AUDIO_RATE, mono=True, duration=seconds)
        except Exception as exc:  # unreadable or unsupported file: a zero row
            log.info("audio embedder: %s not read (%s)", path.name, exc)
            return None
        if signal.size < 512:
            return None
        mfcc = librosa.feature.mfcc(y=signal, sr=rate, n_mfcc=N_MFCC)
        return np.concatenate([mfcc.mean(axis=1), mfcc.std(axis=1)])

    def finish(self, rows: np.ndarray) -> np.ndarray:
        present = np.abs(rows).sum(axis=1) > 0
        if present.sum() < 2:
            return rows
        mean = rows[present].mean(axis=0)
        std = rows[present].std(axis=0)
        out = np.zeros_like(rows)
        out[present] = (rows[present] - mean) / np.where(std > 1e-9, std, 1.0)
        return out

    def describe(self) -> str:
        return f"audio:mfcc{N_MFCC}-mean-std"
