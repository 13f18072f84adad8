"""Agreement on image regions (schemes whose `agreement_metric` is `region_iou`).

For each item two or more annotators finished, each pair of annotators' shapes is matched
greedily by intersection over union (IoU), highest first, only within a label and only at IoU
>= 0.5 (the PASCAL VOC / COCO convention). Reported per scheme:
- `pairwise_f1`: 2 x matches / (shapes of A + shapes of B), averaged over annotator pairs;
- `mean_iou`: the mean IoU of the matched pairs.
Shapes are compared as areas on a 256x256 raster of the normalised image (boxes, polygons,
ellipses, freeform outlines, masks); points and lines have no area and are left out. There is
no Krippendorff's alpha for regions: `krippendorff_alpha` is null with a note.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from itertools import combinations, groupby
from typing import Any

from ..media.shapes import MASK_TYPE, rle_decode
from .agreement import schema_entry

GRID = 256
THRESHOLD = 0.5
MAX_ITEMS = 5_000
AREA_TYPES = ("bbox", "polygon", "ellipse", "freeform", MASK_TYPE)

Row = tuple[Hashable, str, Mapping[str, Any]]


def raster(shape: Mapping[str, Any]):
    """The shape as a GRID x GRID boolean array (None for shapes without an area)."""
    import cv2
    import numpy as np

    kind = shape.get("type")
    if kind not in AREA_TYPES:
        return None
    grid = np.zeros((GRID, GRID), np.uint8)
    c = shape.get("coordinates")
    if kind == MASK_TYPE:
        bits = rle_decode(shape["rle"])
        return cv2.resize(bits, (GRID, GRID), interpolation=cv2.INTER_NEAREST).astype(bool)
    if kind == "bbox":
        x0, y0 = round(c["x"] * GRID), round(c["y"] * GRID)
        x1, y1 = round((c["x"] + c["width"]) * GRID), round((c["y"] + c["height"]) * GRID)
        grid[y0:y1, x0:x1] = 1
    elif kind == "ellipse":
        cv2.ellipse(grid, (round(c["cx"] * GRID), round(c["cy"] * GRID)),
                    (max(1, round(c["rx"] * GRID)), max(1, round(c["ry"] * GRID))),
                    c.get("angle", 0), 0, 360, 1, -1)  # fmt: skip
    else:
        points = np.array([[p["x"] * GRID, p["y"] * GRID] for p in c], np.int32)
        if len(points) < 3:
            return None
        cv2.fillPoly(grid, [points], 1)
    return grid.astype(bool)


def iou(a, b) -> float:
    union = (a | b).sum()
    return float((a & b).sum() / union) if union else 0.0


def match(shapes_a: list[Mapping], shapes_b: list[Mapping]) -> tuple[int, list[float], int, int]:
    """(matches, their IoUs, shapes of A, shapes of B) for one pair of annotators."""
    a = [(s["label"], r) for s in shapes_a if (r := raster(s)) is not None]
    b = [(s["label"], r) for s in shapes_b if (r := raster(s)) is not None]
    pairs = sorted(
        ((iou(ra, rb), i, j) for i, (la, ra) in enumerate(a) for j, (lb, rb) in enumerate(b)
         if la == lb),
        reverse=True,
    )  # fmt: skip
    used_a, used_b, ious = set(), set(), []
    for value, i, j in pairs:
        if value < THRESHOLD:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        ious.append(value)
    return len(ious), ious, len(a), len(b)


class RegionSource:
    """What project_agreement needs for a region scheme: the stored rows."""

    def __init__(self, rows: Callable[[], Iterable[Row]]):
        self.rows = rows

    def agreement(
        self, scheme: Any, metric: str, min_overlap: int, max_pairs: int
    ) -> tuple[dict[str, Any], float | None, list[str]]:
        f1s: list[float] = []
        ious: list[float] = []
        evaluated = annotations = 0
        for _item, group in groupby(self.rows(), key=lambda row: row[0]):
            answers = [scheme.entries(value) for _i, _u, value in group]
            if len(answers) < 2:
                continue
            evaluated += 1
            annotations += len(answers)
            if evaluated > MAX_ITEMS:
                continue
            for sa, sb in combinations(answers, 2):
                matched, values, na, nb = match(sa, sb)
                if na + nb:
                    f1s.append(2 * matched / (na + nb))
                    ious.extend(values)
        entry, _alpha, notes = schema_entry(
            metric,
            evaluated=evaluated,
            total_annotations=annotations,
            min_overlap=min_overlap,
            alpha_of=lambda: None,
            fleiss=None,
            pairwise=([], None),
            undefined_note="no Krippendorff's alpha for image regions: see pairwise_f1 and "
            "mean_iou (IoU >= 0.5 matching within a label)",
        )
        if evaluated > MAX_ITEMS:
            notes.insert(0, f"regions compared on the first {MAX_ITEMS} of {evaluated} items")
        entry["pairwise_f1"] = round(sum(f1s) / len(f1s), 4) if f1s else None
        entry["mean_iou"] = round(sum(ious) / len(ious), 4) if ious else None
        entry["annotator_pairs"] = len(f1s)
        return entry, None, notes
