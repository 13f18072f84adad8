"""Point clouds read with numpy: KITTI `.bin` (float32 x, y, z, intensity), `.pcd` (ASCII
or binary, fields x y z [intensity]), ASCII `.ply` and `.npy` (N x 3 or more).

Coordinates are metres in the sensor frame, never normalised. A served cloud is decimated
by a fixed stride to at most `max_points`, and the stride is reported so a point's index in
the served list maps back to its index in the file (i * stride).
"""

from __future__ import annotations

import math
from pathlib import Path

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_POINTS_READ = 20_000_000


class CloudError(ValueError):
    """Not a point cloud we read."""


def read_cloud(path: Path):
    """(N, 4) float32: x, y, z, intensity (0 when the file has none)."""
    import numpy as np

    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise CloudError(f"{path.name}: {size:,} bytes is more than {MAX_FILE_BYTES:,}")
    suffix = path.suffix.lower()
    if suffix == ".bin":
        if size % 16:
            raise CloudError(f"{path.name}: a KITTI .bin is float32 x, y, z, intensity rows")
        cloud = np.fromfile(path, dtype="<f4").reshape(-1, 4)
    elif suffix == ".npy":
        try:
            arr = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise CloudError(f"{path.name}: not a .npy array ({exc})") from exc
        if arr.ndim != 2 or arr.shape[1] < 3:
            raise CloudError(f"{path.name}: a cloud array is N x 3 (or more) numbers")
        cloud = _xyzi(arr[:, :3], arr[:, 3] if arr.shape[1] > 3 else None)
    elif suffix == ".pcd":
        cloud = _read_pcd(path)
    elif suffix == ".ply":
        cloud = _read_ply(path)
    else:
        raise CloudError(f"{path.name}: not a point cloud format (.bin, .pcd, .ply, .npy)")
    if len(cloud) > MAX_POINTS_READ:
        raise CloudError(f"{path.name}: more than {MAX_POINTS_READ:,} points")
    cloud = cloud[np.isfinite(cloud[:, :3]).all(axis=1)]
    if not len(cloud):
        raise CloudError(f"{path.name}: the cloud has no points")
    return cloud


def _xyzi(xyz, intensity=None):
    import numpy as np

    out = np.zeros((len(xyz), 4), np.float32)
    out[:, :3] = xyz
    if intensity is not None:
        out[:, 3] = intensity
    return out


def _header(fh, end: bytes, limit: int = 64) -> list[str]:
    lines = []
    for _ in range(limit):
        line = fh.readline()
        if not line:
            break
        lines.append(line.decode("ascii", "replace").strip())
        if line.strip().startswith(end):
            return lines
    raise CloudError(f"no {end.decode()} line in the header")


def _read_pcd(path: Path):
    import numpy as np

    with path.open("rb") as fh:
        try:
            head = _header(fh, b"DATA")
        except CloudError as exc:
            raise CloudError(f"{path.name}: {exc}") from exc
        meta = {line.split()[0].upper(): line.split()[1:] for line in head if line.split()}
        fields = meta.get("FIELDS", [])
        if not {"x", "y", "z"} <= set(fields):
            raise CloudError(f"{path.name}: the PCD has no x, y, z fields")
        count = int((meta.get("POINTS") or ["0"])[0])
        kind = (meta.get("DATA") or [""])[0]
        if kind == "ascii":
            rows = np.loadtxt(fh, dtype=np.float32, ndmin=2, max_rows=count or None)
        elif kind == "binary":
            sizes = [int(s) for s in meta.get("SIZE", [])]
            types = meta.get("TYPE", [])
            dtype = np.dtype(
                [(f, _pcd_type(t, s)) for f, t, s in zip(fields, types, sizes, strict=True)]
            )
            raw = np.frombuffer(fh.read(count * dtype.itemsize), dtype=dtype, count=count)
            rows = np.stack([raw[f].astype(np.float32) for f in fields], axis=1)
        else:
            raise CloudError(f"{path.name}: PCD DATA {kind!r} is not read (ascii, binary)")
    idx = [fields.index(f) for f in ("x", "y", "z")]
    inten = rows[:, fields.index("intensity")] if "intensity" in fields else None
    return _xyzi(rows[:, idx], inten)


def _pcd_type(kind: str, size: int) -> str:
    try:
        return {"F": "<f", "I": "<i", "U": "<u"}[kind] + str(size)
    except KeyError:
        raise CloudError(f"PCD TYPE {kind!r} is not read") from None


def _read_ply(path: Path):
    import numpy as np

    with path.open("rb") as fh:
        try:
            head = _header(fh, b"end_header")
        except CloudError as exc:
            raise CloudError(f"{path.name}: {exc}") from exc
        if "format ascii 1.0" not in head:
            raise CloudError(f"{path.name}: only ASCII PLY is read")
        count, props, in_vertex = 0, [], False
        for line in head:
            parts = line.split()
            if parts[:2] == ["element", "vertex"]:
                count, in_vertex = int(parts[2]), True
            elif parts[:1] == ["element"]:
                in_vertex = False
            elif parts[:1] == ["property"] and in_vertex:
                props.append(parts[-1])
        if not {"x", "y", "z"} <= set(props):
            raise CloudError(f"{path.name}: the PLY vertices have no x, y, z")
        rows = np.loadtxt(fh, dtype=np.float32, ndmin=2, max_rows=count)
    idx = [props.index(f) for f in ("x", "y", "z")]
    inten = rows[:, props.index("intensity")] if "intensity" in props else None
    return _xyzi(rows[:, idx], inten)


def served_cloud(cloud, max_points: int) -> dict:
    stride = max(1, math.ceil(len(cloud) / max(1, max_points)))
    part = cloud[::stride]
    lo, hi = cloud[:, :3].min(axis=0), cloud[:, :3].max(axis=0)
    return {
        "count": len(cloud),
        "served": len(part),
        "stride": stride,
        "bounds": {
            "min": [round(float(v), 3) for v in lo],
            "max": [round(float(v), 3) for v in hi],
        },
        "points": [round(float(v), 3) for v in part[:, :3].ravel()],
        "intensity": [round(float(v), 3) for v in part[:, 3]],
    }
