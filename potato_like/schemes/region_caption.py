"""`annotation_type: region_caption` — a caption for each region drawn on the image.

Potato's options: `placeholder`, `min_length`, `max_length`, `require_all` (every region needs
a caption before submitting); ours: `region_schema` (the image_annotation scheme whose regions
are captioned; by default the project's only one). Stored value: {"captions": [{"region":
{type, coordinates}, "caption"}]}, sent in `region_captions` ({schema: [entries]}) or as
Potato's page does, `"<schema>:_data": "{\\"captions\\": [...]}"`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import json_payload
from .image_regions import RegionScheme
from .registry import register
from .structured import SpanText, kept_entries

LATER = ("agreement_distance",)


@register("region_caption")
class RegionCaption(RegionScheme):
    """Captions of image regions, in the order of the regions."""

    macro = "schemes/region_caption.html"
    value_key = "captions"
    wire_field = "region_captions"
    agreement_skip_reason = "captions of regions have no agreement measure yet"
    option_keys = ("placeholder", "min_length", "max_length", "require_all", "region_schema",
                   *LATER)  # fmt: skip

    def parse_options(self, reader: ConfigReader) -> None:
        self.read_region_schema(reader)
        self.placeholder = reader.str("placeholder", "Describe this region") or ""
        self.min_length = reader.number("min_length", 0, integer=True, minimum=0)
        self.max_length = reader.limit("max_length")
        if self.max_length is not None and self.max_length < self.min_length:
            reader.problem("max_length", "must not be less than min_length")
        self.require_all = reader.bool("require_all", False)
        for key in LATER:
            if reader.has(key):
                reader.warn(key, "accepted but not implemented yet; ignored")

    def value_for(self, raws: list[Any], text: str | None) -> dict[str, Any]:
        out = []
        for raw, where in kept_entries(self.name, raws, "caption", "region and caption"):
            caption = raw.get("caption", "")
            if not isinstance(caption, str):
                raise BadAnnotation(f"{where}: 'caption' must be text")
            caption = caption.strip()
            if caption and len(caption) < self.min_length:
                raise BadAnnotation(
                    f"{where}: a caption needs at least {self.min_length} characters"
                )
            if self.max_length is not None and len(caption) > self.max_length:
                raise BadAnnotation(f"{where}: a caption has at most {self.max_length} characters")
            out.append({"region": self.region(raw.get("region"), where), "caption": caption})
        return {"captions": out} if out else {}

    def entries_from_label(self, label: str, value: Any) -> list[Any] | None:
        if label != "_data":
            return None
        data = json_payload(self.name, value, "captions")
        if not isinstance(data.get("captions", []), list):
            raise BadAnnotation(f'{self.name}:_data must be {{"captions": [...]}}')
        return list(data.get("captions", []))

    def missing_requirement(self, label_map) -> str | None:
        entries = self.entries(label_map)
        if self.required and not entries:
            return "at least one captioned region is required"
        if self.require_all and any(not e["caption"] for e in entries):
            return "every region needs a caption"
        return None

    def readable_line(self, entry: Mapping[str, Any], span_text: SpanText) -> str:
        return f"{entry['region']['type']}: {entry['caption']}"

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(placeholder=self.placeholder, min_length=self.min_length,
                   max_length=self.max_length, require_all=self.require_all)  # fmt: skip
        return out
