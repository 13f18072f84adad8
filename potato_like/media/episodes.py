"""Robot episode manifests (Potato's episode JSON): fps, frame count, instruction, camera
streams named relative to the manifest, numeric series sampled once per frame.

`read_manifest` checks the shape and answers what the page needs: stream URLs on this site
(only files the project media guard serves), series decimated to at most `max_samples`
values each. LeRobot v2 datasets and HDF5 files are read by media/episode_sources.py.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

MAX_MANIFEST_BYTES = 20 * 1024 * 1024
MAX_SERIES = 256


class EpisodeError(ValueError):
    """Not an episode manifest we read."""


def read_manifest(
    path: Path, rel_dir: str, url_for: Callable[[str], str | None], max_samples: int = 2000
) -> dict[str, Any]:
    if path.suffix.lower() != ".json":
        raise EpisodeError(f"{path.name}: not a JSON episode manifest")
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise EpisodeError(f"{path.name}: more than {MAX_MANIFEST_BYTES:,} bytes")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise EpisodeError(f"{path.name}: not valid JSON ({exc})") from exc
    if not isinstance(doc, dict):
        raise EpisodeError(f"{path.name}: an episode manifest is a JSON object")
    fps = doc.get("fps")
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 0 < fps <= 1000:
        raise EpisodeError(f"{path.name}: 'fps' must be a number of frames per second")
    frames = doc.get("num_frames")
    series_in = doc.get("series") or []
    if not isinstance(series_in, list) or len(series_in) > MAX_SERIES:
        raise EpisodeError(f"{path.name}: 'series' must be a list of at most {MAX_SERIES}")
    series = []
    for i, s in enumerate(series_in):
        values = s.get("values") if isinstance(s, dict) else None
        if not isinstance(values, list) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            for v in values
        ):
            raise EpisodeError(f"{path.name}: series[{i}].values must be a list of numbers")
        step = max(1, math.ceil(len(values) / max_samples))
        series.append({"name": str(s.get("name", f"series {i + 1}"))[:100],
                       "unit": str(s.get("unit", ""))[:20], "step": step,
                       "values": values[::step]})  # fmt: skip
    if not isinstance(frames, int) or isinstance(frames, bool) or frames <= 0:
        frames = max(
            (len(s.get("values", [])) for s in series_in if isinstance(s, dict)), default=0
        )
    streams = []
    for i, s in enumerate(doc.get("streams") or []):
        if not isinstance(s, dict) or not isinstance(s.get("url"), str):
            raise EpisodeError(f"{path.name}: streams[{i}] needs a 'url'")
        joined = str(PurePosixPath(rel_dir) / s["url"]) if rel_dir else s["url"]
        streams.append(
            {"name": str(s.get("name", f"camera {i + 1}"))[:100], "url": url_for(joined)}
        )
    return {
        "fps": float(fps),
        "num_frames": frames,
        "duration": round(frames / fps, 3) if frames else None,
        "instruction": str(doc.get("instruction", ""))[:2000],
        "streams": streams,
        "series": series,
    }
