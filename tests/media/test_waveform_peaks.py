"""Waveform peaks: a click at a known time shows in the right bin of every level; empty,
truncated and non-audio files are refused with UnreadableMedia (422), never a crash."""

from __future__ import annotations

import struct
import wave

import pytest

from potato_like.media.waveform import (
    BASE_SAMPLES,
    UnreadableMedia,
    cached_file,
    compute_peaks,
    waveform_key,
)

RATE = 8000


def write_click(path, seconds=6.0, click_at=2.5):
    n = int(seconds * RATE)
    at = int(click_at * RATE)
    frames = bytearray(struct.pack(f"<{n}h", *([0] * n)))
    for i in range(at, at + 40):
        struct.pack_into("<h", frames, 2 * i, 30000)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)  # stereo: mixed to mono
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(b for i in range(0, len(frames), 2) for b in frames[i : i + 2] * 2))
    return at


def test_click_lands_in_its_bin_at_every_level(tmp_path):
    at = write_click(tmp_path / "c.wav")
    data = compute_peaks(tmp_path / "c.wav")
    assert data["sample_rate"] == RATE and data["duration"] == pytest.approx(6.0)
    assert len(data["levels"]) >= 1
    for level in data["levels"]:
        spp = level["samples_per_pixel"]
        maxima = level["data"][1::2]
        loudest = max(range(len(maxima)), key=maxima.__getitem__)
        assert loudest == at // spp, spp
        assert maxima[loudest] > 100
        assert max(maxima[:loudest] + maxima[loudest + 1 :], default=0) == 0
    assert data["levels"][0]["samples_per_pixel"] == BASE_SAMPLES


def test_long_file_gets_coarser_levels(tmp_path):
    path = tmp_path / "long.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"\x00\x01" * RATE * 120)  # two minutes
    data = compute_peaks(path)
    spps = [lvl["samples_per_pixel"] for lvl in data["levels"]]
    assert spps == [BASE_SAMPLES * 2**i for i in range(len(spps))]
    assert data["levels"][-1]["length"] <= 2000 < data["levels"][-2]["length"]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not audio at all" * 10,
        b"RIFF\x24\x00\x00\x00WAVEfmt ",  # header cut short
    ],
)
def test_bad_files_are_unreadable_media(tmp_path, content):
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(UnreadableMedia):
        compute_peaks(path)
    assert UnreadableMedia.status == 422


def test_empty_wav_is_unreadable(tmp_path):
    path = tmp_path / "empty.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
    with pytest.raises(UnreadableMedia, match="no samples"):
        compute_peaks(path)


def test_cache_is_reused_and_keys_are_checked(tmp_path):
    write_click(tmp_path / "c.wav")
    cache = tmp_path / "cache"
    key = waveform_key(tmp_path / "c.wav", cache)
    path = cached_file(cache, key)
    assert path is not None
    stamp = path.stat().st_mtime_ns
    assert waveform_key(tmp_path / "c.wav", cache) == key
    assert path.stat().st_mtime_ns == stamp  # not recomputed
    assert cached_file(cache, "../" + key) is None
    assert not list(cache.glob(".tmp-*"))
