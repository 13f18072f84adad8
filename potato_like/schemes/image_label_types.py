"""Labelling services describe image label sets as `[{label, type}]` with type names such as
`polygon` or `bounding_box` (seed 000). This maps them onto one `image_annotation` scheme:
each type names the drawing tool(s) it needs; the scheme offers the union of them."""

from __future__ import annotations

from typing import Any

from ..errors import BadRequest

# A service's label type -> our image_annotation tools (schemes/image_annotation.py).
LABEL_TYPE_TOOLS: dict[str, tuple[str, ...]] = {
    "bounding_box": ("bbox",),
    "bbox": ("bbox",),
    "box": ("bbox",),
    "rectangle": ("bbox",),
    "polygon": ("polygon",),
    "polyline": ("polyline",),
    "line": ("polyline",),
    "ellipse": ("ellipse",),
    "circle": ("ellipse",),
    "point": ("landmark",),
    "keypoint": ("landmark",),
    "landmark": ("landmark",),
    "segmentation": ("brush", "eraser"),
    "mask": ("brush", "eraser"),
    "brush": ("brush", "eraser"),
    "freeform": ("freeform",),
}
PALETTE = ("#e6194b", "#4363d8", "#3cb44b", "#f58231", "#911eb4", "#42d4f4", "#f032e6")


def image_scheme(name: str, description: str, labels: list[tuple[str, str]]) -> dict[str, Any]:
    """An image_annotation scheme (as in a config file) for `(label, type)` pairs; BadRequest
    naming an unknown type or a repeated label."""
    tools: list[str] = []
    entries: list[dict[str, Any]] = []
    for i, (label, kind) in enumerate(labels):
        wanted = LABEL_TYPE_TOOLS.get(kind.strip().lower())
        if wanted is None:
            raise BadRequest(
                f"labels[{i}].type: {kind!r} is not a label type; use one of "
                f"{', '.join(sorted(LABEL_TYPE_TOOLS))}"
            )
        if any(e["name"] == label for e in entries):
            raise BadRequest(f"labels[{i}].label: {label!r} is listed twice")
        tools += [t for t in wanted if t not in tools]
        entries.append({"name": label, "color": PALETTE[i % len(PALETTE)]})
    return {
        "annotation_type": "image_annotation",
        "name": name,
        "description": description,
        "tools": tools,
        "labels": entries,
    }
