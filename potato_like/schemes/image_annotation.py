"""`annotation_type: image_annotation` — boxes, polygons, polylines, ellipses, landmarks,
keypoints and brush masks drawn on the item's image.

Potato's options: `tools`, `labels` (with `color` and `key_value`), `min_annotations`,
`max_annotations`, `zoom_enabled`, `pan_enabled`, `brush_size`, `source_field`, ... The wire
format is Potato's (media/shapes.py): a list of `{type, label, color, coordinates}`
normalised to 0..1, masks as `{type: "mask", label, rle: {counts, size: [h, w]}}`, sent in
`image_annotations` ({schema: [shapes]}), or as Potato's page does, as the JSON text of that
list in `annotations: {"<schema>:_data": "[...]"}`.

Stored value: {"shapes": [{id, type, label, color, coordinates, pixels?}], "image": {width,
height, verified}}. The image size comes from the file when the item names an image inside
the project (read with opencv, cached); for a remote URL the server does not fetch it, and the
size the client reports (`image_size: [h, w]` on a shape, or a mask's rle.size) is kept with
`verified: false`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..config.reader import ConfigReader, hint
from ..errors import BadAnnotation
from ..media.images import ImageSizes, UnreadableImage
from ..media.paths import local_media_file
from ..media.pdf import BadPdf
from ..media.shapes import MASK_TYPE, SHAPE_TYPES, check_geometry, check_rle, to_pixels
from ..media.tiles import DEFAULT_MAX_PIXELS, DEFAULT_OVERLAP, DEFAULT_TILE_SIZE
from .base import _COLOR
from .registry import register
from .structured import SpanText, StructuredScheme, entry_id, given_id, kept_entries

DEFAULT_COLORS = (
    "#FF6B6B", "#4ECDC4", "#45B7D1", "#96CEB4", "#FFEAA7",
    "#DDA0DD", "#98D8C8", "#F7DC6F", "#BB8FCE", "#85C1E9",
)  # fmt: skip
# "fabric" (Potato's name for the whole image on one canvas) or "deepzoom" (tiles)
VIEWERS = ("fabric", "deepzoom")
# tool -> the shape types it makes; mask tools paint one mask per label
TOOL_SHAPES = {
    "bbox": ("bbox",),
    "polygon": ("polygon",),
    "polyline": ("polyline",),
    "ellipse": ("ellipse",),
    "landmark": ("landmark",),
    "keypoint_set": ("keypoint_set",),
    "freeform": ("freeform", MASK_TYPE),
    "brush": (MASK_TYPE,),
    "eraser": (MASK_TYPE,),
    "fill": (MASK_TYPE,),
}
# Potato tools we accept in a config but do not offer on the page yet
LATER_TOOLS = {"sam": "interactive segmentation", "cuboid_2d": "2-D cuboids"}
# Potato options that change only presentation or assistance we do not offer yet
LATER_OPTIONS = (
    "ai_support", "segmentation", "text_prompt", "carry_over",
    "keybinding_profile", "mask_mode",
    "freeform_simplify", "skeletons",
)  # fmt: skip


def image_source(text: str | None) -> str:
    return (text or "").strip()


@register("image_annotation")
class ImageAnnotation(StructuredScheme):
    """Shapes and masks on the item's image, normalised and in pixels."""

    macro = "schemes/image_annotation.html"
    script = "js/image-annotation.js"
    value_key = "shapes"
    wire_field = "image_annotations"
    backend_type = "image"
    text_page = False
    image_regions = True
    agreement_metric = "region_iou"  # quality/image_agreement.py: IoU matching of shapes
    option_keys = (
        "labels", "tools", "min_annotations", "max_annotations", "zoom_enabled",
        "pan_enabled", "brush_size", "eraser_size", "mask_opacity", "freeform_brush_size",
        "source_field", "viewer", "tiles", "fill_mode", "fill_tolerance", "fill_max_pixels",
        *LATER_OPTIONS,
    )  # fmt: skip

    def parse_options(self, reader: ConfigReader) -> None:
        self.read_labels(reader)
        self.labels = [
            label if label.color else _with_color(label, DEFAULT_COLORS[i % len(DEFAULT_COLORS)])
            for i, label in enumerate(self.labels)
        ]
        self.tools: list[str] = []
        raw_tools = reader.raw.get("tools")
        if not isinstance(raw_tools, list) or not raw_tools:
            reader.problem("tools", f"is required: a non-empty list of {', '.join(TOOL_SHAPES)}")
        else:
            for i, tool in enumerate(raw_tools):
                if tool in LATER_TOOLS:
                    reader.warn(f"tools[{i}]", f"{tool!r} ({LATER_TOOLS[tool]}) is not offered yet")
                elif tool not in TOOL_SHAPES:
                    reader.problem(
                        f"tools[{i}]",
                        f"{tool!r} is not a tool; expected one of {', '.join(TOOL_SHAPES)}"
                        f"{hint(str(tool), list(TOOL_SHAPES))}",
                    )
                elif tool not in self.tools:
                    self.tools.append(tool)
        self.shape_types = tuple(
            dict.fromkeys(kind for tool in self.tools for kind in TOOL_SHAPES[tool])
        )
        self.min_annotations = reader.number("min_annotations", 0, integer=True, minimum=0)
        self.max_annotations = reader.limit("max_annotations")
        if self.max_annotations is not None and self.max_annotations < self.min_annotations:
            reader.problem("max_annotations", "must not be less than min_annotations")
        self.zoom_enabled = reader.bool("zoom_enabled", True)
        self.pan_enabled = reader.bool("pan_enabled", True)
        self.brush_size = reader.number("brush_size", 20, integer=True, minimum=1, maximum=500)
        self.eraser_size = reader.number("eraser_size", 20, integer=True, minimum=1, maximum=500)
        self.mask_opacity = reader.number("mask_opacity", 0.5, minimum=0, maximum=1)
        self.freeform_brush_size = reader.number(
            "freeform_brush_size", 5, integer=True, minimum=1, maximum=500
        )
        self.source_field = reader.str("source_field", "") or ""
        self.viewer = reader.str("viewer", "fabric", choices=VIEWERS)
        # the fill tool: "region" grows over pixels of the image within `fill_tolerance` of
        # the clicked colour; "empty" over the label's unpainted mask area
        self.fill_mode = reader.str("fill_mode", "region", choices=("region", "empty"))
        self.fill_tolerance = reader.number(
            "fill_tolerance", 32, integer=True, minimum=0, maximum=255
        )
        self.fill_max_pixels = reader.number(
            "fill_max_pixels", 4_000_000, integer=True, minimum=1, maximum=100_000_000
        )
        tiles = reader.child("tiles")
        tiles.warn_unknown(("tile_size", "overlap", "max_pixels", "navigator", "page"))
        self.tile_settings = {
            "tile_size": tiles.number(
                "tile_size", DEFAULT_TILE_SIZE, integer=True, minimum=64, maximum=2048
            ),
            "overlap": tiles.number("overlap", DEFAULT_OVERLAP, integer=True, minimum=0, maximum=8),
            "max_pixels": tiles.number(
                "max_pixels", DEFAULT_MAX_PIXELS, integer=True, minimum=1, maximum=2_000_000_000
            ),
        }
        if tiles.has("navigator") or tiles.has("page"):
            tiles.warn(
                "navigator", "the overview navigator and page choice are not offered; ignored"
            )
        for key in LATER_OPTIONS:
            if reader.has(key):
                reader.warn(key, "accepted but not implemented yet; ignored")
        if self.min_annotations and not self.required:
            self.required = True
        self.sizes = ImageSizes()

    # -- image size -----------------------------------------------------------------------
    def local_file(self, source: str) -> Path | None:
        """The project file an item's image value names, or None (remote or not a file)."""
        return local_media_file(self.task_dir, source)

    def image_info(self, source: str, raws: list[Any]) -> dict[str, Any] | None:
        """{width, height, verified} of the item's image: read from a project file, else the
        size the client reports (not verified), else None."""
        path = self.local_file(source) if source else None
        if path is not None and path.suffix.lower() == ".pdf":
            try:
                pdf = self.sizes.pdf(path)
            except (BadPdf, UnreadableImage) as exc:
                raise BadAnnotation(f"{self.name}: the item's PDF cannot be read ({exc})") from exc
            width, height = pdf["sizes"][0]
            return {"width": width, "height": height, "verified": True,
                    "pages": pdf["pages"], "page_sizes": pdf["sizes"]}  # fmt: skip
        if path is not None:
            try:
                width, height = self.sizes.size(path)
            except UnreadableImage as exc:
                raise BadAnnotation(
                    f"{self.name}: the item's image cannot be read ({exc})"
                ) from exc
            return {"width": width, "height": height, "verified": True}
        for raw in raws:
            if not isinstance(raw, Mapping):
                continue
            claimed = raw.get("image_size")
            if claimed is None and isinstance(raw.get("rle"), Mapping):
                claimed = raw["rle"].get("size")
            if isinstance(claimed, Mapping):
                claimed = [claimed.get("height"), claimed.get("width")]
            if (
                isinstance(claimed, list)
                and len(claimed) == 2
                and all(isinstance(d, int) and not isinstance(d, bool) and 0 < d <= 200_000
                        for d in claimed)
            ):  # fmt: skip
                return {"width": claimed[1], "height": claimed[0], "verified": False}
        return None

    # -- values ---------------------------------------------------------------------------
    def value_for(self, raws: list[Any], text: str | None) -> dict[str, Any]:
        """The stored value for the shapes a request sent, checked against the item's image
        (`text`: the item's image value)."""
        if isinstance(raws, str):
            raws = _json_list(self.name, raws)
        if not isinstance(raws, list):
            raise BadAnnotation(f"{self.name}: shapes must be a list")
        info = self.image_info(image_source(text), raws)
        size = (info["width"], info["height"]) if info else None
        shapes: list[dict[str, Any]] = []
        for raw, where in kept_entries(self.name, raws, "shape", "type, label and coordinates"):
            page = _page_of(raw, where, info)
            if page is not None:  # a PDF page: its own rendered size
                size = tuple(info["page_sizes"][page - 1])
            shape = self.one_shape(raw, where, size, info is not None and info["verified"])
            if page is not None:
                shape["page"] = page
                if not given_id(raw, where):  # the same box on two pages: two shapes
                    shape["id"] = entry_id("shape", shape["id"], f"page {page}")
            shapes.append(shape)
        if self.max_annotations is not None and len(shapes) > self.max_annotations:
            raise BadAnnotation(
                f"{self.name}: at most {self.max_annotations} shapes are allowed, got {len(shapes)}"
            )
        ids = [s["id"] for s in shapes]
        if len(set(ids)) != len(ids):
            raise BadAnnotation(f"{self.name}: two shapes have the same id")
        if not shapes:
            return {}
        value: dict[str, Any] = {"shapes": shapes}
        if info is not None:
            value["image"] = info
        return value

    def one_shape(
        self, raw: Mapping[str, Any], where: str, size: tuple[int, int] | None, verified: bool
    ) -> dict[str, Any]:
        schema = raw.get("schema")
        if schema not in (None, "", self.name):
            raise BadAnnotation(f"{where}: belongs to schema {schema!r}, not {self.name!r}")
        kind = raw.get("type")
        if kind not in (*SHAPE_TYPES, MASK_TYPE):
            raise BadAnnotation(
                f"{where}: unknown shape type {kind!r}; expected one of "
                f"{', '.join((*SHAPE_TYPES, MASK_TYPE))}"
            )
        if kind not in self.shape_types:
            raise BadAnnotation(
                f"{where}: this scheme's tools ({', '.join(self.tools)}) do not draw {kind} shapes"
            )
        label = raw.get("label")
        if not isinstance(label, str) or label not in self.label_names:
            raise (
                self.unknown_label(str(label))
                if isinstance(label, str)
                else BadAnnotation(f"{where}: 'label' must be one of {', '.join(self.label_names)}")
            )
        color = raw.get("color")
        if color is None or color == "":
            color = next(lab.color for lab in self.labels if lab.name == label)
        elif not isinstance(color, str) or not _COLOR.match(color.strip()):
            raise BadAnnotation(f"{where}: color must be a CSS colour like '#4ecdc4'")
        shape: dict[str, Any] = {"id": "", "type": kind, "label": label, "color": color.strip()}
        if kind == MASK_TYPE:
            # a client-reported size is only checked against itself; a file's size binds
            shape["rle"] = check_rle(raw.get("rle"), where, size if verified else None)
            shape["area"] = sum(shape["rle"]["counts"][1::2])
            for key in ("instance", "iscrowd"):
                if isinstance(raw.get(key), int) and not isinstance(raw.get(key), bool):
                    shape[key] = raw[key]
            digest = (shape["rle"]["size"], shape["rle"]["counts"][:64], shape["area"])
        else:
            coords = check_geometry(kind, raw.get("coordinates"), where)
            shape["coordinates"] = coords
            if size is not None:
                shape["pixels"] = to_pixels(kind, coords, *size)
            if kind == "keypoint_set" and isinstance(raw.get("skeleton"), str):
                shape["skeleton"] = raw["skeleton"][:120]
            digest = json.dumps(coords, sort_keys=True)
        shape["id"] = given_id(raw, where) or entry_id("shape", kind, label, digest)
        return shape

    def from_answer(self, value: Any) -> dict[str, Any]:
        """Pre-annotations and gold answers: a list of shapes (or a JSON text of one, or a
        stored value), checked without the image size."""
        if isinstance(value, Mapping) and "shapes" in value:
            value = value["shapes"]
        if isinstance(value, str):
            value = _json_list(self.name, value)
        if not isinstance(value, list):
            raise BadAnnotation(f"{self.name}: an image answer is a list of shapes")
        return self.value_for(value, None)

    def entries_from_label(self, label: str, value: Any) -> list[Any] | None:
        """Potato's page sends the shapes as JSON text in `annotations["<schema>:_data"]`."""
        if label != "_data":
            return None
        if value in (None, ""):
            return []
        if isinstance(value, list):
            return value
        if not isinstance(value, str):
            raise BadAnnotation(f"{self.name}:_data must be the JSON text of a list of shapes")
        return _json_list(self.name, value)

    def missing_requirement(self, label_map) -> str | None:
        count = len(self.entries(label_map))
        least = max(self.min_annotations, 1 if self.required else 0)
        if count < least:
            return f"at least {least} shape{'s' if least != 1 else ''} required, got {count}"
        return None

    def readable_line(self, entry: Mapping[str, Any], span_text: SpanText) -> str:
        where = entry.get("pixels") or entry.get("coordinates")
        if entry.get("type") == MASK_TYPE:
            return f"{entry['label']}: mask of {entry.get('area', 0)} px"
        return f"{entry['label']}: {entry['type']} {json.dumps(where)}"

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(
            tools=list(self.tools),
            colors={lab.name: lab.color for lab in self.labels},
            keys={lab.key: lab.name for lab in self.labels if lab.key},
            min_annotations=self.min_annotations,
            max_annotations=self.max_annotations,
        )
        return out

    def editor_config(self) -> dict[str, Any]:
        """What static/js/image-annotation.js needs (the template embeds it as JSON)."""
        return {
            **self.describe(),
            "zoom_enabled": self.zoom_enabled,
            "pan_enabled": self.pan_enabled,
            "brush_size": self.brush_size,
            "eraser_size": self.eraser_size,
            "mask_opacity": self.mask_opacity,
            "source_field": self.source_field,
            "viewer": self.viewer,
            "fill_mode": self.fill_mode,
            "fill_tolerance": self.fill_tolerance,
            "fill_max_pixels": self.fill_max_pixels,
        }


def _page_of(raw: Any, where: str, info: dict[str, Any] | None) -> int | None:
    """The 1-based PDF page a shape is on (None for an image); 1 when a PDF shape names none."""
    pages = (info or {}).get("pages")
    given = raw.get("page") if isinstance(raw, Mapping) else None
    if pages is None:
        if given not in (None, 1):
            raise BadAnnotation(f"{where}: 'page' is only for shapes on PDF pages")
        return None
    page = 1 if given is None else given
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= pages:
        raise BadAnnotation(f"{where}: 'page' must be a page number from 1 to {pages}")
    return page


def _json_list(name: str, text: str) -> list[Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise BadAnnotation(f"{name}: the shapes are not valid JSON ({exc.msg})") from exc
    if not isinstance(value, list):
        raise BadAnnotation(f"{name}: the shapes must be a JSON list")
    return value


def _with_color(label, color: str):
    from dataclasses import replace

    return replace(label, color=color)
