"""Computer-vision datasets (COCO, YOLO, Pascal VOC) as items with pre-annotations.

`python run.py import-images FORMAT SOURCE --out data.jsonl [--schema NAME]` writes one JSON
line per image: `{"id", "image", "image_width", "image_height", "predictions": {NAME:
[shapes]}}`, with shapes in the image_annotation wire format (normalised 0..1). List the file
in `data_files`, set `item_properties.text_key: image` and `pre_annotation: {enabled: true,
field: predictions}`: each image opens with its boxes, polygons and masks as editable shapes.

- coco: an instances JSON (`images`, `annotations`, `categories`); boxes become `bbox`,
  polygon segmentations `polygon` (one per ring), RLE segmentations `mask` (decoded with
  pycocotools), keypoints `keypoint_set`. `--image-root` is prefixed to `file_name`.
- yolo: a directory with `classes.txt` (or `--classes`), `images/` and `labels/` (label files
  named after the images); `class cx cy w h` lines become boxes, longer lines polygons. Image
  sizes are read with opencv.
- voc: a directory of VOC XML files (or one file); every `<object>` becomes a box.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..media.images import read_size
from ..media.shapes import rle_encode

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif")


class DatasetError(ValueError):
    """The source does not have the format's layout; the message says what is wrong."""


def _unit(v: float) -> float:
    return round(min(1.0, max(0.0, float(v))), 6)


def _box(label, x, y, w, h, width, height) -> dict[str, Any]:
    x0, y0 = _unit(x / width), _unit(y / height)
    return {"type": "bbox", "label": label, "coordinates": {
        "x": x0, "y": y0, "width": round(min(w / width, 1 - x0), 6),
        "height": round(min(h / height, 1 - y0), 6)}}  # fmt: skip


