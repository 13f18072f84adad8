"""Spectrogram images of audio files, computed with librosa and cached on disk.

`spectrogram_key(path, settings, directory)` computes once per (file content, settings) a
PNG (time left to right, frequency bottom to top, one column per STFT frame, coloured with
the scheme's colour map) and a JSON file of its axes: duration, sample rate, Nyquist
frequency, the frequency range shown and its scale (`linear`: rows evenly spaced in Hz;
`mel`: evenly spaced in HTK mels, m = 2595·log10(1 + f/700)). The page maps pixels to
seconds and hertz with those numbers only.

Long files get a larger hop so an image has at most `MAX_COLUMNS` columns. Files are named
by the first 32 hex digits of SHA-256(file content hash + settings), written atomically in
`<output dir>/spectrogram_cache/`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import warnings
from pathlib import Path
from typing import Any

from .waveform import UnreadableMedia, _write_atomic, content_key

MAX_COLUMNS = 4000
MAX_SECONDS = 3600  # longer files are refused (memory: the whole file is decoded)
CACHE_KEY = re.compile(r"^[0-9a-f]{32}$")
DEFAULTS = {
    "fft_size": 1024,
    "hop_length": None,  # fft_size // 4
    "frequency_scale": "linear",
    "n_mels": 128,
    "min_freq": 0.0,
    "max_freq": None,  # Nyquist
    "colormap": "viridis",
}


def cache_dir(output_dir: Path) -> Path:
    return output_dir / "spectrogram_cache"


def cached(directory: Path, key: str, suffix: str) -> Path | None:
    if not CACHE_KEY.match(key or ""):
        return None
    path = directory / f"{key}{suffix}"
    return path if path.is_file() else None


def spectrogram_key(path: Path, settings: dict[str, Any], directory: Path) -> tuple[str, dict]:
    """(cache key, axes metadata) of the file's spectrogram, computing it when new."""
    settings = {**DEFAULTS, **settings}
    digest = hashlib.sha256(
        (content_key(path) + json.dumps(settings, sort_keys=True)).encode()
    ).hexdigest()[:32]
    meta_file = cached(directory, digest, ".json")
    if meta_file is not None and cached(directory, digest, ".png") is not None:
        return digest, json.loads(meta_file.read_text())
    png, meta = compute(path, settings)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{digest}.png.tmp").write_bytes(png)
    (directory / f"{digest}.png.tmp").replace(directory / f"{digest}.png")
    _write_atomic(directory, f"{digest}.json", json.dumps(meta))
    return digest, meta


def hz_to_mel(f: float) -> float:
    return 2595.0 * math.log10(1.0 + f / 700.0)


def compute(path: Path, settings: dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
    """(PNG bytes, axes metadata); raises UnreadableMedia."""
    import numpy as np

    samples, rate = _load(path)
    duration = len(samples) / rate
    nyquist = rate / 2
    fft = int(settings["fft_size"])
    hop = int(settings["hop_length"] or fft // 4)
    hop = max(hop, math.ceil(len(samples) / MAX_COLUMNS))
    low = float(settings["min_freq"] or 0.0)
    high = min(float(settings["max_freq"] or nyquist), nyquist)
    if low >= high:
        raise UnreadableMedia(f"min_freq {low:g} Hz is not below this file's top {high:g} Hz")
    import librosa  # lazy: heavy import

    if len(samples) < fft:
        samples = np.pad(samples, (0, fft - len(samples)))
    power = np.abs(librosa.stft(samples, n_fft=fft, hop_length=hop, center=True)) ** 2
    if settings["frequency_scale"] == "mel":
        image = librosa.feature.melspectrogram(
            S=power, sr=rate, n_mels=int(settings["n_mels"]), fmin=low, fmax=high, htk=True
        )
    else:
        freqs = librosa.fft_frequencies(sr=rate, n_fft=fft)
        image = power[(freqs >= low) & (freqs <= high)]
    db = librosa.power_to_db(image, ref=np.max, top_db=80.0)
    gray = np.clip((db + 80.0) / 80.0 * 255.0, 0, 255).astype(np.uint8)[::-1]  # high at top
    png = _png(gray, settings["colormap"])
    meta = {
        "duration": duration,
        "sample_rate": rate,
        "nyquist": nyquist,
        "min_freq": low,
        "max_freq": high,
        "frequency_scale": settings["frequency_scale"],
        "width": int(gray.shape[1]),
        "height": int(gray.shape[0]),
        "fft_size": fft,
        "hop_length": hop,
    }
    if settings["frequency_scale"] == "mel":
        meta["n_mels"] = int(settings["n_mels"])
    return png, meta


def _load(path: Path):
    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import soundfile

            info = soundfile.info(str(path))
            if info.frames <= 0 or info.samplerate <= 0:
                raise UnreadableMedia("the audio file holds no samples")
            if info.frames / info.samplerate > MAX_SECONDS:
                raise UnreadableMedia(f"the audio is longer than {MAX_SECONDS} s")
            data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
            return np.ascontiguousarray(data.mean(axis=1)), int(rate)
        except UnreadableMedia:
            raise
        except Exception:  # not a format soundfile reads: librosa's audioread fallback
            try:
                import librosa

                data, rate = librosa.load(str(path), sr=None, mono=True, duration=MAX_SECONDS)
            except Exception as e:
                raise UnreadableMedia(f"cannot decode this audio file: {str(e)[:200]}") from None
            if len(data) == 0:
                raise UnreadableMedia("the audio file holds no samples") from None
            return data, int(rate)


def _png(gray, colormap: str) -> bytes:
    import cv2

    if colormap == "grayscale":
        image = gray
    else:
        table = {"viridis": cv2.COLORMAP_VIRIDIS, "magma": cv2.COLORMAP_MAGMA}
        image = cv2.applyColorMap(gray, table.get(colormap, cv2.COLORMAP_VIRIDIS))
    ok, buf = cv2.imencode(".png", image)
    if not ok:
        raise UnreadableMedia("could not encode the spectrogram image")
    return buf.tobytes()


def audio_info(path: Path) -> tuple[float, float] | None:
    """(duration in seconds, Nyquist frequency) of an audio file soundfile reads, else None."""
    try:
        import soundfile

        info = soundfile.info(str(path))
    except Exception:  # not a format soundfile reads
        return None
    if info.samplerate <= 0:
        return None
    return info.frames / info.samplerate, info.samplerate / 2
