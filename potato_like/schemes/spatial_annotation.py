"""`annotation_type: spatial_annotation` — 3D boxes, points and polylines on a point cloud.

Potato's options: `tools` (cuboid_3d, point_3d, polyline_3d, segment_3d), `labels` (with
`color`, `key_value`), `source_field` (the item field naming the cloud, default
`point_cloud`), `color_mode` (height, intensity, rgb, uniform), `point_size`, `max_points`,
`default_box_height`, `min_annotations`, `max_annotations`; the octree and slab-view options
(`lod`, `point_budget`, `min_screen_size`, `max_loaded_nodes`, `mpr`, `slab_thickness`,
`fit_box_height`, `calibration_field`, `attributes`) are accepted and ignored.

Wire format as Potato's client writes it, the JSON text of a list in `"<schema>:_data"`:
`{type: "cuboid_3d", label, color, track_id?, coordinates: {center: [x, y, z], size: [l, w,
h], rotation: [qx, qy, qz, qw]}}`, `{type: "point_3d", label, coordinates: [x, y, z]}`,
`{type: "polyline_3d", label, coordinates: [[x, y, z], ...]}`, `{type: "segment_3d", label,
indices: [i, ...]}`. Coordinates are metres in the sensor frame (never normalised); a
rotation is stored as a unit quaternion. The page (static/js/spatial-annotation.js) is a
bird's-eye view of the cloud where boxes and points are placed with the pointer or the
keyboard, above a three.js 3D view (static/js/spatial-3d.js) that draws everything and makes
segments from lasso or box selections of points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader, hint
from ..errors import BadAnnotation
from .record import counts, mean
from .registry import register
from .timeline import TimelineScheme, media_src, short_text

TOOLS = ("cuboid_3d", "point_3d", "polyline_3d", "segment_3d")
TOOL_KEYS = {"cuboid_3d": "c", "point_3d": "k", "polyline_3d": "n", "segment_3d": "g"}
COLOR_MODES = ("height", "intensity", "rgb", "uniform")
IGNORED = (
    "lod", "point_budget", "min_screen_size", "max_loaded_nodes", "mpr", "slab_thickness",
    "fit_box_height", "calibration_field", "attributes",
)  # fmt: skip
MAX_OBJECTS = 5_000
MAX_COORD = 100_000.0  # metres
MAX_INDICES = 5_000_000
COLORS = ("#FF6B6B", "#4ECDC4", "#FFD93D", "#6C8AE4", "#95E1A3", "#C9A0DC")


@register("spatial_annotation")
class SpatialAnnotation(TimelineScheme):
    macro = "schemes/spatial_annotation.html"
    script = "js/spatial-annotation.js"
    json_list = True
    summarizes_answers = True
    agreement_skip_reason = "3D boxes have no agreement measure here yet"
    option_keys = (
        "labels", "tools", "source_field", "color_mode", "point_size", "max_points",
        "default_box_height", "min_annotations", "max_annotations", *IGNORED,
    )  # fmt: skip

    def parse_options(self, reader: ConfigReader) -> None:
        self.read_labels(reader)
        self.tools: list[str] = []
        raw = reader.raw.get("tools")
        if not isinstance(raw, list) or not raw:
            reader.problem("tools", f"is required: a non-empty list of {', '.join(TOOLS)}")
        else:
            for i, tool in enumerate(raw):
                if tool not in TOOLS:
                    reader.problem(
                        f"tools[{i}]",
                        f"{tool!r} is not a spatial tool; expected one of {', '.join(TOOLS)}"
                        f"{hint(str(tool), list(TOOLS))}",
                    )
                elif tool not in self.tools:
                    self.tools.append(tool)
        self.source_field = reader.str("source_field", "point_cloud") or "point_cloud"
        self.color_mode = reader.str("color_mode", "height", choices=COLOR_MODES)
        self.point_size = float(reader.number("point_size", 1.5, minimum=0.1, maximum=20))
        self.max_points = reader.number("max_points", 200_000, integer=True, minimum=1000)
        self.default_box_height = float(
            reader.number("default_box_height", 1.7, minimum=0.01, maximum=1000)
        )
        self.min_annotations = reader.number("min_annotations", 0, integer=True, minimum=0)
        self.max_annotations = reader.limit("max_annotations")
        for key in IGNORED:
            if reader.has(key):
                reader.warn(key, "accepted; the bird's-eye editor has no use for it")
        if self.min_annotations:
            self.required = True

    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        import copy

        page = copy.copy(self)
        value = fields.get(self.source_field)
        page.media_src = value.strip() if isinstance(value, str) and media_src(value) else None
        return page

    def page_config(self) -> dict[str, Any]:
        return {
            "schema": self.name,
            "tools": list(self.tools),
            "toolKeys": {t: TOOL_KEYS[t] for t in self.tools},
            "segment3d": "segment_3d" in self.tools,
            "labels": [
                {
                    "name": lab.name,
                    "text": lab.shown,
                    "key": lab.key,
                    "color": lab.color or COLORS[i % len(COLORS)],
                }
                for i, lab in enumerate(self.labels)
            ],
            "cloud": self.media_src,
            "colorMode": self.color_mode,
            "pointSize": self.point_size,
            "maxPoints": self.max_points,
            "defaultBoxHeight": self.default_box_height,
            "maxAnnotations": self.max_annotations,
        }

    # -- values ---------------------------------------------------------------------------
    def clean_data(self, data: Any) -> list[dict[str, Any]] | None:
        if isinstance(data, Mapping):  # {"annotations": [...]} as some clients wrap it
            data = data.get("annotations", data.get("objects"))
        if not isinstance(data, list):
            raise BadAnnotation(f"{self.name}: the value must be a list of 3D objects")
        if len(data) > MAX_OBJECTS:
            raise BadAnnotation(f"{self.name}: at most {MAX_OBJECTS} objects")
        out = [self.one_object(raw, f"{self.name}[{i}]") for i, raw in enumerate(data)]
        if self.max_annotations is not None and len(out) > self.max_annotations:
            raise BadAnnotation(f"{self.name}: at most {self.max_annotations} objects are allowed")
        return out or None

    def one_object(self, raw: Any, where: str) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{where}: each object is {{type, label, coordinates}}")
        kind = raw.get("type")
        if kind not in TOOLS:
            raise BadAnnotation(f"{where}: type {kind!r} is not one of {', '.join(TOOLS)}")
        if kind not in self.tools:
            raise BadAnnotation(
                f"{where}: this scheme's tools ({', '.join(self.tools)}) do not make {kind}"
            )
        label = raw.get("label")
        if label not in self.label_names:
            raise self.unknown_label(str(label))
        out: dict[str, Any] = {"type": kind, "label": label}
        color = raw.get("color")
        out["color"] = color if isinstance(color, str) and len(color) <= 40 else self._color(label)
        if raw.get("track_id") not in (None, ""):
            out["track_id"] = short_text(self.name, f"{where}.track_id", str(raw["track_id"]))
        coords = raw.get("coordinates")
        if kind == "cuboid_3d":
            if not isinstance(coords, Mapping):
                raise BadAnnotation(
                    f"{where}: a cuboid's coordinates are {{center, size, rotation}}"
                )
            size = _vector(coords.get("size"), 3, f"{where}.size")
            if any(s <= 0 for s in size):
                raise BadAnnotation(f"{where}.size: length, width and height must be positive")
            out["coordinates"] = {
                "center": _vector(coords.get("center"), 3, f"{where}.center"),
                "size": size,
                "rotation": _quaternion(coords.get("rotation"), f"{where}.rotation"),
            }
        elif kind == "point_3d":
            out["coordinates"] = _vector(coords, 3, f"{where}.coordinates")
        elif kind == "polyline_3d":
            if not isinstance(coords, list) or len(coords) < 2:
                raise BadAnnotation(f"{where}: a 3D polyline needs at least 2 points")
            out["coordinates"] = [
                _vector(p, 3, f"{where}.coordinates[{i}]") for i, p in enumerate(coords[:10_000])
            ]
        else:
            indices = raw.get("indices")
            if not isinstance(indices, list) or not indices or len(indices) > MAX_INDICES:
                raise BadAnnotation(f"{where}: a segment needs a non-empty list of point indices")
            if not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in indices):
                raise BadAnnotation(f"{where}.indices: point indices are whole numbers from 0")
            out["indices"] = sorted(set(indices))
        return out

    def _color(self, label: str) -> str:
        i = self.label_names.index(label)
        return self.labels[i].color or COLORS[i % len(COLORS)]

    # -- what the rest of the app asks ----------------------------------------------------
    def missing_requirement(self, label_map) -> str | None:
        count = len(self.data(label_map))
        least = max(self.min_annotations, 1 if self.required else 0)
        if count < least:
            return f"at least {least} 3D object{'s' if least != 1 else ''} required, got {count}"
        return None

    def dashboard_summary(self, label_maps):
        objects = [o for m in label_maps if m for o in self.data(m)]
        sizes: dict[str, list[float]] = {}
        for o in objects:
            if o["type"] == "cuboid_3d":
                sizes.setdefault(o["label"], []).append(o["coordinates"]["size"][0])
        return {
            "objects_by_label": counts(o["label"] for o in objects),
            "objects_by_type": counts(o["type"] for o in objects),
            "mean_objects_per_answer": mean([float(len(self.data(m))) for m in label_maps if m]),
            "mean_box_length_m": {label: mean(v) for label, v in sorted(sizes.items())},
        }

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "tools": list(self.tools)}


def _vector(raw: Any, n: int, where: str) -> list[float]:
    if not isinstance(raw, (list, tuple)) or len(raw) != n:
        raise BadAnnotation(f"{where}: expected {n} numbers")
    out = []
    for v in raw:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise BadAnnotation(f"{where}: expected {n} finite numbers")
        if abs(v) > MAX_COORD:
            raise BadAnnotation(f"{where}: {v} is more than {MAX_COORD:g} m from the sensor")
        out.append(round(float(v), 4))
    return out


def _quaternion(raw: Any, where: str) -> list[float]:
    """A unit quaternion [x, y, z, w]; identity when none is given."""
    if raw is None:
        return [0.0, 0.0, 0.0, 1.0]
    q = _vector(raw, 4, where)
    norm = math.sqrt(sum(v * v for v in q))
    if norm < 1e-9:
        raise BadAnnotation(f"{where}: a rotation quaternion cannot be all zeros")
    return [round(v / norm, 6) for v in q]
