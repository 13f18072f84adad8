"""What region_caption and grounding_eval share: regions drawn on the item's image by an
image_annotation scheme of the same project (`region_schema`, by default the only one),
stored normalised to 0..1 like its shapes (media/shapes.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader, hint
from ..errors import BadAnnotation
from ..media.shapes import SHAPE_TYPES, check_geometry
from .base import Scheme
from .structured import StructuredScheme


class RegionScheme(StructuredScheme):
    """Entries that carry regions of the image an image_annotation scheme draws on."""

    text_page = False
    script = "js/image-regions.js"
    region_schema: str

    def read_region_schema(self, reader: ConfigReader) -> None:
        self.region_schema = reader.str("region_schema", "") or ""

    def resolve_references(self, schemes: Mapping[str, Scheme], reader: ConfigReader) -> None:
        drawers = [s.name for s in schemes.values() if s.image_regions and s is not self]
        if self.region_schema:
            if self.region_schema not in drawers:
                reader.problem(
                    "region_schema",
                    f"{self.region_schema!r} is not an image_annotation scheme of this project"
                    f"{hint(self.region_schema, drawers)}",
                )
        elif len(drawers) == 1:
            self.region_schema = drawers[0]
        elif not drawers:
            reader.problem(
                "annotation_type",
                f"a {self.type_name} scheme needs an image_annotation scheme to draw regions",
            )
        else:
            reader.problem("region_schema", f"name one of {', '.join(drawers)}")

    def region(self, raw: Any, where: str) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{where}: 'region' must be a shape {{type, coordinates}}")
        kind = raw.get("type")
        if kind not in SHAPE_TYPES:
            raise BadAnnotation(
                f"{where}: region type {kind!r} is not one of {', '.join(SHAPE_TYPES)}"
            )
        return {"type": kind, "coordinates": check_geometry(kind, raw.get("coordinates"), where)}

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["region_schema"] = self.region_schema
        return out
