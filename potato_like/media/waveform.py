"""Waveform peaks of an audio file, computed once and cached on disk by content hash.

The file is read in blocks (soundfile, librosa's reader; librosa's audioread fallback for
other formats), so memory stays bounded
whatever its length: each block is mixed to mono and cut into bins of `BASE_SAMPLES` samples
whose minimum and maximum are kept as 8-bit peaks. Coarser levels (each twice as coarse)
are derived from the finest until a level has at most `COARSEST_POINTS` bins, so a page can
draw a one-hour file from the coarse level and zoom into finer ones.

The cache file is JSON in the shape of audiowaveform's output (`version`, `channels`,
`sample_rate`, `samples_per_pixel`, `bits`, `length`, `data`) for the finest level, plus
`duration` and `levels` (the same for every level). It lives in `<output dir>/waveform_cache/`,
named by the first 32 hex digits of the file's SHA-256, written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any

from ..errors import PotatoLikeError

BASE_SAMPLES = 256  # samples per bin of the finest level
COARSEST_POINTS = 2000
BLOCK_BINS = 1024  # bins per block read from the file (256 Ki samples)
CACHE_KEY = re.compile(r"^[0-9a-f]{32}$")


class UnreadableMedia(PotatoLikeError):
    """The file is not media this server can decode (corrupt, or an unsupported format)."""

    status = 422


def cache_dir(output_dir: Path) -> Path:
    return output_dir / "waveform_cache"


def content_key(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:32]


def cached_file(directory: Path, key: str) -> Path | None:
    """The cache file of `key`, or None (also for keys that are not cache keys)."""
    if not CACHE_KEY.match(key or ""):
        return None
    path = directory / f"{key}.json"
    return path if path.is_file() else None


def waveform_key(path: Path, directory: Path) -> str:
    """The cache key of the file's waveform, computing and storing it when new."""
    key = content_key(path)
    if cached_file(directory, key) is None:
        data = compute_peaks(path)
        _write_atomic(directory, f"{key}.json", json.dumps(data, separators=(",", ":")))
    return key


def compute_peaks(path: Path) -> dict[str, Any]:
    """The waveform levels of an audio file (raises UnreadableMedia).

    Read in blocks with soundfile (librosa's own reader, imported without librosa's
    numba-compiled parts, which cost seconds at first use). A file soundfile cannot read
    (e.g. a video's audio track) goes to librosa's audioread fallback, when a decoder for it
    is installed."""
    import numpy as np

    with warnings.catch_warnings():  # librosa's "PySoundFile failed, trying audioread"
        warnings.simplefilter("ignore")
        try:
            sample_rate, blocks = _soundfile_blocks(path)
        except Exception:  # not a format soundfile reads
            sample_rate, blocks = _librosa_blocks(path)
        return _levels(np, sample_rate, blocks)


def _soundfile_blocks(path: Path):
    import soundfile

    info = soundfile.info(str(path))
    if info.frames <= 0 or info.samplerate <= 0:
        raise UnreadableMedia("the audio file holds no samples")
    blocks = soundfile.blocks(
        str(path), blocksize=BLOCK_BINS * BASE_SAMPLES, dtype="float32", always_2d=True
    )
    return int(info.samplerate), (b.mean(axis=1) for b in blocks)


def _librosa_blocks(path: Path):
    try:
        import librosa  # lazy: heavy import

        samples, rate = librosa.load(str(path), sr=None, mono=True)
    except Exception as e:  # audioread/librosa raise many types for a bad file
        raise UnreadableMedia(f"cannot decode this audio file: {_short(e)}") from None
    step = BLOCK_BINS * BASE_SAMPLES
    return int(rate), (samples[i : i + step] for i in range(0, len(samples), step))


def _levels(np, sample_rate: int, blocks) -> dict[str, Any]:
    peaks: list[Any] = []
    samples = 0
    try:
        for block in blocks:
            samples += block.shape[-1]
            if block.shape[-1] % BASE_SAMPLES:
                # the last block: pad the partial bin with zeros
                pad = BASE_SAMPLES - block.shape[-1] % BASE_SAMPLES
                block = np.concatenate([block, np.zeros(pad, dtype=block.dtype)])
            bins = block.reshape(-1, BASE_SAMPLES)
            pair = np.empty((bins.shape[0], 2), dtype=np.int8)
            pair[:, 0] = np.clip(np.round(bins.min(axis=1) * 127), -128, 127)
            pair[:, 1] = np.clip(np.round(bins.max(axis=1) * 127), -128, 127)
            peaks.append(pair)
    except UnreadableMedia:
        raise
    except Exception as e:  # a file that breaks off in the middle
        raise UnreadableMedia(f"cannot decode this audio file: {_short(e)}") from None
    if samples == 0 or sample_rate <= 0:
        raise UnreadableMedia("the audio file holds no samples")
    finest = np.concatenate(peaks)
    levels = []
    level, spp = finest, BASE_SAMPLES
    while True:
        levels.append(_level(level, spp, sample_rate))
        if level.shape[0] <= COARSEST_POINTS:
            break
        if level.shape[0] % 2:
            level = np.concatenate([level, level[-1:]])
        pairs = level.reshape(-1, 2, 2)
        level = np.stack([pairs[:, :, 0].min(axis=1), pairs[:, :, 1].max(axis=1)], axis=1)
        spp *= 2
    return {
        **levels[0],
        "version": 2,
        "channels": 1,
        "bits": 8,
        "duration": samples / sample_rate,
        "levels": levels,
    }


def _level(peaks, samples_per_pixel: int, sample_rate: int) -> dict[str, Any]:
    return {
        "sample_rate": sample_rate,
        "samples_per_pixel": samples_per_pixel,
        "length": int(peaks.shape[0]),
        "data": peaks.reshape(-1).tolist(),
    }


def _write_atomic(directory: Path, name: str, text: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, directory / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]
