"""Vision detectors behind one registry: `yolo` (ultralytics) and `sam` (segment-anything).

Both libraries are optional (`pip install 'potato_like[vision]'`) and imported only when a
detector first runs, in a background thread. A detector reads the image file and returns
shapes in the image scheme's wire format (media/shapes.py): `{type, label, coordinates,
confidence}` with coordinates normalised to 0..1. The calls follow the libraries'
documented APIs:

- ultralytics: `YOLO(model)`; `model.set_classes([...])` for YOLO-World vocabularies;
  `model.predict(source=path, conf=, iou=, device=, classes=, max_det=, verbose=False)` gives
  a list of `Results` with `orig_shape` (h, w), `names` {class id: name}, `boxes.xyxy`,
  `boxes.conf`, `boxes.cls` (tensors) and, for segmentation models, `masks.xyn` (polygons
  normalised to 0..1).
- segment-anything: `sam_model_registry[model_type](checkpoint=path)`, `.to(device=...)`,
  `SamAutomaticMaskGenerator(model).generate(rgb_image)` gives dicts with `segmentation` (a
  boolean h x w array), `bbox` (x, y, w, h in pixels), `area`, `predicted_iou`.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

EXTRA = "vision"  # setup.cfg extras_require
MAX_POLYGON_POINTS = 60


class VisionUnavailable(Exception):
    """No detections, for a reason people can read (missing package, unreadable image)."""


def _array(value: Any) -> np.ndarray:
    """A torch tensor (`.cpu().numpy()`) or an array-like, as a numpy array."""
    if hasattr(value, "cpu"):
        value = value.cpu()
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value)


def _unit(v: float) -> float:
    return round(min(1.0, max(0.0, float(v))), 6)


def box_shape(x1, y1, x2, y2, w, h) -> dict[str, float]:
    """A pixel box (corners) as the wire format's normalised bbox."""
    left, top = _unit(x1 / w), _unit(y1 / h)
    return {
        "x": left,
        "y": top,
        "width": round(_unit(x2 / w) - left, 6),
        "height": round(_unit(y2 / h) - top, 6),
    }


