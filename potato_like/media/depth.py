"""Depth maps: read them in metres, window them, colour them, sample them.

A depth map is distances, not brightness: a 16-bit PNG in millimetres opened as an image
is a black rectangle. `read_depth` returns metres as float32 with NaN where the file says
0 ("no return"); `depth_scale` is the metres per stored unit (0.001 for millimetre PNGs;
1.0 for float .npy files). `colorize` maps a near..far window (default: the 2nd..98th
percentile of valid pixels) through an opencv colormap and paints invalid pixels in one
distinct colour; `grid` samples the metres on a coarse grid for the page's readout.
Files above `MAX_PIXELS` are refused.
"""

from __future__ import annotations

import math
from pathlib import Path

MAX_PIXELS = 50_000_000
GRID_SIDE = 160
COLORMAPS = ("turbo", "viridis", "magma", "gray")
INVALID_BGR = (255, 0, 255)  # magenta: no colormap uses it for a depth


class DepthError(ValueError):
    """Not a depth map we read (format, size or contents)."""


def read_depth(path: Path, scale: float | None):
    import numpy as np

    if path.suffix.lower() == ".npy":
        try:
            raw = np.load(path, allow_pickle=False, mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise DepthError(f"{path.name}: not a .npy array ({exc})") from exc
        scale = 1.0 if scale is None else scale
    else:
        import cv2

        raw = cv2.imread(str(path), cv2.IMREAD_UNCHANGED | cv2.IMREAD_IGNORE_ORIENTATION)
        if raw is None:
            raise DepthError(f"{path.name}: not an image that can be read")
        if raw.ndim == 3:
            raw = raw[:, :, 0]  # an 8-bit depth saved as RGB: channels are equal
        scale = (0.001 if raw.dtype == np.uint16 else 1.0) if scale is None else scale
    if raw.ndim != 2 or raw.size == 0:
        raise DepthError(f"{path.name}: a depth map is one channel of H x W values")
    if raw.size > MAX_PIXELS:
        raise DepthError(f"{path.name}: more than {MAX_PIXELS:,} pixels")
    depth = np.asarray(raw, dtype=np.float32) * np.float32(scale)
    depth[~np.isfinite(depth) | (depth <= 0)] = np.nan
    return depth


def describe(depth) -> dict:
    import numpy as np

    valid = depth[np.isfinite(depth)]
    out = {"width": int(depth.shape[1]), "height": int(depth.shape[0]), "unit": "m",
           "invalid_fraction": round(1 - valid.size / depth.size, 4)}  # fmt: skip
    if valid.size:
        lo, hi = np.percentile(valid, [2, 98])
        out.update(min=float(valid.min()), max=float(valid.max()), near=float(lo), far=float(hi))
    return out


def colorize(depth, colormap: str = "turbo", near: float | None = None,
             far: float | None = None, invert: bool = False) -> bytes:  # fmt: skip
    """PNG bytes of the window near..far through `colormap` (near = low end)."""
    import cv2
    import numpy as np

    if colormap not in COLORMAPS:
        raise DepthError(f"colormap must be one of {', '.join(COLORMAPS)}")
    info = describe(depth)
    near = info.get("near", 0.0) if near is None else near
    far = info.get("far", 1.0) if far is None else far
    if not (math.isfinite(near) and math.isfinite(far)) or far <= near:
        raise DepthError("the window needs far > near")
    valid = np.isfinite(depth)
    unit = np.clip((np.nan_to_num(depth, nan=near) - near) / (far - near), 0, 1)
    if invert:
        unit = 1 - unit
    gray = (unit * 255).astype(np.uint8)
    if colormap == "gray":
        image = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    else:
        code = {"turbo": cv2.COLORMAP_TURBO, "viridis": cv2.COLORMAP_VIRIDIS,
                "magma": cv2.COLORMAP_MAGMA}[colormap]  # fmt: skip
        image = cv2.applyColorMap(gray, code)
    image[~valid] = INVALID_BGR
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise DepthError("the depth image could not be encoded")
    return data.tobytes()


def grid(depth, side: int = GRID_SIDE) -> dict:
    """Metres sampled on at most side x side cells (nearest pixel; None where invalid)."""
    import numpy as np

    h, w = depth.shape
    step = max(1, math.ceil(max(h, w) / side))
    sample = depth[step // 2 :: step, step // 2 :: step]
    values = [[None if not np.isfinite(v) else round(float(v), 3) for v in row] for row in sample]
    return {"width": w, "height": h, "step": step, "rows": values}
