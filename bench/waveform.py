"""Waveform benchmark: peaks of a one-hour 16 kHz mono WAV, computed once and then served
from the cache. Prints one JSON object; the figures go to docs/performance.md.

    python bench/waveform.py [--minutes 60] [--out bench/out/waveform]

The WAV is written in chunks (stdlib `wave`); the measurement runs in a fresh subprocess so
its peak RSS is the waveform's own (imports included): first compute through
`POST /api/waveform/generate`, then `GET /api/waveform/<key>` (cached) timed 20 times, and a
second generate of the same file (hash only).
"""

from __future__ import annotations

import argparse
import json
import math
import struct
import subprocess
import sys
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURE = r"""
import json, resource, statistics, sys, time
from pathlib import Path
from potato_like import create_app
cfg = Path(sys.argv[1])
t0 = time.perf_counter()
app = create_app(str(cfg))
c = app.test_client()
c.post("/auth", data={"username": "bench", "password": ""})
t1 = time.perf_counter()
r = c.post("/api/waveform/generate", json={"audio_url": "long.wav"})
t2 = time.perf_counter()
assert r.status_code == 200, r.json
key_url = r.json["waveform_url"]
times = []
size = 0
for _ in range(20):
    s = time.perf_counter()
    w = c.get(key_url)
    size = len(w.data)
    times.append(time.perf_counter() - s)
s = time.perf_counter()
again = c.post("/api/waveform/generate", json={"audio_url": "long.wav"})
t3 = time.perf_counter() - s
print(json.dumps({
    "first_generate_s": round(t2 - t1, 2),
    "cached_get_ms_median": round(statistics.median(times) * 1000, 1),
    "cached_get_ms_max": round(max(times) * 1000, 1),
    "cached_json_bytes": size,
    "regenerate_same_file_s": round(t3, 2),
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
}))
"""


def write_wav(path: Path, minutes: float, rate: int = 16000) -> None:
    total = int(minutes * 60 * rate)
    chunk = rate * 10
    step = 2 * math.pi * 440 / rate
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        block = struct.pack(f"<{chunk}h", *(int(12000 * math.sin(i * step)) for i in range(chunk)))
        written = 0
        while written < total:
            n = min(chunk, total - written)
            w.writeframes(block[: 2 * n])
            written += n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "waveform"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    wav = out / "long.wav"
    if not wav.exists() or wav.stat().st_size < args.minutes * 60 * 16000 * 2:
        write_wav(wav, args.minutes)
    (out / "data.jsonl").write_text(json.dumps({"id": "long", "text": "long.wav"}) + "\n")
    cache = out / "annotation_output" / "waveform_cache"
    for old in cache.glob("*.json") if cache.exists() else ():
        old.unlink()
    (out / "config.yaml").write_text(
        "annotation_task_name: waveform bench\ntask_dir: .\n"
        "output_annotation_dir: annotation_output\n"
        "data_files: [data.jsonl]\nitem_properties: {id_key: id, text_key: text}\n"
        "require_password: false\nannotation_schemes:\n"
        "  - {annotation_type: radio, name: q, description: q, labels: [a, b]}\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(out / "config.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["audio_minutes"] = args.minutes
    figures["wav_mb"] = round(wav.stat().st_size / 1e6, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
