"""`annotation_type: geo_annotation` — points, lines and polygons (or one pin per label) on a
map, or a label per region of an outline (`task: classify_region`, a choropleth; see
geo_regions.py). Potato's options: `task` (draw, pin, classify_region), `labels` (with
`color`), `tools` (point, line, polygon, freehand), `feature_text` (true or
{prompt, required, placeholder}), `basemap` ({geojson, tiles, attribution, max_zoom,
region_id_property, region_name_property}; image/geotiff/extent are accepted and ignored),
`basemap_field`,
`preannotation_field`, `coordinate_order` (lonlat, latlon: of item GeoJSON), `projection`,
`center` ([lon, lat]), `zoom`, `height`, `snapping`, `min_features`, `max_features`,
`require_all_regions` (classify_region: every region of the configured outline needs a
label before the item counts as answered), `instructions`.

Unlike Potato, a basemap is optional: with no `basemap.tiles` the page draws on a
longitude/latitude grid with the item's and the basemap's GeoJSON, and fetches nothing. A
configured tile server's origin is added to the page's Content-Security-Policy (img-src).

Wire format (Potato's hidden input): `"<schema>:<schema>": "<GeoJSON FeatureCollection>"`
in EPSG:4326, `[longitude, latitude]`; each feature's `properties` has `label` and, with
`feature_text`, `text`; classify_region features have `geometry: null` and properties
`{region, region_name, label}`, one per labelled region of the item's map. Stored
canonically (rounded to 7 decimals, features re-numbered).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..config.reader import ConfigReader, hint
from ..errors import BadAnnotation
from . import geo_regions
from . import geojson_check as gj
from .record import RecordScheme, counts, mean
from .registry import register

TASKS = ("draw", "pin", "classify_region")
TOOLS = ("point", "line", "polygon", "freehand")
TOOL_GEOMETRY = {
    "point": "Point",
    "line": "LineString",
    "polygon": "Polygon",
    "freehand": "Polygon",
}
BASEMAP_KEYS = (
    "geojson", "tiles", "attribution", "max_zoom", "region_id_property", "region_name_property",
)  # fmt: skip
BASEMAP_IGNORED = ("image", "extent", "geotiff")
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7F7F7F")
TILE_URL = re.compile(r"\{z\}.*\{x\}.*\{-?y\}|\{z\}.*\{-?y\}.*\{x\}")
OSM_TILE_HOSTS = ("tile.openstreetmap.org", "tile.osm.org")
MAX_FEATURES = 500
MAX_TEXT = 1000
MAX_BASEMAP_BYTES = 5_000_000


@register("geo_annotation")
class GeoAnnotation(RecordScheme):
    macro = "schemes/geo_annotation.html"
    script = "js/geo-annotation.js"
    stylesheet = "css/geo-annotation.css"
    agreement_metric = None
    agreement_skip_reason = "map features have no agreement measure here yet"
    geo_features = True  # export/geo_formats.py writes its answers as GeoJSON
    option_keys = (
        "labels", "task", "tools", "feature_text", "basemap", "basemap_field",
        "preannotation_field", "coordinate_order", "projection", "center", "zoom", "height",
        "snapping", "min_features", "max_features", "require_all_regions", "instructions",
    )  # fmt: skip
    overlay: dict[str, Any] | None = None
    preannotation: dict[str, Any] | None = None
    overlay_problem: str = ""
    regions: list[dict[str, Any]] | None = None

    def parse_options(self, reader: ConfigReader) -> None:
        task = reader.str("task", "draw", choices=TASKS) or "draw"
        self.task: str = task
        self.read_labels(reader)
        # RecordScheme keeps one label (the hidden input's); the map's labels live here
        self.map_labels = list(self.labels)
        self.map_label_names = [label.name for label in self.map_labels]
        self.colors = {
            label.name: label.color or PALETTE[i % len(PALETTE)]
            for i, label in enumerate(self.map_labels)
        }
        self.tools = reader.string_list("tools") if reader.has("tools") else list(TOOLS[:3])
        for i, tool in enumerate(self.tools):
            if tool not in TOOLS:
                reader.problem(f"tools[{i}]", f"{tool!r} is not one of {', '.join(TOOLS)}"
                               f"{hint(tool, list(TOOLS))}")  # fmt: skip
        if reader.has("tools") and task != "draw":
            reader.problem("tools", "applies to task: draw only")
        self.geometries = sorted({TOOL_GEOMETRY.get(t, "Point") for t in self.tools})
        self.feature_text = _feature_text(reader)
        self.basemap_field = reader.str("basemap_field", "") or ""
        self.preannotation_field = reader.str("preannotation_field", "") or ""
        self.latlon = (
            reader.str("coordinate_order", "lonlat", choices=("lonlat", "latlon")) == "latlon"
        )
        reader.str("projection", "EPSG:3857", choices=("EPSG:3857", "EPSG:4326"))
        self.center = _center(reader)
        self.zoom = reader.number("zoom", None, minimum=0, maximum=24)
        self.height = reader.number("height", 440, integer=True, minimum=200, maximum=1200)
        reader.bool("snapping", False)
        self.require_all_regions = reader.bool("require_all_regions", False)
        if self.require_all_regions and task != "classify_region":
            reader.problem("require_all_regions", "applies to task: classify_region only")
        self.min_features = reader.number("min_features", None, integer=True, minimum=0)
        self.max_features = reader.number("max_features", None, integer=True, minimum=0)
        if task != "draw":
            for key in ("min_features", "max_features"):
                if reader.has(key):
                    reader.problem(key, "applies to task: draw only")
        if (self.min_features or 0) > (self.max_features if self.max_features is not None else 1e9):
            reader.problem("min_features", "must not exceed max_features")
        self.instructions = reader.str("instructions", "", allow_empty=True) or ""
        self._read_basemap(reader)
        self.base_regions = self._regions(self.base_overlay)
        if task == "classify_region":
            for key in ("feature_text", "preannotation_field"):
                if reader.has(key):
                    reader.problem(key, "does not apply to task: classify_region")
            if not self.base_overlay and not self.basemap_field:
                reader.problem("task", "classify_region needs region outlines in "
                               "basemap.geojson (or a basemap_field)")  # fmt: skip

    def _read_basemap(self, reader: ConfigReader) -> None:
        self.tiles = self.attribution = ""
        self.max_zoom = 19
        self.base_overlay: dict[str, Any] | None = None
        self.region_id_property, self.region_name_property = "id", "name"
        if not reader.has("basemap"):
            return
        sub = reader.child("basemap")
        sub.warn_unknown(BASEMAP_KEYS + BASEMAP_IGNORED)
        for key in BASEMAP_IGNORED:
            if sub.has(key):
                sub.warn(key, "accepted but not supported yet (only geojson and tiles); ignored")
        self.tiles = sub.str("tiles", "") or ""
        self.attribution = sub.str("attribution", "") or ""
        self.max_zoom = sub.number("max_zoom", 19, integer=True, minimum=0, maximum=24)
        self.region_id_property = sub.str("region_id_property", "id") or "id"
        self.region_name_property = sub.str("region_name_property", "name") or "name"
        if self.tiles:
            if (
                not self.tiles.startswith(("http://", "https://"))
                or not urlsplit(self.tiles).hostname
            ):
                sub.problem("tiles", "must be an http(s) URL template such as "
                            "https://tiles.example.org/{z}/{x}/{y}.png")  # fmt: skip
                self.tiles = ""
            elif not TILE_URL.search(self.tiles):
                sub.problem("tiles", "must contain {z}, {x} and {y} (or {-y})")
                self.tiles = ""
            elif not self.attribution:
                sub.problem("attribution", "is required with tiles: providers require credit")
            if urlsplit(self.tiles).hostname in OSM_TILE_HOSTS:
                sub.warn("tiles", "the OpenStreetMap Foundation's tile policy forbids heavy use; "
                         "a study with many annotators should host its own tiles")  # fmt: skip
        path = sub.str("geojson", "") or ""
        if path:
            self.base_overlay = _read_geojson_file(sub, path, self.task_dir, self.latlon)

    # -- the page ------------------------------------------------------------------------
    def content_origins(self) -> dict[str, tuple[str, ...]]:
        """Sites the page loads from beyond this one: the tile server's origin (img-src)."""
        if not self.tiles:
            return {}
        parts = urlsplit(self.tiles.replace("{", "").replace("}", ""))
        return {"img-src": (f"{parts.scheme}://{parts.netloc}",)}

    def _regions(self, overlay) -> list[dict[str, Any]]:
        if self.task != "classify_region":
            return []
        return geo_regions.regions(overlay, self.region_id_property, self.region_name_property)

    def _overlay(self, fields) -> tuple[dict[str, Any] | None, str]:
        """The scheme's outline with the item's `basemap_field` GeoJSON appended."""
        overlay, problem = self.base_overlay, ""
        if self.basemap_field and fields.get(self.basemap_field) not in (None, ""):
            try:
                item = gj.feature_collection(_json(fields[self.basemap_field]), self.latlon)
                overlay = {
                    "type": "FeatureCollection",
                    "features": [*(overlay or {}).get("features", []), *item["features"]],
                }
            except (gj.GeoError, ValueError) as exc:
                problem = f"the item's {self.basemap_field!r} is not usable GeoJSON: {exc}"
        return overlay, problem

    def for_page(self, fields, annotator, item_id, seed) -> GeoAnnotation:
        overlay, problem = self._overlay(fields)
        if self.task == "classify_region":
            return self.page_view(regions=self._regions(overlay), overlay_problem=problem)
        pre = None
        if self.preannotation_field and fields.get(self.preannotation_field) not in (None, ""):
            try:
                pre = self.check_record(_json(fields[self.preannotation_field]), strict=False)
            except (BadAnnotation, ValueError):
                pre = None
        return self.page_view(overlay=overlay, preannotation=pre, overlay_problem=problem)

    def page_config(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "labels": [
                {"name": lb.name, "text": lb.shown, "color": self.colors[lb.name]}
                for lb in self.map_labels
            ],
            "tools": [t for t in self.tools if t in TOOLS],
            "featureText": self.feature_text,
            "tiles": self.tiles,
            "attribution": self.attribution,
            "maxZoom": self.max_zoom,
            "center": self.center,
            "zoom": self.zoom,
            "maxFeatures": self.max_features,
            "overlay": self.overlay,
            "preannotation": self.preannotation,
            "regions": self.regions,
        }

    # -- values --------------------------------------------------------------------------
    def check_record(self, record: Mapping[str, Any], strict: bool = True) -> dict[str, Any] | None:
        if record.get("type") != "FeatureCollection":
            raise BadAnnotation(f"{self.name}: the answer must be a GeoJSON FeatureCollection")
        raw = record.get("features")
        if not isinstance(raw, list):
            raise BadAnnotation(f"{self.name}: a FeatureCollection needs a 'features' list")
        limit = self.max_features if self.max_features is not None else MAX_FEATURES
        if len(raw) > min(limit, MAX_FEATURES):
            raise BadAnnotation(f"{self.name}: {len(raw)} features, more than the {limit} allowed")
        features, pinned = [], set()
        for i, f in enumerate(raw):
            if self.task == "classify_region":
                feature = geo_regions.check_feature(
                    f, f"{self.name}: features[{i}]", self.map_label_names
                )
                region = feature["properties"]["region"]
                if region in pinned:
                    raise BadAnnotation(f"{self.name}: region {region!r} is labelled twice")
                pinned.add(region)
                features.append({**feature, "id": f"f{i + 1}"})
                continue
            feature = self._feature(f, f"{self.name}: features[{i}]")
            label = feature["properties"]["label"]
            if self.task == "pin":
                if label in pinned:
                    raise BadAnnotation(f"{self.name}: label {label!r} is pinned twice; "
                                        "a pin task takes one point per label")  # fmt: skip
                pinned.add(label)
            features.append({**feature, "id": f"f{i + 1}"})
        if not features:
            return None
        return {"type": "FeatureCollection", "features": features}

    def _feature(self, raw: Any, where: str) -> dict[str, Any]:
        if not isinstance(raw, Mapping) or raw.get("type") != "Feature":
            raise BadAnnotation(f"{where}: must be a GeoJSON Feature object")
        allowed = ("Point",) if self.task == "pin" else tuple(self.geometries)
        try:
            geometry = gj.geometry(raw.get("geometry"), f"{where}.geometry", allowed)
        except gj.GeoError as exc:
            raise BadAnnotation(str(exc)) from None
        props = raw.get("properties")
        if not isinstance(props, Mapping):
            raise BadAnnotation(f"{where}.properties: must be an object with a 'label'")
        extra = sorted(set(props) - {"label", "text"})
        if extra:
            raise BadAnnotation(f"{where}.properties: unknown key {extra[0]!r} (label, text)")
        label = props.get("label")
        names = self.map_label_names
        if label not in names:
            raise BadAnnotation(f"{where}.properties.label: {label!r} is not one of "
                                f"{', '.join(names)}{hint(str(label), names)}")  # fmt: skip
        out: dict[str, Any] = {"label": label}
        text = props.get("text")
        if text not in (None, ""):
            if not self.feature_text:
                raise BadAnnotation(f"{where}.properties.text: this map takes no feature text")
            if not isinstance(text, str) or len(text) > MAX_TEXT:
                raise BadAnnotation(
                    f"{where}.properties.text: must be text of at most {MAX_TEXT} characters"
                )
            out["text"] = text.strip()
        return {"type": "Feature", "geometry": geometry, "properties": out}

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        """A classified region must be a region of this item's map."""
        if self.task == "classify_region" and (answer := self.answer(label_map)):
            known = self._regions(self._overlay(fields)[0])
            geo_regions.check_known(answer["features"], known, self.name)

    def missing_requirement(self, label_map) -> str | None:
        answer = self.answer(label_map or {}) or {"features": []}
        features = answer["features"]
        if self.require_all_regions and self.base_regions:
            done = {f["properties"].get("region") for f in features}
            left = [r["name"] or r["id"] for r in self.base_regions if r["id"] not in done]
            if left:
                return f"label every region ({len(left)} left: {', '.join(left[:5])})"

        if self.min_features and len(features) < self.min_features:
            return f"draw at least {self.min_features} features (now {len(features)})"
        if self.task == "pin" and self.required and len(features) < len(self.map_labels):
            missing = [
                n
                for n in self.map_label_names
                if n not in {f["properties"]["label"] for f in features}
            ]
            return f"place a pin for {', '.join(missing)}"
        needs_text = self.feature_text and self.feature_text["required"]
        if needs_text and any(not f["properties"].get("text") for f in features):
            return f"every feature needs its {self.feature_text['prompt'].lower()}"
        return super().missing_requirement(label_map)

    def features(
        self, label_map: Mapping[str, str] | None, fields: Mapping | None = None
    ) -> list[dict[str, Any]]:
        """The answer's features; with the item's `fields`, classified regions carry their
        outline as geometry (for exports)."""
        found = (self.answer(label_map or {}) or {}).get("features", [])
        if self.task == "classify_region" and fields is not None:
            return geo_regions.with_outlines(found, self._regions(self._overlay(fields)[0]))
        return found

    def dashboard_summary(self, label_maps):
        features = [f for m in label_maps if m for f in self.features(m)]
        if self.task == "classify_region":
            by_region: dict[str, dict[str, int]] = {}
            for f in features:
                votes = by_region.setdefault(f["properties"]["region"], {})
                votes[f["properties"]["label"]] = votes.get(f["properties"]["label"], 0) + 1
            return {
                "regions_by_label": counts(f["properties"]["label"] for f in features),
                "labels_by_region": {
                    r: dict(sorted(v.items())) for r, v in sorted(by_region.items())
                },
                "mean_regions_per_answer": mean(
                    [float(len(self.features(m))) for m in label_maps if m]
                ),
            }
        return {
            "features_by_label": counts(f["properties"]["label"] for f in features),
            "features_by_geometry": counts(f["geometry"]["type"] for f in features),
            "mean_features_per_answer": mean(
                [float(len(self.features(m))) for m in label_maps if m]
            ),
            "bounding_box": gj.bbox(features),
        }

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "labels": self.map_label_names, "task": self.task,
                "tools": list(self.tools), "tiles": self.tiles or None}  # fmt: skip


