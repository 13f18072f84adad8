"""Shapes drawn on an image, as Potato's client sends them, checked and given pixel values.

Wire format (one entry per shape): `{type, label, color, coordinates}` with coordinates
normalised to 0..1 of the image:

- bbox: `{x, y, width, height}`
- polygon (3+ points), polyline (2+ points), freeform (2+ points), keypoint_set: a list of
  `{x, y}` (keypoints may add `v`, the COCO visibility 0/1/2); `[x, y]` pairs are accepted
- landmark: `{x, y}`
- ellipse: `{cx, cy, rx, ry, angle}` (angle in degrees)
- mask: `{type: "mask", label, rle: {counts, size: [h, w]}}` with Potato's run lengths
  (row-major, background first), instead of coordinates

`check_shape` returns the stored form: the normalised `coordinates` plus `pixels`, the same
geometry in pixels of the image, when its size is known.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..errors import BadAnnotation

# slack for floating-point round trips of normalised values (1e-6 of the side)
EPS = 1e-6
MAX_POINTS = 10_000
POINT_TYPES = {"polygon": 3, "polyline": 2, "freeform": 2, "keypoint_set": 1}
SHAPE_TYPES = ("bbox", "polygon", "polyline", "freeform", "landmark", "ellipse", "keypoint_set")
MASK_TYPE = "mask"


def _number(value: Any, where: str, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadAnnotation(f"{where}: {name} must be a number, got {value!r}")
    return float(value)


def _unit(value: Any, where: str, name: str) -> float:
    """A normalised coordinate: a number in 0..1 (a hair outside is clamped)."""
    number = _number(value, where, name)
    if number < -EPS or number > 1 + EPS:
        raise BadAnnotation(
            f"{where}: {name} = {number:g} is outside the image (coordinates are 0..1)"
        )
    return min(1.0, max(0.0, number))


def _point(raw: Any, where: str, keypoint: bool = False) -> dict[str, float]:
    if isinstance(raw, (list, tuple)) and len(raw) in (2, 3):
        raw = dict(zip(("x", "y", "v"), raw, strict=False))
    if not isinstance(raw, Mapping):
        raise BadAnnotation(f"{where}: a point must be {{x, y}}, got {raw!r}")
    point = {"x": _unit(raw.get("x"), where, "x"), "y": _unit(raw.get("y"), where, "y")}
    if keypoint and raw.get("v") is not None:
        v = raw.get("v")
        if v not in (0, 1, 2) or isinstance(v, bool):
            raise BadAnnotation(f"{where}: keypoint visibility v must be 0, 1 or 2, got {v!r}")
        point["v"] = int(v)
    return point


def _points(raw: Any, where: str, kind: str) -> list[dict[str, float]]:
    least = POINT_TYPES[kind]
    if isinstance(raw, Mapping) and isinstance(raw.get("points"), list):
        raw = raw["points"]
    if not isinstance(raw, list):
        raise BadAnnotation(f"{where}: a {kind} needs a list of points as coordinates")
    if len(raw) < least:
        raise BadAnnotation(f"{where}: a {kind} needs at least {least} points, got {len(raw)}")
    if len(raw) > MAX_POINTS:
        raise BadAnnotation(f"{where}: a {kind} has more than {MAX_POINTS} points")
    return [_point(p, f"{where} point {i + 1}", kind == "keypoint_set") for i, p in enumerate(raw)]


def _bbox(raw: Any, where: str) -> dict[str, float]:
    if not isinstance(raw, Mapping):
        raise BadAnnotation(f"{where}: a bbox needs coordinates {{x, y, width, height}}")
    box = {k: _unit(raw.get(k), where, k) for k in ("x", "y", "width", "height")}
    if box["width"] <= 0 or box["height"] <= 0:
        raise BadAnnotation(f"{where}: a bbox needs a positive width and height")
    for start, size, side in (("x", "width", "right"), ("y", "height", "bottom")):
        if box[start] + box[size] > 1 + EPS:
            raise BadAnnotation(f"{where}: the box's {side} edge is outside the image")
        box[size] = min(box[size], 1.0 - box[start])
    return box


def _ellipse(raw: Any, where: str) -> dict[str, float]:
    if not isinstance(raw, Mapping):
        raise BadAnnotation(f"{where}: an ellipse needs coordinates {{cx, cy, rx, ry, angle}}")
    out = {k: _unit(raw.get(k), where, k) for k in ("cx", "cy", "rx", "ry")}
    if out["rx"] <= 0 or out["ry"] <= 0:
        raise BadAnnotation(f"{where}: an ellipse needs positive radii rx and ry")
    out["angle"] = _number(raw.get("angle", 0) or 0, where, "angle") % 360
    return out


def check_rle(raw: Any, where: str, size: tuple[int, int] | None) -> dict[str, Any]:
    """A mask's `rle`: integer run lengths adding up to h*w; `size` ([h, w]) must be the
    image's when the server knows it."""
    if not isinstance(raw, Mapping):
        raise BadAnnotation(f"{where}: a mask needs rle {{counts, size: [h, w]}}")
    dims, counts = raw.get("size"), raw.get("counts")
    if (
        not isinstance(dims, list)
        or len(dims) != 2
        or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims)
    ):
        raise BadAnnotation(f"{where}: rle.size must be [height, width] in pixels")
    if size is not None and (dims[0], dims[1]) != (size[1], size[0]):
        raise BadAnnotation(
            f"{where}: rle.size {dims} does not match the image ({size[1]} high, {size[0]} wide)"
        )
    if not isinstance(counts, list) or not all(
        isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts
    ):
        raise BadAnnotation(f"{where}: rle.counts must be a list of run lengths (whole numbers)")
    if sum(counts) != dims[0] * dims[1]:
        raise BadAnnotation(
            f"{where}: rle.counts add up to {sum(counts)} pixels, the mask has "
            f"{dims[0] * dims[1]} ({dims[0]}x{dims[1]})"
        )
    area = sum(counts[1::2])
    if area == 0:
        raise BadAnnotation(f"{where}: the mask is empty")
    return {"counts": list(counts), "size": [dims[0], dims[1]]}


