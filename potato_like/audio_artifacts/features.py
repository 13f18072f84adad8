"""Frame features of a recording (librosa's definitions of RMS, spectral flux and MFCCs,
computed with numpy/scipy: importing librosa costs 6-9 s of numba start-up on the reference
machine, per worker process and per test run), chosen for the artifacts people label:

- clicks: a short burst -> the frame's peak against its RMS (crest factor), spectral flux,
  and both against the recording's local median;
- clipping: the share of samples at the recording's ceiling;
- hum: the share of energy below ~150 Hz;
- dropouts: log RMS against the recording's median (silence inside sound);
- timbre in general: 13 MFCCs and the zero-crossing rate.

Each frame also sees how its neighbours differ (±2 frames), so a frame-level classifier can
tell an onset from a steady sound."""

from __future__ import annotations

from pathlib import Path

import numpy as np

SAMPLE_RATE = 16_000
N_FFT = 512
HOP = 256
EPS = 1e-8
CONTEXT = 2


def load(path: Path) -> np.ndarray:
    """Mono float samples at SAMPLE_RATE. soundfile reads WAV/FLAC/OGG (and MP3 with a
    recent libsndfile); raises on a file it cannot decode."""
    import soundfile

    data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    mono = data.mean(axis=1)
    if rate != SAMPLE_RATE:
        from math import gcd

        from scipy.signal import resample_poly

        common = gcd(int(rate), SAMPLE_RATE)
        mono = resample_poly(mono, SAMPLE_RATE // common, int(rate) // common)
    return np.ascontiguousarray(mono, dtype=np.float32)


def frame_times(n_frames: int) -> np.ndarray:
    return np.arange(n_frames) * HOP / SAMPLE_RATE


def _local_median(values: np.ndarray, width: int = 31) -> np.ndarray:
    from scipy.ndimage import median_filter

    return median_filter(values, size=width, mode="nearest")


def _mel_filters(n_mels: int = 40) -> np.ndarray:
    """Triangular mel filters (HTK mel scale) over the rfft bins, area-normalised."""

    def to_mel(f):
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def to_hz(m):
        return 700.0 * (10 ** (m / 2595.0) - 1.0)

    freqs = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    edges = to_hz(np.linspace(to_mel(0.0), to_mel(SAMPLE_RATE / 2), n_mels + 2))
    filters = np.zeros((n_mels, len(freqs)))
    for i in range(n_mels):
        low, mid, high = edges[i : i + 3]
        rising = (freqs - low) / max(mid - low, EPS)
        falling = (high - freqs) / max(high - mid, EPS)
        filters[i] = np.maximum(0.0, np.minimum(rising, falling)) * 2.0 / (high - low)
    return filters


def frame_features(y: np.ndarray) -> np.ndarray:
    """(n_frames, n_features) for samples at SAMPLE_RATE (frames centred, as librosa's)."""
    from scipy.fft import dct

    if len(y) < N_FFT:
        y = np.pad(y, (0, N_FFT - len(y)))
    padded = np.pad(y, N_FFT // 2, mode="constant")
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP].T  # (N_FFT, n)
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(N_FFT)[:, None], axis=0))
    power = spectrum**2

    rms = np.sqrt((frames**2).mean(axis=0)) + EPS
    peak = np.abs(frames).max(axis=0) + EPS
    log_rms = np.log(rms)
    rel_rms = log_rms - np.median(log_rms)
    crest = np.log(peak / rms)
    ceiling = max(float(np.abs(y).max()), EPS)
    clipped = (np.abs(frames) >= 0.98 * ceiling).mean(axis=0) * (ceiling > 0.5)
    flux = np.r_[0.0, np.sqrt((np.diff(spectrum, axis=1).clip(min=0) ** 2).sum(axis=0))]
    log_flux = np.log(flux + EPS)
    freqs = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    low_share = power[freqs < 150].sum(axis=0) / (power.sum(axis=0) + EPS)
    high_share = power[freqs > 4000].sum(axis=0) / (power.sum(axis=0) + EPS)
    mel_db = 10.0 * np.log10(np.maximum(_mel_filters() @ power, 1e-10))
    mfcc = dct(mel_db, axis=0, type=2, norm="ortho")[:13]
    zcr = (np.diff(np.sign(frames), axis=0) != 0).mean(axis=0)

    base = np.vstack(
        [
            rel_rms,
            log_rms - _local_median(log_rms),
            crest,
            crest - _local_median(crest),
            log_flux - _local_median(log_flux),
            clipped,
            low_share,
            high_share,
            zcr,
            mfcc,
        ]
    ).T  # (n, d)
    shifted = [np.roll(base[:, :5], shift, axis=0) - base[:, :5] for shift in (-2, -1, 1, 2)]
    return np.hstack([base, *shifted]).astype(np.float32)


def frame_labels(
    n_frames: int, segments: list[tuple[float, float, str]], none: str = "none"
) -> np.ndarray:
    """Each frame's label: the label of a segment the frame's window overlaps, else `none`."""
    labels = np.full(n_frames, none, dtype=object)
    centers = frame_times(n_frames)
    half = N_FFT / 2 / SAMPLE_RATE
    for start, end, label in segments:
        labels[(centers + half > start) & (centers - half < end)] = label
    return labels
