"""Computer-vision exports of image shapes: COCO, YOLO (detection and segmentation),
Pascal VOC, LabelMe, CVAT XML and class-index mask PNGs. They read the schemes whose entries
are shapes on the item's image (`Scheme.image_regions`), one image record per (item,
annotator), in pixels of the image as the server read it (the stored value's `image` size;
for a remote image the size the client reported). Streamed item by item; COCO makes two
passes (images, then annotations).

Multi-file formats come as one text stream the docs call a bundle: YOLO is `# file: <name>`
headers, each followed by that file's lines (`classes.txt`, then `labels/<image>.txt`); VOC is
one `<annotation>` document per image inside a `<dataset>` root; LabelMe and mask PNGs are one
document per line (JSON Lines, PNGs base64-encoded). What a format cannot hold is left out and
counted in a comment or field: polylines in COCO, masks in YOLO, VOC and LabelMe.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..media.shapes import MASK_TYPE, bounding_box, rle_decode
from .registry import Exporter, register

ELLIPSE_POINTS = 36


def _schemes(project):
    return [s for s in project.config.schemes if s.image_regions]


def categories(project) -> list[str]:
    names: list[str] = []
    for scheme in _schemes(project):
        names.extend(n for n in scheme.label_names if n not in names)
    return names


def image_records(project) -> Iterator[dict[str, Any]]:
    """{item_id, annotator, file, width, height, shapes} per annotated (item, annotator) with
    shapes and a known image size; shapes carry pixel geometry (`px`)."""
    schemes = _schemes(project)
    for row in project.store.annotations.iter_annotated():
        shapes, size, page_sizes = [], None, None
        for scheme in schemes:
            value = row.label_maps.get(scheme.name) or {}
            entries = scheme.entries(value)
            if not entries:
                continue
            info = value.get("image") or {}
            size = size or _size(info, row.fields, entries)
            page_sizes = page_sizes or info.get("page_sizes")
            shapes.extend(entries)
        if not shapes or size is None:
            continue
        record = {"item_id": row.item_id, "annotator": row.user, "file": row.text.strip()}
        if not page_sizes:
            width, height = size
            shapes = [_with_pixels(s, width, height) for s in shapes]
            yield {**record, "width": width, "height": height, "shapes": shapes}
            continue
        # a PDF: one image per annotated page, named "<file>#page=N", with that page's size
        for page in sorted({s.get("page", 1) for s in shapes}):
            width, height = page_sizes[page - 1]
            on_page = [_with_pixels(s, width, height) for s in shapes if s.get("page", 1) == page]
            yield {**record, "file": f"{record['file']}#page={page}", "page": page,
                   "width": width, "height": height, "shapes": on_page}  # fmt: skip


def _size(info, fields, entries) -> tuple[int, int] | None:
    if info.get("width") and info.get("height"):
        return int(info["width"]), int(info["height"])
    w, h = fields.get("image_width"), fields.get("image_height")
    if isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0:
        return w, h
    for entry in entries:
        if entry.get("type") == MASK_TYPE:
            return entry["rle"]["size"][1], entry["rle"]["size"][0]
    return None


def _with_pixels(shape: dict[str, Any], width: int, height: int) -> dict[str, Any]:
    """The shape plus `px`: its geometry in pixels (ellipses as polygons for formats that have
    none); masks as they are."""
    out = dict(shape)
    kind, c = shape["type"], shape.get("coordinates")
    if kind == MASK_TYPE:
        return out
    x, y, w, h = bounding_box(kind, c)
    out["box"] = (x * width, y * height, w * width, h * height)
    if kind == "bbox":
        x0, y0, x1, y1 = x * width, y * height, (x + w) * width, (y + h) * height
        out["points"] = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    elif kind == "landmark":
        out["points"] = [(c["x"] * width, c["y"] * height)]
    elif kind == "ellipse":
        out["points"] = _ellipse_points(c, width, height)
        out["ellipse"] = (c["cx"] * width, c["cy"] * height, c["rx"] * width, c["ry"] * height)
    else:
        out["points"] = [(p["x"] * width, p["y"] * height) for p in c]
    return out


def _ellipse_points(c, width, height) -> list[tuple[float, float]]:
    a = math.radians(c["angle"])
    cx, cy, rx, ry = c["cx"] * width, c["cy"] * height, c["rx"] * width, c["ry"] * height
    points = []
    for i in range(ELLIPSE_POINTS):
        t = 2 * math.pi * i / ELLIPSE_POINTS
        x, y = rx * math.cos(t), ry * math.sin(t)
        px = cx + x * math.cos(a) - y * math.sin(a)
        py = cy + x * math.sin(a) + y * math.cos(a)
        points.append((min(max(px, 0.0), width), min(max(py, 0.0), height)))
    return points


def _area(points) -> float:
    return (
        abs(
            sum(
                x0 * y1 - x1 * y0
                for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True)
            )
        )
        / 2
    )


def _r(v: float) -> float:
    return round(float(v), 2)


def _coco_mask(shape):
    import numpy as np
    from pycocotools import mask as mask_utils  # lazy: only this export needs it

    bits = rle_decode(shape["rle"])
    rle = mask_utils.encode(np.asfortranarray(bits))
    area = float(mask_utils.area(rle))
    box = [_r(v) for v in mask_utils.toBbox(rle).tolist()]
    return {"size": rle["size"], "counts": rle["counts"].decode("ascii")}, area, box


@register
class Coco(Exporter):
    name = "coco"
    description = (
        "COCO instances JSON: one image per (item, annotator) with its annotator; boxes, "
        "polygons (ellipses as polygons), RLE masks and keypoints; polylines left out"
    )
    extension = "json"
    mimetype = "application/json"

    def stream(self, project):
        names = categories(project)
        ids = {name: i + 1 for i, name in enumerate(names)}
        yield '{"info": {"description": "potato_like export"}, "images": ['
        for n, rec in enumerate(image_records(project)):
            image = {"id": n + 1, "file_name": rec["file"], "width": rec["width"],
                     "height": rec["height"], "instance_id": rec["item_id"],
                     "annotator": rec["annotator"]}  # fmt: skip
            if "page" in rec:
                image["page"] = rec["page"]
            yield ("," if n else "") + json.dumps(image)
        yield '], "annotations": ['
        ann_id, skipped, most_points = 0, 0, 0
        for n, rec in enumerate(image_records(project)):
            for shape in rec["shapes"]:
                ann = self.annotation(shape)
                if ann is None:
                    skipped += 1
                    continue
                ann_id += 1
                most_points = max(most_points, ann.get("num_keypoints", 0))
                ann.update(id=ann_id, image_id=n + 1, category_id=ids[shape["label"]])
                yield ("," if ann_id > 1 else "") + json.dumps(ann)
        cats = [{"id": ids[name], "name": name, "supercategory": name} for name in names]
        if most_points:
            for cat in cats:
                cat["keypoints"] = [f"p{i + 1}" for i in range(most_points)]
                cat["skeleton"] = []
        yield f'], "categories": {json.dumps(cats)}, "potato_like": {{"left_out": {skipped}}}}}'

    @staticmethod
    def annotation(shape) -> dict[str, Any] | None:
        kind = shape["type"]
        if kind == MASK_TYPE:
            rle, area, box = _coco_mask(shape)
            return {"segmentation": rle, "area": area, "bbox": box,
                    "iscrowd": int(shape.get("iscrowd", 0))}  # fmt: skip
        box = [_r(v) for v in shape["box"]]
        if kind in ("keypoint_set", "landmark"):
            points = shape["points"]
            vis = [p.get("v", 2) for p in shape["coordinates"]] if kind == "keypoint_set" else [2]
            flat = [
                v for (x, y), seen in zip(points, vis, strict=True) for v in (_r(x), _r(y), seen)
            ]
            count = sum(1 for v in vis if v > 0)
            return {"keypoints": flat, "num_keypoints": count, "bbox": box,
                    "area": box[2] * box[3], "iscrowd": 0, "segmentation": []}  # fmt: skip
        if kind == "polyline":
            return None
        flat = [_r(v) for point in shape["points"] for v in point]
        return {"segmentation": [flat], "area": _r(_area(shape["points"])), "bbox": box,
                "iscrowd": 0}  # fmt: skip


def _stem(rec) -> str:
    name = PurePosixPath(rec["file"].split("?")[0].split("#")[0]).stem or rec["item_id"]
    page = f"_page{rec['page']}" if "page" in rec else ""
    return f"{name}{page}__{rec['annotator']}"


@register
class YoloDetection(Exporter):
    name = "yolo"
    description = (
        "YOLO detection bundle: '# file: classes.txt' then '# file: labels/<image>__<annotator>"
        ".txt' sections of 'class cx cy w h' (normalised); masks left out"
    )
    extension = "txt"

    segment = False

    def stream(self, project):
        names = categories(project)
        ids = {name: i for i, name in enumerate(names)}
        yield "# file: classes.txt\n" + "".join(f"{n}\n" for n in names)
        for rec in image_records(project):
            lines = []
            for shape in rec["shapes"]:
                line = self.line(shape, ids[shape["label"]], rec["width"], rec["height"])
                if line:
                    lines.append(line)
            yield f"# file: labels/{_stem(rec)}.txt\n" + "".join(f"{x}\n" for x in lines)

    def line(self, shape, cls, width, height) -> str | None:
        if shape["type"] == MASK_TYPE:
            return None
        if self.segment:
            if shape["type"] in ("bbox", "polygon", "ellipse", "freeform"):
                xy = " ".join(f"{x / width:.6f} {y / height:.6f}" for x, y in shape["points"])
                return f"{cls} {xy}"
            return None
        x, y, w, h = shape["box"]
        if w <= 0 or h <= 0:
            return None
        cx, cy = (x + w / 2) / width, (y + h / 2) / height
        return f"{cls} {cx:.6f} {cy:.6f} {w / width:.6f} {h / height:.6f}"


@register
class YoloSegmentation(YoloDetection):
    name = "yolo_seg"
    description = (
        "YOLO segmentation bundle: like 'yolo', lines 'class x1 y1 x2 y2 ...' (normalised "
        "polygon; boxes and ellipses as polygons); masks, points and lines left out"
    )
    segment = True


@register
class PascalVoc(Exporter):
    name = "voc"
    description = (
        "Pascal VOC XML: one <annotation> per (item, annotator) inside a <dataset> root, "
        "<object> with <bndbox> (1-based pixels) for every shape but masks"
    )
    extension = "xml"
    mimetype = "application/xml"

    def stream(self, project):
        yield '<?xml version="1.0" encoding="utf-8"?>\n<dataset>\n'
        for rec in image_records(project):
            parts = [
                "<annotation>",
                f"<folder>{escape(str(PurePosixPath(rec['file']).parent))}</folder>",
                f"<filename>{escape(PurePosixPath(rec['file']).name)}</filename>",
                f"<path>{escape(rec['file'])}</path>",
                f"<source><database>potato_like</database>"
                f"<annotation>{escape(rec['annotator'])}</annotation></source>",
                f"<size><width>{rec['width']}</width><height>{rec['height']}</height>"
                "<depth>3</depth></size><segmented>0</segmented>",
            ]
            for shape in rec["shapes"]:
                if shape["type"] == MASK_TYPE:
                    continue
                x, y, w, h = shape["box"]
                xmin, ymin = max(1, round(x) + 1), max(1, round(y) + 1)
                xmax = min(rec["width"], max(xmin, round(x + w)))
                ymax = min(rec["height"], max(ymin, round(y + h)))
                parts.append(
                    f"<object><name>{escape(shape['label'])}</name><pose>Unspecified</pose>"
                    "<truncated>0</truncated><difficult>0</difficult>"
                    f"<bndbox><xmin>{xmin}</xmin><ymin>{ymin}</ymin><xmax>{xmax}</xmax>"
                    f"<ymax>{ymax}</ymax></bndbox></object>"
                )
            parts.append("</annotation>\n")
            yield "".join(parts)
        yield "</dataset>\n"


LABELME_TYPES = {
    "bbox": "rectangle",
    "polygon": "polygon",
    "ellipse": "polygon",
    "freeform": "polygon",
    "polyline": "linestrip",
    "landmark": "point",
    "keypoint_set": "points",
}


@register
class LabelMe(Exporter):
    name = "labelme"
    description = (
        "LabelMe JSON, one document per (item, annotator) per line; rectangles, polygons "
        "(ellipses as polygons), line strips and points; masks left out"
    )
    extension = "jsonl"
    mimetype = "application/x-ndjson"

    def stream(self, project):
        for rec in image_records(project):
            shapes = []
            for shape in rec["shapes"]:
                if shape["type"] == MASK_TYPE:
                    continue
                kind = LABELME_TYPES[shape["type"]]
                points = [[_r(x), _r(y)] for x, y in shape["points"]]
                if kind == "rectangle":
                    points = [points[0], points[2]]
                for point in points if kind == "points" else [None]:
                    shapes.append({
                        "label": shape["label"],
                        "points": [point] if point else points,
                        "group_id": None,
                        "shape_type": "point" if kind == "points" else kind,
                        "flags": {},
                    })  # fmt: skip
            doc = {
                "version": "5.2.1",
                "flags": {},
                "shapes": shapes,
                "imagePath": rec["file"],
                "imageData": None,
                "imageHeight": rec["height"],
                "imageWidth": rec["width"],
                "potato_like": {"instance_id": rec["item_id"], "annotator": rec["annotator"]},
            }
            yield json.dumps(doc) + "\n"


def _cvat_mask(shape) -> str:
    """CVAT's <mask>: run lengths (background first, row-major) inside the mask's box."""
    import numpy as np

    bits = rle_decode(shape["rle"])
    ys, xs = np.nonzero(bits)
    top, left = int(ys.min()), int(xs.min())
    bottom, right = int(ys.max()), int(xs.max())
    crop = bits[top : bottom + 1, left : right + 1].ravel()
    changes = np.flatnonzero(np.diff(crop)) + 1
    runs = np.diff(np.concatenate(([0], changes, [crop.size]))).tolist()
    if crop[0] == 1:
        runs = [0, *runs]
    return (
        f'<mask label={quoteattr(shape["label"])} source="manual" occluded="0" '
        f'rle="{", ".join(str(r) for r in runs)}" left="{left}" top="{top}" '
        f'width="{right - left + 1}" height="{bottom - top + 1}" z_order="0"></mask>'
    )


@register
class CvatXml(Exporter):
    name = "cvat"
    description = (
        "CVAT for images 1.1 XML: boxes, polygons, polylines, points, ellipses and masks, "
        "one <image> per (item, annotator)"
    )
    extension = "xml"
    mimetype = "application/xml"

    def stream(self, project):
        labels = "".join(f"<label><name>{escape(n)}</name></label>" for n in categories(project))
        yield (
            '<?xml version="1.0" encoding="utf-8"?>\n<annotations><version>1.1</version>'
            f"<meta><task><labels>{labels}</labels></task></meta>\n"
        )
        for n, rec in enumerate(image_records(project)):
            parts = [
                f'<image id="{n}" name={quoteattr(rec["file"])} width="{rec["width"]}" '
                f'height="{rec["height"]}" annotator={quoteattr(rec["annotator"])} '
                f"instance_id={quoteattr(rec['item_id'])}>"
            ]
            for shape in rec["shapes"]:
                parts.append(self.element(shape))
            parts.append("</image>\n")
            yield "".join(parts)
        yield "</annotations>\n"

    @staticmethod
    def element(shape) -> str:
        kind, label = shape["type"], quoteattr(shape["label"])
        common = f'label={label} source="manual" occluded="0" z_order="0"'
        if kind == MASK_TYPE:
            return _cvat_mask(shape)
        if kind == "bbox":
            x, y, w, h = shape["box"]
            return (
                f'<box {common} xtl="{_r(x)}" ytl="{_r(y)}" xbr="{_r(x + w)}" '
                f'ybr="{_r(y + h)}"></box>'
            )
        if kind == "ellipse":
            cx, cy, rx, ry = (_r(v) for v in shape["ellipse"])
            return (
                f'<ellipse {common} cx="{cx}" cy="{cy}" rx="{rx}" ry="{ry}" '
                f'rotation="{shape["coordinates"]["angle"]}"></ellipse>'
            )
        points = ";".join(f"{_r(x)},{_r(y)}" for x, y in shape["points"])
        tag = {"polyline": "polyline", "landmark": "points", "keypoint_set": "points"}.get(
            kind, "polygon"
        )
        return f'<{tag} {common} points="{points}"></{tag}>'


def class_mask(rec, ids: dict[str, int]):
    """A uint8 (h, w) array of class ids (0: background, label i: i + 1) with every shape that
    has an area painted in order (later shapes on top); None when it would be empty."""
    import cv2
    import numpy as np

    canvas = np.zeros((rec["height"], rec["width"]), np.uint8)
    painted = False
    for shape in rec["shapes"]:
        value = ids[shape["label"]] + 1
        kind = shape["type"]
        if kind == MASK_TYPE:
            bits = rle_decode(shape["rle"])
            if bits.shape != canvas.shape:
                bits = cv2.resize(bits, canvas.shape[::-1], interpolation=cv2.INTER_NEAREST)
            canvas[bits.astype(bool)] = value
        elif kind in ("bbox", "polygon", "ellipse", "freeform") and len(shape["points"]) >= 3:
            points = np.array([[round(x), round(y)] for x, y in shape["points"]], np.int32)
            cv2.fillPoly(canvas, [points], int(value))
        else:
            continue
        painted = True
    return canvas if painted else None


@register
class MaskPng(Exporter):
    name = "mask_png"
    description = (
        "Class-index mask PNGs, one per (item, annotator), as JSON Lines {file, classes, "
        "png_base64}: pixel value 0 is background, label i is i + 1 (masks, boxes, polygons, "
        "ellipses painted in drawing order)"
    )
    extension = "jsonl"
    mimetype = "application/x-ndjson"

    def stream(self, project):
        import base64

        import cv2

        names = categories(project)
        ids = {name: i for i, name in enumerate(names)}
        for rec in image_records(project):
            canvas = class_mask(rec, ids)
            if canvas is None:
                continue
            ok, png = cv2.imencode(".png", canvas)
            if not ok:
                continue
            yield json.dumps({
                "file": f"masks/{_stem(rec)}.png",
                "image": rec["file"],
                "instance_id": rec["item_id"],
                "annotator": rec["annotator"],
                "classes": ["background", *names],
                "png_base64": base64.b64encode(png.tobytes()).decode("ascii"),
            }) + "\n"  # fmt: skip
