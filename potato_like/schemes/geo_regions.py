"""Regions of a geo_annotation outline for `task: classify_region` (a choropleth).

A region is one feature of the scheme's `basemap.geojson` outline (and of the item's
`basemap_field` GeoJSON, appended after it). Its id is the feature's `region_id_property`
(default `id`), else the feature's own `id`, else `r<index>` (Potato's rule); its name is
the `region_name_property` (default `name`). The answer holds one feature per labelled
region with `geometry: null` and properties `{region, region_name, label}`; exports put
the region's outline back in as the geometry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import BadAnnotation

MAX_NAME = 200


def regions(overlay: Mapping[str, Any] | None, id_property: str, name_property: str) -> list[dict]:
    """`[{id, name, geometry}]` in outline order (a repeated id keeps its first feature)."""
    out, seen = [], set()
    for index, feature in enumerate((overlay or {}).get("features") or []):
        props = feature.get("properties") or {}
        if props.get(id_property) not in (None, ""):
            rid = str(props[id_property])
        elif feature.get("id") not in (None, ""):
            rid = str(feature["id"])
        else:
            rid = f"r{index}"
        if rid in seen:
            continue
        seen.add(rid)
        name = props.get(name_property)
        out.append({"id": rid, "name": "" if name is None else str(name)[:MAX_NAME],
                    "geometry": feature.get("geometry")})  # fmt: skip
    return out


def check_feature(raw: Any, where: str, labels: list[str]) -> dict[str, Any]:
    """One labelled region of a stored answer, canonical."""
    if not isinstance(raw, Mapping) or raw.get("type") != "Feature":
        raise BadAnnotation(f"{where}: must be a GeoJSON Feature object")
    if raw.get("geometry") is not None:
        raise BadAnnotation(f"{where}.geometry: a classified region has geometry null")
    props = raw.get("properties")
    if not isinstance(props, Mapping):
        raise BadAnnotation(f"{where}.properties: must be an object with region and label")
    extra = sorted(set(props) - {"region", "region_name", "label"})
    if extra:
        raise BadAnnotation(f"{where}.properties: unknown key {extra[0]!r} "
                            "(region, region_name, label)")  # fmt: skip
    region = props.get("region")
    if isinstance(region, int | float) and not isinstance(region, bool):
        region = str(region)
    if not isinstance(region, str) or not region.strip():
        raise BadAnnotation(f"{where}.properties.region: must name a region of the map")
    label = props.get("label")
    if label not in labels:
        raise BadAnnotation(f"{where}.properties.label: {label!r} is not one of "
                            f"{', '.join(labels)}")  # fmt: skip
    name = props.get("region_name", "")
    if not isinstance(name, str) or len(name) > MAX_NAME:
        raise BadAnnotation(f"{where}.properties.region_name: text of at most {MAX_NAME} chars")
    return {"type": "Feature", "geometry": None,
            "properties": {"region": region, "region_name": name, "label": label}}  # fmt: skip


def check_known(features: list[dict], known: list[dict], scheme_name: str) -> None:
    """Every labelled region must be a region of the item's map."""
    ids = {r["id"] for r in known}
    for i, f in enumerate(features):
        if f["properties"]["region"] not in ids:
            raise BadAnnotation(
                f"{scheme_name}: features[{i}].properties.region: "
                f"{f['properties']['region']!r} is not a region of this map"
            )


def with_outlines(features: list[dict], known: list[dict]) -> list[dict]:
    """The answer's features with each region's outline as geometry and its outline name."""
    by_id = {r["id"]: r for r in known}
    out = []
    for f in features:
        region = by_id.get(f["properties"]["region"])
        props = dict(f["properties"])
        if region is not None and region["name"]:
            props["region_name"] = region["name"]
        geometry = region["geometry"] if region is not None else None
        out.append({"type": "Feature", "geometry": geometry, "properties": props})
    return out
