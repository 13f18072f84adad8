"""Robot episodes from LeRobot v2 datasets (pyarrow) and HDF5 files (h5py), answered in the
shape of media/episodes.py's JSON manifests. Both libraries are the optional `episodes`
extra, imported only here and only when such an episode is asked for.

LeRobot v2: a directory with `meta/info.json` (`fps`, `features`, the `data_path` and
`video_path` templates with `{episode_chunk}`, `{episode_index}`, `{video_key}`,
`chunks_size`), per-episode parquet files with one row per frame, per-camera mp4 files and
`meta/tasks.jsonl` (task_index -> instruction). Index columns are not drawn; vector columns
become one series per component, named from `features[col].names` when given.

HDF5: RoboMimic (`/data/<demo>/...`, one file per dataset: `episode` picks the demo, default
the first) or ALOHA (the whole file is one episode). Every per-frame numeric dataset becomes
series (2-D ones one per column); image arrays stay in the file and are listed in
`warnings`; `fps` comes from the group's attributes, else the `fps` asked for.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from .episodes import MAX_SERIES, EpisodeError

INDEX_COLUMNS = {"frame_index", "episode_index", "index", "task_index", "timestamp"}
MAX_FRAMES = 2_000_000
MAX_DEPTH = 6


class MissingExtra(RuntimeError):
    """The optional library a source needs is not installed."""


def is_lerobot(path: Path) -> bool:
    return path.is_dir() and (path / "meta" / "info.json").is_file()


def is_hdf5(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in (".h5", ".hdf5")


def _series(name: str, unit: str, values: list[float], max_samples: int) -> dict[str, Any]:
    values = [float(v) if v is not None and math.isfinite(float(v)) else None for v in values]
    step = max(1, math.ceil(len(values) / max_samples)) if max_samples else 1
    return {"name": name[:100], "unit": unit[:20], "step": step, "values": values[::step]}


def _component_names(spec: dict, width: int) -> list[str]:
    names = spec.get("names")
    if isinstance(names, dict):  # {"motors": [...]} as some datasets write it
        names = next((v for v in names.values() if isinstance(v, list)), None)
    if isinstance(names, list) and len(names) == width and all(isinstance(n, str) for n in names):
        return names
    return [str(i) for i in range(width)]


def _manifest(fps, frames, instruction, streams, series, fmt, episode, warnings):
    if len(series) > MAX_SERIES:
        warnings.append(f"{len(series)} series; the first {MAX_SERIES} are shown")
        series = series[:MAX_SERIES]
    return {
        "fps": float(fps),
        "num_frames": frames,
        "duration": round(frames / fps, 3) if frames else None,
        "instruction": instruction[:2000],
        "streams": streams,
        "series": series,
        "source_format": fmt,
        "episode": episode,
        "warnings": warnings,
    }


# -- LeRobot v2 ------------------------------------------------------------------------------
def read_lerobot(
    root: Path, rel_dir: str, index: int, url_for: Callable[[str], str | None], max_samples: int
) -> dict[str, Any]:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise MissingExtra(
            "reading LeRobot datasets needs pyarrow: pip install 'potato_like[episodes]'"
        ) from exc
    try:
        info = json.loads((root / "meta" / "info.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise EpisodeError(f"meta/info.json: not valid JSON ({exc})") from exc
    if not isinstance(info, dict):
        raise EpisodeError("meta/info.json: must be a JSON object")
    fps = info.get("fps") or 30
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 0 < fps <= 1000:
        raise EpisodeError("meta/info.json: 'fps' must be a number of frames per second")
    features = info.get("features") if isinstance(info.get("features"), dict) else {}
    chunk = index // int(info.get("chunks_size") or 1000)
    place = {"episode_chunk": chunk, "episode_index": index}
    template = str(
        info.get("data_path")
        or "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet"
    )
    data_rel = _fill(template, place)
    data_path = (root / data_rel).resolve()
    if not data_path.is_relative_to(root.resolve()) or not data_path.is_file():
        raise EpisodeError(f"episode {index} is not in this dataset (no {data_rel})")
    try:
        table = pq.read_table(data_path)
    except Exception as exc:  # pyarrow raises several unrelated types
        raise EpisodeError(f"{data_rel}: not a parquet file we read ({exc})") from exc
    if table.num_rows > MAX_FRAMES:
        raise EpisodeError(f"{data_rel}: more than {MAX_FRAMES:,} frames")
    columns = {name: table.column(name).to_pylist() for name in table.schema.names}
    frames = table.num_rows
    series, warnings = [], []
    for column, values in columns.items():
        if column in INDEX_COLUMNS or not values:
            continue
        spec = features.get(column) if isinstance(features.get(column), dict) else {}
        unit = str(spec.get("unit") or "")
        first = values[0]
        if isinstance(first, list):
            names = _component_names(spec, len(first))
            for k, part in enumerate(names):
                comp = [_number(row[k]) if isinstance(row, list) and k < len(row) else None
                        for row in values]  # fmt: skip
                series.append(_series(f"{column}.{part}", unit, comp, max_samples))
        elif isinstance(first, (int, float, bool)):
            series.append(_series(column, unit, [_number(v) for v in values], max_samples))
    streams = []
    video_template = str(
        info.get("video_path")
        or "videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4"
    )
    for key, spec in features.items():
        if not isinstance(spec, dict) or spec.get("dtype") != "video":
            continue
        rel = _fill(video_template, {**place, "video_key": key})
        joined = str(PurePosixPath(rel_dir) / rel) if rel_dir else rel
        url = url_for(joined) if (root / rel).is_file() else None
        if url is None:
            warnings.append(f"{key}: no video at {rel}")
        streams.append({"name": key.split(".")[-1][:100], "url": url})
    return _manifest(fps, frames, _instruction(root, columns.get("task_index") or []),
                     streams, series, "lerobot_v2", index, warnings)  # fmt: skip


def _fill(template: str, values: dict[str, Any]) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        raise EpisodeError(f"meta/info.json: bad path template {template!r}") from exc


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _instruction(root: Path, task_indices: list[Any]) -> str:
    tasks = root / "meta" / "tasks.jsonl"
    if not tasks.is_file():
        return ""
    lookup: dict[int, str] = {}
    for line in tasks.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            row = json.loads(line)
            lookup[int(row["task_index"])] = str(row.get("task", ""))
        except (ValueError, KeyError, TypeError):
            continue
    seen: list[str] = []
    for raw in task_indices:
        text = lookup.get(raw) if isinstance(raw, int) else None
        if text and text not in seen:
            seen.append(text)
    return " → ".join(seen)  # a multi-stage demonstration


# -- HDF5 ------------------------------------------------------------------------------------
def read_hdf5(path: Path, demo: str, fps: float, max_samples: int) -> dict[str, Any]:
    try:
        import h5py
    except ImportError as exc:
        raise MissingExtra(
            "reading HDF5 episodes needs h5py: pip install 'potato_like[episodes]'"
        ) from exc
    try:
        handle = h5py.File(str(path), "r")
    except OSError as exc:
        raise EpisodeError(f"{path.name}: not an HDF5 file we read ({exc})") from exc
    with handle as fh:
        data = fh.get("data")
        if data is not None and hasattr(data, "keys"):
            keys = sorted(data.keys(), key=_demo_key)
            if demo and demo not in keys:
                more = " …" if len(keys) > 8 else ""
                raise EpisodeError(
                    f"{path.name}: no demonstration {demo!r} (has {', '.join(keys[:8])}{more})"
                )
            if not keys:
                raise EpisodeError(f"{path.name}: holds no demonstrations")
            chosen = demo or keys[0]
            group, fmt = data[chosen], "hdf5_robomimic"
        else:
            chosen, group, fmt = path.stem, fh, "hdf5_aloha"
        series: list[dict] = []
        images: list[str] = []
        _walk(group, "", series, images, max_samples, 0)
        attrs = dict(group.attrs)
        rate = _number(attrs.get("fps", attrs.get("frame_rate")))
        instruction = attrs.get("language_instruction", attrs.get("instruction", ""))
    if isinstance(instruction, bytes):
        instruction = instruction.decode("utf-8", "replace")
    frames = max((s.pop("length") for s in series), default=0)
    warnings = [f"{name}: image frames stay in the file (not shown)" for name in images[:16]]
    rate = rate if rate and 0 < rate <= 1000 else fps
    return _manifest(rate, frames, str(instruction or ""), [], series, fmt, chosen, warnings)


def _demo_key(key: str):
    tail = key.rsplit("_", 1)[-1]
    return (0, int(tail), key) if tail.isdigit() else (1, 0, key)


def _walk(group, prefix: str, series: list, images: list, max_samples: int, depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    for key in group:
        item = group[key]
        name = f"{prefix}/{key}" if prefix else key
        if hasattr(item, "keys"):
            _walk(item, name, series, images, max_samples, depth + 1)
            continue
        shape = getattr(item, "shape", ())
        if not shape or getattr(item.dtype, "kind", "") not in "fiub":
            continue
        if len(shape) >= 3:
            images.append(name)
            continue
        if shape[0] > MAX_FRAMES:
            raise EpisodeError(f"{name}: more than {MAX_FRAMES:,} frames")
        values = item[()]
        columns = [values] if len(shape) == 1 else [values[:, k] for k in range(shape[1])]
        for k, column in enumerate(columns):
            label = name if len(shape) == 1 else f"{name}.{k}"
            one = _series(label, "", [float(v) for v in column], max_samples)
            one["length"] = int(shape[0])
            series.append(one)
