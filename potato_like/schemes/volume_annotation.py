"""`annotation_type: volume_annotation` — brush masks and boxes on a 3-D medical volume (a
NIfTI file or a DICOM series directory named by the item's `source_field`, default
`volume`), shown as three linked slice views (axial, coronal, sagittal) of PNG slices the
server renders with a window (centre/width). Needs nibabel and pydicom (the `volume`
extra): without them the config is refused naming the extra.

Potato's options: `labels` (with `color`, `key_value`), `tools` (navigate, brush, eraser,
box, polygon), `views`, `source_field`, `default_window` ({center, width}), `window_presets`
([{name, center, width}]), `brush_size` (voxels); `display_tags`, `allow_identifying_tags`
and `prefill_rtstruct_field` are accepted and ignored (no DICOM tags are shown, no RTSTRUCT
prefill).

Wire format (Potato's one hidden input): `"<schema>:<schema>": "<JSON>"` with
`{volume, shape: [nI, nJ, nK], labels, masks: {label: {"<k>": [run lengths]}}, shapes:
[{label, type: "box"|"polygon", axis, index, points: [[i, j, k], ...]}]}`. A mask is stored
per axial slice k as (nJ, nI) row-major run lengths starting with 0s (media/volumes.py); a
box is two opposite corners in voxels, so corners on different slices make a 3-D box.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader, hint
from ..errors import BadAnnotation
from .record import RecordScheme, mean
from .registry import register

TOOLS = ("navigate", "brush", "eraser", "box", "polygon")
VIEWS = ("axial", "coronal", "sagittal")
IGNORED = ("display_tags", "allow_identifying_tags", "prefill_rtstruct_field")
PALETTE = ("#e6553a", "#3a8ee6", "#2bb673", "#e6b93a", "#a35ce6", "#e63a9b", "#3ad4e6")
MAX_EDGE = 1024
MAX_RUNS = 2_000_000  # run lengths in one answer
MAX_SHAPES = 500
MAX_POLYGON_POINTS = 1000


@register("volume_annotation")
class VolumeAnnotation(RecordScheme):
    macro = "schemes/volume_annotation.html"
    script = "js/volume-annotation.js"
    stylesheet = "css/volume-annotation.css"
    agreement_metric = None
    agreement_skip_reason = "volume masks have no agreement measure here yet"
    volume_masks = True  # export/volume_formats.py writes its masks as NIfTI label volumes
    option_keys = (
        "labels", "tools", "views", "source_field", "default_window", "window_presets",
        "brush_size", *IGNORED,
    )  # fmt: skip
    volume_path: str = ""

    def parse_options(self, reader: ConfigReader) -> None:
        from ..media.volumes import missing_libraries

        missing = missing_libraries()
        if missing:
            reader.problem(
                "annotation_type",
                f"volume_annotation needs {' and '.join(missing)}, which are not installed: "
                "pip install 'potato-like[volume]'",
            )
        self.read_labels(reader)
        self.map_labels = list(self.labels)
        self.map_label_names = [label.name for label in self.map_labels]
        if len(self.map_labels) > 254:
            reader.problem("labels", "at most 254 labels fit a label volume")
        self.colors = {
            lb.name: lb.color or PALETTE[i % len(PALETTE)] for i, lb in enumerate(self.map_labels)
        }
        self.tools = self._choices(reader, "tools", TOOLS)
        if "navigate" not in self.tools:
            self.tools.insert(0, "navigate")
        self.views = self._choices(reader, "views", VIEWS)
        self.source_field = reader.str("source_field", "volume") or "volume"
        self.brush_size = float(reader.number("brush_size", 2.0, minimum=0.5, maximum=50))
        self.window_presets = []
        if reader.has("default_window"):
            self.window_presets.append(self._window(reader.child("default_window"), "Default"))
        for _i, sub in reader.entries("window_presets", "a mapping with name, center, width"):
            self.window_presets.append(self._window(sub, sub.str("name", "", required=True)))
        for key in IGNORED:
            if reader.has(key):
                reader.warn(key, "accepted but not supported yet; ignored")

    def _choices(self, reader: ConfigReader, key: str, allowed: tuple[str, ...]) -> list[str]:
        if not reader.has(key):
            return list(allowed)
        chosen = []
        for i, value in enumerate(reader.string_list(key)):
            if value not in allowed:
                reader.problem(f"{key}[{i}]", f"{value!r} is not one of {', '.join(allowed)}"
                               f"{hint(value, list(allowed))}")  # fmt: skip
            elif value not in chosen:
                chosen.append(value)
        return chosen or list(allowed)

    @staticmethod
    def _window(sub: ConfigReader, name: str) -> dict[str, Any]:
        sub.warn_unknown(("name", "center", "width"))
        center = sub.number("center", 40)
        width = sub.number("width", 400, minimum=1e-6)
        return {"name": name or "Window", "center": float(center), "width": float(width)}

    # -- the page ------------------------------------------------------------------------
    def for_page(self, fields, annotator, item_id, seed) -> VolumeAnnotation:
        value = fields.get(self.source_field)
        return self.page_view(volume_path=value if isinstance(value, str) else "")

    def page_config(self) -> dict[str, Any]:
        return {
            "labels": [
                {"name": lb.name, "text": lb.shown, "color": self.colors[lb.name]}
                for lb in self.map_labels
            ],
            "tools": [t for t in self.tools if t in ("navigate", "brush", "eraser", "box")],
            "views": self.views,
            "brushSize": self.brush_size,
            "windows": self.window_presets,
            "volume": self.volume_path,
        }

    # -- values --------------------------------------------------------------------------
    def check_record(self, record: Mapping[str, Any]) -> dict[str, Any] | None:
        where = self.name
        extra = sorted(
            set(record) - {"volume", "shape", "labels", "masks", "shapes", "prefilled_from"}
        )
        if extra:
            raise BadAnnotation(f"{where}: unknown key {extra[0]!r} in the answer")
        masks_raw = record.get("masks") or {}
        shapes_raw = record.get("shapes") or []
        if not masks_raw and not shapes_raw:
            return None
        shape = record.get("shape")
        ok = isinstance(shape, list) and len(shape) == 3
        if not ok or not all(
            isinstance(n, int) and not isinstance(n, bool) and 0 < n <= MAX_EDGE for n in shape
        ):
            raise BadAnnotation(
                f"{where}: 'shape' must be [nI, nJ, nK], whole numbers 1..{MAX_EDGE}"
            )
        masks = self._masks(masks_raw, shape)
        shapes = self._shapes(shapes_raw, shape)
        if not masks and not shapes:
            return None
        volume = record.get("volume")
        out: dict[str, Any] = {"shape": shape, "labels": self.map_label_names, "masks": masks,
                               "shapes": shapes}  # fmt: skip
        if isinstance(volume, str) and volume and len(volume) <= 500:
            out["volume"] = volume
        return out

    def _label(self, label: Any, where: str) -> str:
        if label not in self.map_label_names:
            names = self.map_label_names
            raise BadAnnotation(
                f"{where}: {label!r} is not one of {', '.join(names)}{hint(str(label), names)}"
            )
        return label

    def _masks(self, raw: Any, shape: list[int]) -> dict[str, dict[str, list[int]]]:
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{self.name}: 'masks' must be {{label: {{slice: run lengths}}}}")
        ni, nj, nk = shape
        runs = 0
        out: dict[str, dict[str, list[int]]] = {}
        for label, slices in raw.items():
            at = f"{self.name}: masks[{label!r}]"
            self._label(label, f"{self.name}: mask label")
            if not isinstance(slices, Mapping):
                raise BadAnnotation(f"{at}: must map axial slice numbers to run lengths")
            kept = {}
            for key, counts in slices.items():
                if not str(key).isdigit() or not 0 <= int(key) < nk:
                    raise BadAnnotation(f"{at}: slice {key!r} is not one of 0..{nk - 1}")
                ok = isinstance(counts, list) and all(
                    isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts
                )
                if not ok:
                    raise BadAnnotation(
                        f"{at}[{key}]: run lengths must be whole numbers, 0 or more"
                    )
                if sum(counts) != ni * nj:
                    raise BadAnnotation(f"{at}[{key}]: the run lengths cover {sum(counts)} voxels, "
                                        f"not the slice's {nj} x {ni} = {ni * nj}")  # fmt: skip
                runs += len(counts)
                if runs > MAX_RUNS:
                    raise BadAnnotation(f"{self.name}: more than {MAX_RUNS} run lengths")
                if len(counts) > 1:  # a slice with painted voxels
                    kept[str(int(key))] = counts
            if kept:
                out[label] = dict(sorted(kept.items(), key=lambda kv: int(kv[0])))
        return out

    def _shapes(self, raw: Any, shape: list[int]) -> list[dict[str, Any]]:
        if not isinstance(raw, list):
            raise BadAnnotation(f"{self.name}: 'shapes' must be a list")
        if len(raw) > MAX_SHAPES:
            raise BadAnnotation(f"{self.name}: more than {MAX_SHAPES} shapes")
        out = []
        for n, s in enumerate(raw):
            at = f"{self.name}: shapes[{n}]"
            if not isinstance(s, Mapping):
                raise BadAnnotation(f"{at}: must be an object")
            kind = s.get("type")
            if kind not in ("box", "polygon"):
                raise BadAnnotation(f"{at}: type {kind!r} is not box or polygon")
            points = s.get("points")
            count = len(points) if isinstance(points, list) else 0
            if (kind == "box" and count != 2) or (
                kind == "polygon" and not 3 <= count <= MAX_POLYGON_POINTS
            ):
                need = "two corners" if kind == "box" else f"3..{MAX_POLYGON_POINTS} points"
                raise BadAnnotation(f"{at}: a {kind} needs {need} as [i, j, k] voxels")
            voxels = [self._voxel(p, shape, f"{at}.points[{m}]") for m, p in enumerate(points)]
            entry = {
                "label": self._label(s.get("label"), f"{at}.label"),
                "type": kind,
                "points": voxels,
            }
            if s.get("axis") is not None:
                if s.get("axis") not in VIEWS:
                    raise BadAnnotation(
                        f"{at}.axis: {s.get('axis')!r} is not one of {', '.join(VIEWS)}"
                    )
                entry["axis"] = s["axis"]
            if isinstance(s.get("index"), int) and not isinstance(s.get("index"), bool):
                entry["index"] = s["index"]
            out.append(entry)
        return out

    @staticmethod
    def _voxel(raw: Any, shape: list[int], where: str) -> list[float]:
        ok = isinstance(raw, list) and len(raw) == 3
        if not ok or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            for v in raw
        ):
            raise BadAnnotation(f"{where}: a voxel is [i, j, k], three numbers")
        for axis, (v, n) in enumerate(zip(raw, shape, strict=True)):
            if not 0 <= v <= n - 1:
                raise BadAnnotation(f"{where}: {'ijk'[axis]} = {v:g} is outside 0..{n - 1}")
        return [round(float(v), 2) for v in raw]

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        """The answer's shape must be the shape of the item's volume."""
        answer = self.answer(label_map)
        if not answer:
            return
        from ..media.volumes import VolumeError, find_volume, volume_shape

        rel = fields.get(self.source_field)
        path = find_volume(self.task_dir, rel) if isinstance(rel, str) else None
        if path is None:
            raise BadAnnotation(f"{self.name}: the item's {self.source_field!r} names no volume")
        try:
            actual = list(volume_shape(path))
        except (VolumeError, OSError, ValueError) as exc:
            raise BadAnnotation(f"{self.name}: the item's volume cannot be read ({exc})") from None
        if answer["shape"] != actual:
            raise BadAnnotation(f"{self.name}: the answer's shape {answer['shape']} is not the "
                                f"volume's {actual}")  # fmt: skip

    def voxel_counts(self, answer: Mapping[str, Any]) -> dict[str, int]:
        """Painted voxels per label (run lengths at odd places are painted runs)."""
        return {
            label: sum(sum(counts[1::2]) for counts in slices.values())
            for label, slices in answer.get("masks", {}).items()
        }

    def dashboard_summary(self, label_maps):
        answers = [self.answer(m) for m in label_maps if m]
        voxels: dict[str, int] = {}
        boxes: dict[str, int] = {}
        for a in answers:
            for label, n in self.voxel_counts(a).items():
                voxels[label] = voxels.get(label, 0) + n
            for s in a["shapes"]:
                if s["type"] == "box":
                    boxes[s["label"]] = boxes.get(s["label"], 0) + 1
        return {
            "painted_voxels_by_label": voxels,
            "boxes_by_label": boxes,
            "mean_painted_slices": mean(
                [float(sum(len(s) for s in a["masks"].values())) for a in answers]
            ),
        }

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "labels": self.map_label_names, "tools": self.tools,
                "views": self.views}  # fmt: skip
