"""GeoJSON (RFC 7946) checks for map answers: positions are [longitude, latitude] in
-180..180 / -90..90, finite numbers; lines have two distinct positions or more; polygon rings
are closed (first position = last), have four positions or more and enclose an area; a
feature has at most MAX_VERTICES positions. Coordinates are rounded to 7 decimals (about
1 cm). Used by geo_annotation for answers and for the GeoJSON items show under them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Any

MAX_VERTICES = 5_000  # positions in one feature
DECIMALS = 7
DRAWN_TYPES = ("Point", "LineString", "Polygon")
ALL_TYPES = (*DRAWN_TYPES, "MultiPoint", "MultiLineString", "MultiPolygon")


class GeoError(ValueError):
    """The GeoJSON breaks one of the rules above; the message names the problem."""


def position(raw: Any, where: str) -> list[float]:
    if not isinstance(raw, (list, tuple)) or len(raw) not in (2, 3):
        raise GeoError(f"{where}: a position is [longitude, latitude], got {raw!r}")
    out = []
    for value in raw:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise GeoError(f"{where}: coordinate {value!r} is not a number")
        if not math.isfinite(value):
            raise GeoError(f"{where}: coordinate {value!r} is not finite")
        out.append(round(float(value), DECIMALS))
    lon, lat = out[0], out[1]
    if not -180 <= lon <= 180 or not -90 <= lat <= 90:
        swapped = -180 <= lat <= 180 and -90 <= lon <= 90
        raise GeoError(
            f"{where}: position {out[:2]} is outside longitude -180..180 / latitude -90..90"
            + ("; GeoJSON puts longitude first" if swapped else "")
        )
    return out


def _positions(raw: Any, where: str) -> list[list[float]]:
    if not isinstance(raw, list):
        raise GeoError(f"{where}: coordinates must be a list of positions")
    return [position(p, f"{where}[{i}]") for i, p in enumerate(raw)]


def line(raw: Any, where: str) -> list[list[float]]:
    points = _positions(raw, where)
    if len({tuple(p[:2]) for p in points}) < 2:
        raise GeoError(f"{where}: a line needs at least two distinct positions")
    return points


def ring_area(ring: list[list[float]]) -> float:
    """Signed area in squared degrees (shoelace): positive when counter-clockwise."""
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring)) / 2


def polygon(raw: Any, where: str) -> list[list[list[float]]]:
    if not isinstance(raw, list) or not raw:
        raise GeoError(f"{where}: a polygon is a list of rings (the outline, then holes)")
    rings = []
    for i, ring_raw in enumerate(raw):
        at = f"{where}[{i}]"
        ring = _positions(ring_raw, at)
        if len(ring) < 4:
            raise GeoError(
                f"{at}: a ring needs at least four positions (the last repeats the first)"
            )
        if ring[0][:2] != ring[-1][:2]:
            raise GeoError(f"{at}: the ring is not closed (its last position must equal its first)")
        if len({tuple(p[:2]) for p in ring}) < 3 or abs(ring_area(ring)) < 1e-14:
            raise GeoError(f"{at}: the ring encloses no area")
        rings.append(ring)
    return rings


def geometry(raw: Any, where: str, allowed: tuple[str, ...] = DRAWN_TYPES) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise GeoError(f"{where}: a geometry must be an object with 'type' and 'coordinates'")
    kind = raw.get("type")
    if kind not in allowed:
        raise GeoError(f"{where}: geometry type {kind!r} is not one of {', '.join(allowed)}")
    coords = raw.get("coordinates")
    at = f"{where}.coordinates"
    if kind == "Point":
        value: Any = position(coords, at)
    elif kind == "LineString":
        value = line(coords, at)
    elif kind == "Polygon":
        value = polygon(coords, at)
    elif kind == "MultiPoint":
        value = _positions(coords, at)
    elif kind == "MultiLineString":
        value = [line(c, f"{at}[{i}]") for i, c in enumerate(_list(coords, at))]
    else:
        value = [polygon(c, f"{at}[{i}]") for i, c in enumerate(_list(coords, at))]
    out = {"type": kind, "coordinates": value}
    count = sum(1 for _ in iter_positions(out))
    if count > MAX_VERTICES:
        raise GeoError(f"{where}: {count} positions, more than the {MAX_VERTICES} allowed")
    return out


def _list(raw: Any, where: str) -> list[Any]:
    if not isinstance(raw, list):
        raise GeoError(f"{where}: must be a list")
    return raw


def iter_positions(geom: dict[str, Any]) -> Iterator[list[float]]:
    def walk(node: Any) -> Iterator[list[float]]:
        if node and isinstance(node[0], (int, float)):
            yield node
        else:
            for child in node:
                yield from walk(child)

    yield from walk(geom["coordinates"])


def swap_order(raw: Any) -> Any:
    """[lat, lon] positions (coordinate_order: latlon) as GeoJSON's [lon, lat]."""
    if isinstance(raw, list) and raw and isinstance(raw[0], (int, float)):
        return [raw[1], raw[0], *raw[2:]] if len(raw) >= 2 else raw
    if isinstance(raw, list):
        return [swap_order(x) for x in raw]
    return raw


def feature_collection(raw: Any, latlon: bool = False) -> dict[str, Any]:
    """Any GeoJSON an item holds (a FeatureCollection, a Feature or a bare geometry) as a
    checked FeatureCollection (for display: every geometry type but collections)."""
    if isinstance(raw, dict) and raw.get("type") == "FeatureCollection":
        items = raw.get("features")
    elif isinstance(raw, dict) and raw.get("type") == "Feature":
        items = [raw]
    elif isinstance(raw, dict):
        items = [{"type": "Feature", "geometry": raw, "properties": {}}]
    else:
        raise GeoError("GeoJSON must be a FeatureCollection, a Feature or a geometry object")
    if not isinstance(items, list):
        raise GeoError("a FeatureCollection needs a 'features' list")
    out = []
    for i, f in enumerate(items):
        if not isinstance(f, dict):
            raise GeoError(f"features[{i}]: must be an object")
        geom = f.get("geometry")
        if latlon and isinstance(geom, dict):
            geom = {**geom, "coordinates": swap_order(geom.get("coordinates"))}
        props = f.get("properties") if isinstance(f.get("properties"), dict) else {}
        out.append(
            {
                "type": "Feature",
                "geometry": geometry(geom, f"features[{i}].geometry", ALL_TYPES),
                "properties": props,
            }
        )
        if isinstance(f.get("id"), str | int) and f.get("id") != "":  # region ids (RFC 7946 3.2)
            out[-1]["id"] = f["id"]
    return {"type": "FeatureCollection", "features": out}


def bbox(features: list[dict[str, Any]]) -> list[float] | None:
    lons, lats = [], []
    for f in features:
        if f.get("geometry"):
            for p in iter_positions(f["geometry"]):
                lons.append(p[0])
                lats.append(p[1])
    return [min(lons), min(lats), max(lons), max(lats)] if lons else None