def check_geometry(kind: str, raw: Any, where: str) -> Any:
    """The normalised coordinates of a shape of type `kind` (not masks)."""
    if kind == "bbox":
        return _bbox(raw, where)
    if kind == "landmark":
        return _point(raw, where)
    if kind == "ellipse":
        return _ellipse(raw, where)
    return _points(raw, where, kind)


def to_pixels(kind: str, coords: Any, width: int, height: int) -> Any:
    """The same geometry in pixels of a `width`x`height` image (rounded to 0.01 px)."""

    def px(value: float, side: int) -> float:
        return round(value * side, 2)

    if kind == "bbox":
        return {
            "x": px(coords["x"], width),
            "y": px(coords["y"], height),
            "width": px(coords["width"], width),
            "height": px(coords["height"], height),
        }
    if kind == "ellipse":
        return {
            "cx": px(coords["cx"], width),
            "cy": px(coords["cy"], height),
            "rx": px(coords["rx"], width),
            "ry": px(coords["ry"], height),
            "angle": coords["angle"],
        }
    if kind == "landmark":
        return {"x": px(coords["x"], width), "y": px(coords["y"], height)}
    return [{**p, "x": px(p["x"], width), "y": px(p["y"], height)} for p in coords]


def rle_decode(rle: Mapping[str, Any]):
    """A mask's RLE as a uint8 array of shape (h, w) (numpy, imported lazily)."""
    import numpy as np

    height, width = rle["size"]
    flat = np.zeros(height * width, dtype=np.uint8)
    pos, on = 0, False
    for count in rle["counts"]:
        if on:
            flat[pos : pos + count] = 1
        pos += count
        on = not on
    return flat.reshape(height, width)


def rle_encode(mask) -> dict[str, Any]:
    """Potato's RLE (row-major, background first) of a 2-D 0/1 array."""
    import numpy as np

    flat = np.asarray(mask, dtype=np.uint8).ravel()
    changes = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate(([0], changes, [flat.size]))
    runs = np.diff(bounds).tolist()
    if flat.size and flat[0] == 1:
        runs = [0, *runs]
    return {"counts": [int(r) for r in runs], "size": [int(mask.shape[0]), int(mask.shape[1])]}


def bounding_box(kind: str, coords: Any) -> tuple[float, float, float, float]:
    """(x, y, width, height) in normalised units enclosing a shape (not masks)."""
    if kind == "bbox":
        return coords["x"], coords["y"], coords["width"], coords["height"]
    if kind == "landmark":
        return coords["x"], coords["y"], 0.0, 0.0
    if kind == "ellipse":
        # the axis-aligned box of a rotated ellipse
        a = math.radians(coords["angle"])
        half_w = math.hypot(coords["rx"] * math.cos(a), coords["ry"] * math.sin(a))
        half_h = math.hypot(coords["rx"] * math.sin(a), coords["ry"] * math.cos(a))
        x0, y0 = max(0.0, coords["cx"] - half_w), max(0.0, coords["cy"] - half_h)
        x1, y1 = min(1.0, coords["cx"] + half_w), min(1.0, coords["cy"] + half_h)
        return x0, y0, x1 - x0, y1 - y0
    xs = [p["x"] for p in coords]
    ys = [p["y"] for p in coords]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