def _feature_text(reader: ConfigReader) -> dict[str, Any] | None:
    raw = reader.raw.get("feature_text")
    if raw is None or raw is False:
        return None
    if raw is True:
        return {"prompt": "Name", "required": False, "placeholder": ""}
    sub = reader.child("feature_text")
    sub.warn_unknown(("prompt", "required", "placeholder"))
    return {
        "prompt": sub.str("prompt", "Name") or "Name",
        "required": sub.bool("required", False),
        "placeholder": sub.str("placeholder", "", allow_empty=True) or "",
    }


def _center(reader: ConfigReader) -> list[float] | None:
    raw = reader.raw.get("center")
    if raw is None:
        return None
    try:
        return gj.position(raw, reader.key_path("center"))[:2]
    except gj.GeoError as exc:
        reader.problems.append(str(exc))
        return None


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _read_geojson_file(sub: ConfigReader, rel: str, task_dir: Path, latlon: bool):
    path = (task_dir / rel).resolve()
    if not path.is_relative_to(task_dir.resolve()):
        sub.problem("geojson", f"{rel!r} must be a path inside the project directory")
        return None
    try:
        if path.stat().st_size > MAX_BASEMAP_BYTES:
            sub.problem("geojson", f"{rel!r} is larger than {MAX_BASEMAP_BYTES} bytes")
            return None
        return gj.feature_collection(json.loads(path.read_text(encoding="utf-8")), latlon)
    except OSError as exc:
        sub.problem("geojson", f"cannot read {rel!r}: {exc.strerror or exc}")
    except ValueError as exc:  # GeoError is a ValueError, as is bad JSON
        sub.problem("geojson", f"{rel!r} is not usable GeoJSON: {exc}")
    return None
