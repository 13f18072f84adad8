"""Audio for blind listening tests: bytes that do not give a slot away, and low-pass anchors.

Two slots holding the same file (an ABX X and its A, MUSHRA's hidden reference and the open
reference) would otherwise have the same bytes and length, which answers the trial without
listening. `padded_wav` adds an unknown RIFF chunk of random length before the `data` chunk
(readers skip chunks they do not know), so the samples are unchanged and the bytes differ.
Other formats are sent unchanged (documented: use WAV for blind comparisons).

`anchor_wav` makes MUSHRA's low-pass anchors (BS.1534-3: 3.5 kHz low anchor, 7 kHz
mid anchor) from a PCM WAV reference: a brick-wall low-pass in the frequency domain with a
short cosine taper, written at the reference's rate and width, cached by content.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import struct
import tempfile
import wave
from pathlib import Path

TAPER_HZ = 200.0


class AnchorError(ValueError):
    """The reference cannot give an anchor (not PCM WAV, cut-off above Nyquist)."""


def padded_wav(data: bytes) -> bytes | None:
    """The WAV bytes with a random-length padding chunk before `data`, or None (not WAV)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        size = struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        if chunk_id == b"data":
            n = 2 * (32 + secrets.randbelow(4000))  # even: no RIFF pad byte needed
            pad = b"junk" + struct.pack("<I", n) + secrets.token_bytes(n)
            out = data[:pos] + pad + data[pos:]
            return out[:4] + struct.pack("<I", len(out) - 8) + out[8:]
        pos += 8 + size + (size & 1)
    return None


def blinded_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return padded_wav(data) or data


def lowpass(samples, rate: int, cutoff_hz: float):
    import numpy as np

    spectrum = np.fft.rfft(samples, axis=0)
    freqs = np.fft.rfftfreq(samples.shape[0], d=1.0 / rate)
    gain = np.ones_like(freqs)
    edge = (freqs > cutoff_hz - TAPER_HZ) & (freqs < cutoff_hz)
    gain[edge] = 0.5 * (1 + np.cos(np.pi * (freqs[edge] - (cutoff_hz - TAPER_HZ)) / TAPER_HZ))
    gain[freqs >= cutoff_hz] = 0.0
    return np.fft.irfft(spectrum * gain[:, None], n=samples.shape[0], axis=0)


def anchor_wav(reference: Path, cutoff_hz: int, cache: Path) -> Path:
    """The cached low-pass anchor of a 16-bit PCM WAV reference (raises AnchorError)."""
    import numpy as np

    digest = hashlib.sha256(reference.read_bytes()).hexdigest()[:24]
    out = cache / f"{digest}-lp{cutoff_hz}.wav"
    if out.is_file():
        return out
    try:
        with wave.open(str(reference), "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AnchorError(f"anchors are made from a PCM WAV reference: {exc}") from None
    if width != 2:
        raise AnchorError("anchors are made from a 16-bit PCM WAV reference")
    if cutoff_hz >= rate / 2:
        raise AnchorError(f"anchor cut-off {cutoff_hz} Hz is not below the Nyquist frequency")
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float64).reshape(-1, channels) / 32768
    filtered = np.clip(lowpass(samples, rate, cutoff_hz), -1.0, 32767 / 32768)
    cache.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache, suffix=".wav")
    os.close(fd)
    with wave.open(tmp, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((filtered * 32768).astype("<i2").tobytes())
    os.replace(tmp, out)
    return out