def polygon_points(points: Sequence[Sequence[float]]) -> list[dict[str, float]]:
    """Normalised polygon points, thinned to at most MAX_POLYGON_POINTS."""
    step = max(1, -(-len(points) // MAX_POLYGON_POINTS))
    return [{"x": _unit(x), "y": _unit(y)} for x, y in list(points)[::step]]


def box_corners(box: Mapping[str, float]) -> list[dict[str, float]]:
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    return [{"x": x, "y": y}, {"x": x + w, "y": y}, {"x": x + w, "y": y + h}, {"x": x, "y": y + h}]


class Detector:
    """One vision endpoint. `package` is the pip name, `module` what is imported."""

    name: ClassVar[str] = ""
    package: ClassVar[str] = ""
    module: ClassVar[str] = ""
    extra: ClassVar[str] = EXTRA  # the setup.cfg extra that installs `package`
    setting_keys: ClassVar[tuple[str, ...]] = ()
    # Whether an image given as a URL is fetched (net/safe_fetch) and run on.
    fetches_urls: ClassVar[bool] = False
    max_bytes: int = 20 * 1024 * 1024

    def __init__(self, settings: Mapping[str, Any], base_dir: Path) -> None:
        self.settings = dict(settings)
        self.base_dir = base_dir
        self._model = None
        self._lock = threading.Lock()

    def library(self):
        try:
            return importlib.import_module(self.module)
        except ImportError as exc:
            raise VisionUnavailable(
                f"the {self.name} vision endpoint needs the {self.package!r} package: "
                f"pip install 'potato_like[{self.extra}]'"
            ) from exc

    def model(self):
        """The loaded model, once per process (loading takes seconds)."""
        with self._lock:
            if self._model is None:
                self._model = self.load(self.library())
            return self._model

    def load(self, lib):
        raise NotImplementedError

    def detect(self, image: Path, labels: Sequence[str], shape_types: Sequence[str]) -> list:
        raise NotImplementedError

    @property
    def model_name(self) -> str:
        return str(self.settings.get("model") or self.settings.get("model_type") or "")


class YoloDetector(Detector):
    name = "yolo"
    package = "ultralytics"
    module = "ultralytics"
    setting_keys = (
        "model", "confidence_threshold", "iou_threshold", "device", "classes",
        "custom_classes", "max_detections", "timeout",
    )  # fmt: skip
    default_model = "yolov8n.pt"

    def load(self, lib):
        name = str(self.settings.get("model") or self.default_model)
        local = self.base_dir / name
        model = lib.YOLO(str(local) if local.is_file() else name)
        custom = self.settings.get("custom_classes")
        if custom and hasattr(model, "set_classes"):  # YOLO-World: an open vocabulary
            model.set_classes(list(custom))
        return model

    def detect(self, image: Path, labels: Sequence[str], shape_types: Sequence[str]) -> list:
        model = self.model()
        results = model.predict(
            source=str(image),
            conf=float(self.settings.get("confidence_threshold", 0.5)),
            iou=float(self.settings.get("iou_threshold", 0.45)),
            device=self.settings.get("device"),
            classes=self.settings.get("classes"),
            max_det=int(self.settings.get("max_detections", 100)),
            verbose=False,
        )
        by_fold = {label.casefold(): label for label in labels}
        shapes = []
        for result in results:
            if result.boxes is None:
                continue
            h, w = result.orig_shape[:2]
            boxes = _array(result.boxes.xyxy)
            confs = _array(result.boxes.conf)
            classes = _array(result.boxes.cls)
            polygons = None
            if getattr(result, "masks", None) is not None:
                polygons = result.masks.xyn
            for i in range(len(boxes)):
                cls = int(classes[i])
                label = by_fold.get(str(result.names.get(cls, cls)).casefold())
                if label is None:  # a class the scheme does not annotate
                    continue
                box = box_shape(*boxes[i][:4], w, h)
                shape = {"label": label, "confidence": round(float(confs[i]), 4)}
                if "bbox" in shape_types:
                    shape.update(type="bbox", coordinates=box)
                elif "polygon" in shape_types:
                    if polygons is not None and len(_array(polygons[i])) >= 3:
                        points = polygon_points(_array(polygons[i]).tolist())
                    else:
                        points = box_corners(box)
                    shape.update(type="polygon", coordinates=points)
                else:
                    continue
                shapes.append(shape)
        return shapes


class SamSegmenter(Detector):
    """Segment Anything finds regions, not classes: every region gets `label` (default:
    the scheme's first label) for the annotator to correct."""

    name = "sam"
    package = "segment-anything"
    module = "segment_anything"
    setting_keys = (
        "checkpoint", "model_path", "model_type", "device", "label", "min_area",
        "max_detections", "timeout",
    )  # fmt: skip

    def load(self, lib):
        checkpoint = self.settings.get("checkpoint") or self.settings.get("model_path")
        path = Path(str(checkpoint))
        if not path.is_absolute():
            path = self.base_dir / path
        model = lib.sam_model_registry[str(self.settings.get("model_type") or "vit_b")](
            checkpoint=str(path)
        )
        model.to(device=str(self.settings.get("device") or "cpu"))
        return lib.SamAutomaticMaskGenerator(model)

    def detect(self, image: Path, labels: Sequence[str], shape_types: Sequence[str]) -> list:
        import cv2

        generator = self.model()
        bgr = cv2.imread(str(image), cv2.IMREAD_COLOR)
        if bgr is None:
            raise VisionUnavailable(f"the image {image.name} cannot be read")
        h, w = bgr.shape[:2]
        regions = generator.generate(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        label = self.settings.get("label") or labels[0]
        min_area = float(self.settings.get("min_area", 0.001)) * w * h
        regions = sorted(regions, key=lambda r: -float(r.get("predicted_iou", 0)))
        shapes = []
        for region in regions:
            if float(region.get("area", 0)) < min_area:
                continue
            x, y, bw, bh = (float(v) for v in region["bbox"])
            shape = {"label": label, "confidence": round(float(region.get("predicted_iou", 0)), 4)}
            if "polygon" in shape_types:
                points = _outline(np.asarray(region["segmentation"], dtype=np.uint8), w, h)
                if points is None:
                    continue
                shape.update(type="polygon", coordinates=points)
            elif "bbox" in shape_types:
                shape.update(type="bbox", coordinates=box_shape(x, y, x + bw, y + bh, w, h))
            else:
                continue
            shapes.append(shape)
            if len(shapes) >= int(self.settings.get("max_detections", 50)):
                break
        return shapes


def _outline(mask: np.ndarray, w: int, h: int) -> list[dict[str, float]] | None:
    """The largest outer contour of a binary mask, simplified, as normalised points."""
    import cv2

    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    biggest = max(contours, key=cv2.contourArea)
    simple = cv2.approxPolyDP(biggest, 0.005 * cv2.arcLength(biggest, True), True)
    points = simple.reshape(-1, 2)
    if len(points) < 3:
        return None
    return polygon_points([(px / w, py / h) for px, py in points.tolist()])


from .llm import VISION_LLMS  # noqa: E402  (they build on the classes above)

DETECTORS: dict[str, type[Detector]] = {"yolo": YoloDetector, "sam": SamSegmenter, **VISION_LLMS}
# Potato's other vision endpoint (SAM 3): accepted with a warning, not served.
NOT_SERVED = ("sam3",)