def coco_items(path: Path, image_root: str = "") -> Iterator[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DatasetError(f"{path}: not a readable JSON file ({exc})") from exc
    if not isinstance(data, dict) or not all(k in data for k in ("images", "categories")):
        raise DatasetError(f"{path}: a COCO file needs 'images' and 'categories'")
    names = {c["id"]: c["name"] for c in data["categories"]}
    by_image: dict[Any, list[dict]] = {}
    for ann in data.get("annotations", []):
        by_image.setdefault(ann["image_id"], []).append(ann)
    for image in data["images"]:
        width, height = image["width"], image["height"]
        shapes = []
        for ann in by_image.get(image["id"], []):
            label = names.get(ann["category_id"])
            if label is None:
                raise DatasetError(f"annotation {ann.get('id')}: unknown category_id")
            shapes.extend(_coco_shapes(ann, label, width, height))
        yield {
            "id": str(image["id"]),
            "image": f"{image_root}{image['file_name']}",
            "image_width": width,
            "image_height": height,
            "shapes": shapes,
        }


def _coco_shapes(ann, label, width, height) -> list[dict[str, Any]]:
    seg = ann.get("segmentation")
    if isinstance(seg, dict):  # RLE (compressed or not)
        from pycocotools import mask as mask_utils  # lazy

        rle = (
            seg
            if isinstance(seg.get("counts"), str)
            else mask_utils.frPyObjects(seg, seg["size"][0], seg["size"][1])
        )
        bits = mask_utils.decode(rle)
        crowd, instance = int(ann.get("iscrowd", 0)), int(ann.get("id", 0))
        shape = {"type": "mask", "label": label, "rle": rle_encode(bits),
                 "iscrowd": crowd, "instance": instance}  # fmt: skip
        return [shape]
    if ann.get("keypoints"):
        kp = ann["keypoints"]
        points = [{"x": _unit(kp[i] / width), "y": _unit(kp[i + 1] / height), "v": int(kp[i + 2])}
                  for i in range(0, len(kp), 3)]  # fmt: skip
        return [{"type": "keypoint_set", "label": label, "coordinates": points}]
    if isinstance(seg, list) and len(seg) == 1 and _is_box(seg[0], ann.get("bbox")):
        seg = None  # a box written as its four corners (as our export does): a box again
    if isinstance(seg, list) and seg:
        out = []
        for ring in seg:
            points = [{"x": _unit(ring[i] / width), "y": _unit(ring[i + 1] / height)}
                      for i in range(0, len(ring) - 1, 2)]  # fmt: skip
            if len(points) >= 3:
                out.append({"type": "polygon", "label": label, "coordinates": points})
        if out:
            return out
    x, y, w, h = ann["bbox"]
    return [_box(label, x, y, w, h, width, height)]


def _is_box(ring, box) -> bool:
    if not box or len(ring) != 8:
        return False
    x, y, w, h = box
    corners = {(x, y), (x + w, y), (x + w, y + h), (x, y + h)}
    points = {(ring[i], ring[i + 1]) for i in range(0, 8, 2)}
    return all(any(abs(px - cx) < 0.02 and abs(py - cy) < 0.02 for cx, cy in corners)
               for px, py in points)  # fmt: skip


def yolo_items(root: Path, classes: Path | None = None) -> Iterator[dict[str, Any]]:
    classes = classes or root / "classes.txt"
    if not classes.is_file():
        raise DatasetError(f"{classes}: the class names file is missing (one name per line)")
    names = [n.strip() for n in classes.read_text(encoding="utf-8").splitlines() if n.strip()]
    images = root / "images"
    if not images.is_dir():
        raise DatasetError(f"{root}: a YOLO dataset needs an images/ directory")
    for image in sorted(p for p in images.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES):
        rel = image.relative_to(images)
        label_file = root / "labels" / rel.with_suffix(".txt")
        width, height = read_size(image)
        shapes = []
        lines = label_file.read_text(encoding="utf-8").splitlines() if label_file.is_file() else []
        for n, line in enumerate(lines, 1):
            parts = line.split()
            if not parts:
                continue
            try:
                cls, values = int(parts[0]), [float(v) for v in parts[1:]]
            except ValueError as exc:
                raise DatasetError(f"{label_file}:{n}: not 'class x y ...' numbers") from exc
            if not 0 <= cls < len(names):
                raise DatasetError(f"{label_file}:{n}: class {cls} is not in {classes.name}")
            if len(values) == 4:
                cx, cy, w, h = values
                shapes.append({"type": "bbox", "label": names[cls], "coordinates": {
                    "x": _unit(cx - w / 2), "y": _unit(cy - h / 2),
                    "width": round(w, 6), "height": round(h, 6)}})  # fmt: skip
            elif len(values) >= 6 and len(values) % 2 == 0:
                points = [{"x": _unit(values[i]), "y": _unit(values[i + 1])}
                          for i in range(0, len(values), 2)]  # fmt: skip
                shapes.append({"type": "polygon", "label": names[cls], "coordinates": points})
            else:
                raise DatasetError(f"{label_file}:{n}: expected 4 numbers or 3+ points")
        yield {"id": rel.with_suffix("").as_posix(), "image": f"images/{rel.as_posix()}",
               "image_width": width, "image_height": height, "shapes": shapes}  # fmt: skip


def voc_items(source: Path, image_root: str = "") -> Iterator[dict[str, Any]]:
    files = sorted(source.glob("*.xml")) if source.is_dir() else [source]
    if not files:
        raise DatasetError(f"{source}: no VOC .xml files")
    for path in files:
        try:
            root = ET.parse(path).getroot()  # noqa: S314
        except (OSError, ET.ParseError) as exc:
            raise DatasetError(f"{path}: not readable XML ({exc})") from exc
        width = int(root.findtext("size/width") or 0)
        height = int(root.findtext("size/height") or 0)
        if width <= 0 or height <= 0:
            raise DatasetError(f"{path}: <size> needs a width and height")
        shapes = []
        for obj in root.findall("object"):
            b = obj.find("bndbox")
            xmin, ymin, xmax, ymax = (
                float(b.findtext(k)) for k in ("xmin", "ymin", "xmax", "ymax")
            )
            # VOC boxes are 1-based and inclusive
            shapes.append(_box(obj.findtext("name"), xmin - 1, ymin - 1, xmax - xmin + 1,
                               ymax - ymin + 1, width, height))  # fmt: skip
        yield {"id": path.stem, "image": f"{image_root}{root.findtext('filename')}",
               "image_width": width, "image_height": height, "shapes": shapes}  # fmt: skip


READERS = {"coco": coco_items, "yolo": yolo_items, "voc": voc_items}


def write_items(items: Iterator[dict[str, Any]], out: Path, schema: str) -> int:
    """Write the items as JSON Lines with `predictions: {schema: shapes}`; returns the count."""
    count = 0
    tmp = out.with_name(f".{out.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for item in items:
            shapes = item.pop("shapes")
            fh.write(json.dumps({**item, "predictions": {schema: shapes}}) + "\n")
            count += 1
    tmp.replace(out)
    return count


def add_parser(sub) -> None:
    p = sub.add_parser(
        "import-images",
        help="turn a COCO, YOLO or Pascal VOC dataset into items with pre-annotations",
    )
    p.add_argument("format", choices=sorted(READERS))
    p.add_argument("source", help="COCO json file, YOLO directory, or VOC directory/file")
    p.add_argument("--out", required=True, help="the JSON Lines data file to write")
    p.add_argument("--schema", default="objects", help="the image_annotation scheme's name")
    p.add_argument("--image-root", default="", help="prefix for image paths (COCO, VOC)")
    p.add_argument("--classes", default=None, help="YOLO class names file")


def run(args) -> int:
    import sys

    source = Path(args.source)
    if not source.exists():
        print(f"{source}: does not exist", file=sys.stderr)
        return 2
    if args.format == "yolo":
        items = yolo_items(source, Path(args.classes) if args.classes else None)
    else:
        items = READERS[args.format](source, args.image_root)
    try:
        count = write_items(items, Path(args.out), args.schema)
    except (DatasetError, KeyError, TypeError, ValueError) as exc:
        print(f"{args.format}: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {count} items to {args.out}", file=sys.stderr)
    return 0
