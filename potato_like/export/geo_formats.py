"""Map answers as one GeoJSON FeatureCollection (RFC 7946, [longitude, latitude]).

A scheme takes part when it sets `geo_features` and offers `features(label_map, fields)` (its
answer's GeoJSON features, given the item's fields: a region answer takes its outline from
them); nothing here names a type. Each feature of each (item,
annotator, scheme) answer becomes one feature whose properties also name `item_id`,
`annotator` and `schema`. Streamed feature by feature: memory stays constant.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from .registry import Exporter, register


@register
class GeoJSONExport(Exporter):
    name = "geojson"
    description = "Map features of every answer as one GeoJSON FeatureCollection"
    extension = "geojson"
    mimetype = "application/geo+json"

    def stream(self, project) -> Iterator[str]:
        schemes = [s for s in project.config.schemes if getattr(s, "geo_features", False)]
        yield '{"type": "FeatureCollection", "features": ['
        first = True
        if schemes:
            for row in project.store.annotations.iter_annotated():
                for scheme in schemes:
                    for feature in scheme.features(row.label_maps.get(scheme.name), row.fields):
                        props = {
                            **feature["properties"],
                            "item_id": row.item_id,
                            "annotator": row.user,
                            "schema": scheme.name,
                        }
                        out = {
                            "type": "Feature",
                            "geometry": feature["geometry"],
                            "properties": props,
                        }
                        yield ("" if first else ",") + "\n" + json.dumps(out, ensure_ascii=False)
                        first = False
        yield "\n]}\n"
