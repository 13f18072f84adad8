"""3-D medical volumes read on the server: a NIfTI file (.nii, .nii.gz, with nibabel) or a
DICOM series (a directory of slices, with pydicom), both optional (the `volume` extra).

A volume is a float32 array indexed [i, j, k] (k: the slice axis of the file, axial for the
usual series) in the file's voxel order (NIfTI: reoriented to the closest canonical RAS;
DICOM: slices sorted along the slice normal by ImagePositionPatient, else InstanceNumber),
with the voxel spacing in mm. Slices are served as 8-bit PNGs after a window (centre,
width): axial [k] has rows j and columns i; coronal [j] rows k (top = highest k) and columns
i; sagittal [i] rows k (top = highest k) and columns j. The page maps pixels to voxels the
same way (static/js/volume-annotation.js).

Mask helpers: a slice mask is (nJ, nI), row j, column i, flattened row-major and
run-length encoded as alternating counts of 0s and 1s starting with 0s (Potato's form).
"""

from __future__ import annotations

import gzip
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

AXES = ("axial", "coronal", "sagittal")
MAX_EDGE = 1024
MAX_VOXELS = 64_000_000
MAX_DICOM_FILES = 2000
NIFTI_SUFFIXES = (".nii", ".nii.gz")


class VolumeError(ValueError):
    """The volume cannot be read or the request does not fit it."""


def missing_libraries() -> list[str]:
    """The optional libraries volumes need that are not installed."""
    missing = []
    for name in ("nibabel", "pydicom"):
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    return missing


@dataclass
class Volume:
    data: np.ndarray  # float32 [i, j, k]
    spacing: tuple[float, float, float]
    affine: np.ndarray  # voxel -> RAS mm (NIfTI) or a diagonal of the spacing (DICOM)
    kind: str  # "nifti" or "dicom"

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(int(n) for n in self.data.shape)  # type: ignore[return-value]


def is_volume_path(path: Path) -> bool:
    return path.is_dir() or path.name.lower().endswith(NIFTI_SUFFIXES)


def find_volume(root: Path, relpath: str, output_dir: Path | None = None) -> Path | None:
    """The NIfTI file or DICOM directory a relative media value names under `root` (or its
    `media/` folder): no `..`, nothing outside, nothing hidden, not the output folder."""
    from .paths import relative_media_path

    root = root.resolve()
    for candidate in (relpath, f"media/{relpath}"):
        clean = relative_media_path(candidate)
        if clean is None:
            continue
        try:
            target = (root / clean).resolve(strict=True)
        except (OSError, RuntimeError):
            continue
        if not target.is_relative_to(root):
            continue
        if output_dir is not None and target.is_relative_to(output_dir.resolve()):
            continue
        if any(part.startswith(".") for part in target.relative_to(root).parts):
            continue
        if is_volume_path(target):
            return target
    return None


def volume_shape(path: Path) -> tuple[int, int, int]:
    """The [i, j, k] shape without reading the voxels (headers only)."""
    if path.is_dir():
        files = _dicom_files(path)
        import pydicom

        first = pydicom.dcmread(files[0], stop_before_pixels=True, force=True)
        return int(first.Columns), int(first.Rows), len(files)
    import nibabel as nib

    try:
        img = nib.load(str(path))  # the header only: voxels stay on disk
        ornt = nib.orientations.io_orientation(img.affine)
    except Exception as exc:  # nibabel raises many types for bad files
        raise VolumeError(f"{path.name} is not a readable NIfTI file ({exc})") from None
    if len(img.shape) < 3 or (len(img.shape) > 3 and img.ndim != 4):
        raise VolumeError(f"{path.name} is not a 3-D volume")
    shape = [0, 0, 0]  # as load_volume's canonical reorientation permutes the axes
    for axis_in, (axis_out, _flip) in enumerate(ornt[:3]):
        shape[int(axis_out)] = int(img.shape[axis_in])
    return tuple(shape)  # type: ignore[return-value]


def load_volume(path: Path) -> Volume:
    vol = _load_dicom(path) if path.is_dir() else _load_nifti(path)
    if max(vol.shape) > MAX_EDGE or int(np.prod(vol.shape)) > MAX_VOXELS:
        raise VolumeError(f"{path.name}: {vol.shape} is larger than this server reads")
    return vol


def _load_nifti(path: Path) -> Volume:
    import nibabel as nib

    try:
        img = nib.as_closest_canonical(nib.load(str(path)))
        data = np.asanyarray(img.dataobj, dtype=np.float32)
    except Exception as exc:
        raise VolumeError(f"{path.name} is not a readable NIfTI file ({exc})") from None
    if data.ndim == 4:
        data = data[..., 0]
    if data.ndim != 3:
        raise VolumeError(f"{path.name} is not a 3-D volume (shape {data.shape})")
    zooms = tuple(float(z) for z in img.header.get_zooms()[:3])
    return Volume(np.ascontiguousarray(data), zooms, np.asarray(img.affine), "nifti")  # type: ignore[arg-type]


def _dicom_files(path: Path) -> list[Path]:
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise VolumeError(f"{path.name}/ holds no DICOM files")
    if len(files) > MAX_DICOM_FILES:
        raise VolumeError(f"{path.name}/ holds more than {MAX_DICOM_FILES} files")
    return files


def _load_dicom(path: Path) -> Volume:
    import pydicom

    slices = []
    for file in _dicom_files(path):
        try:
            ds = pydicom.dcmread(file, force=True)
            pixels = ds.pixel_array.astype(np.float32)
        except Exception as exc:
            raise VolumeError(f"{file.name} is not a readable DICOM image ({exc})") from None
        slope = float(getattr(ds, "RescaleSlope", 1) or 1)
        intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
        position = getattr(ds, "ImagePositionPatient", None)
        order = float(position[2]) if position else float(getattr(ds, "InstanceNumber", 0) or 0)
        slices.append((order, pixels * slope + intercept, ds))
    shapes = {s[1].shape for s in slices}
    if len(shapes) != 1:
        raise VolumeError(f"{path.name}/: the slices differ in size {sorted(shapes)}")
    slices.sort(key=lambda s: s[0])
    data = np.stack([s[1].T for s in slices], axis=2)  # rows j, columns i -> [i, j, k]
    ds = slices[0][2]
    row, col = (float(x) for x in getattr(ds, "PixelSpacing", (1, 1)))
    thick = abs(slices[1][0] - slices[0][0]) if len(slices) > 1 else 1.0
    spacing = (col, row, thick or float(getattr(ds, "SliceThickness", 1) or 1))
    return Volume(np.ascontiguousarray(data), spacing, np.diag([*spacing, 1.0]), "dicom")


def default_window(vol: Volume) -> dict[str, float]:
    """The 1st to 99th percentile of the voxel values as centre and width."""
    lo, hi = (float(x) for x in np.percentile(vol.data[::4, ::4, :], (1, 99)))
    width = max(hi - lo, 1.0)
    return {"name": "Auto", "center": round(lo + width / 2, 2), "width": round(width, 2)}


def slice_plane(vol: Volume, axis: str, index: int) -> np.ndarray:
    """One slice as a 2-D array in display order (rows, columns), see the module doc."""
    if axis not in AXES:
        raise VolumeError(f"axis must be one of {', '.join(AXES)}")
    size = vol.shape[{"axial": 2, "coronal": 1, "sagittal": 0}[axis]]
    if not 0 <= index < size:
        raise VolumeError(f"{axis} index {index} is outside 0..{size - 1}")
    if axis == "axial":
        return vol.data[:, :, index].T
    if axis == "coronal":
        return vol.data[:, index, ::-1].T
    return vol.data[index, :, ::-1].T


def render_png(vol: Volume, axis: str, index: int, center: float, width: float) -> bytes:
    plane = slice_plane(vol, axis, index)
    lo = center - width / 2
    scaled = np.clip((plane - lo) / max(width, 1e-6) * 255.0, 0, 255).astype(np.uint8)
    import cv2

    ok, png = cv2.imencode(".png", np.ascontiguousarray(scaled))
    if not ok:
        raise VolumeError("the slice could not be encoded")
    return png.tobytes()


class VolumeCache:
    """The last few volumes read, keyed by path and modification time (one per project)."""

    def __init__(self, size: int = 3) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[str, int], Volume] = OrderedDict()

    def get(self, path: Path) -> Volume:
        stamp = max(
            [path.stat().st_mtime_ns]
            + ([p.stat().st_mtime_ns for p in path.iterdir()] if path.is_dir() else [])
        )
        key = (str(path), stamp)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        vol = load_volume(path)
        with self._lock:
            self._items[key] = vol
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return vol


# -- masks ----------------------------------------------------------------------------------
def rle_encode(mask: np.ndarray) -> list[int]:
    flat = np.asarray(mask, dtype=bool).ravel()
    if flat.size == 0:
        return []
    changes = np.flatnonzero(np.diff(flat.astype(np.int8))) + 1
    counts = np.diff(np.concatenate(([0], changes, [flat.size]))).tolist()
    return [0, *counts] if flat[0] else counts


def rle_decode(counts: list[int], shape: tuple[int, int]) -> np.ndarray:
    flat = np.zeros(shape[0] * shape[1], dtype=bool)
    position, on = 0, False
    for count in counts:
        if on:
            flat[position : position + count] = True
        position += count
        on = not on
    return flat.reshape(shape)


def label_volume(masks: dict[str, dict[str, list[int]]], labels: list[str], shape) -> np.ndarray:
    """uint8 [i, j, k]: 0 background, n the n-th label (a later label wins an overlap)."""
    ni, nj, nk = shape
    out = np.zeros((ni, nj, nk), dtype=np.uint8)
    for n, label in enumerate(labels, start=1):
        for key, counts in (masks.get(label) or {}).items():
            plane = rle_decode(counts, (nj, ni)).T
            out[:, :, int(key)][plane] = n
    return out


def nifti_gz(labels: np.ndarray, affine: Any) -> bytes:
    """A label volume as gzipped NIfTI-1 bytes with the source's affine."""
    import nibabel as nib

    img = nib.Nifti1Image(labels, np.asarray(affine, dtype=float))
    img.header.set_data_dtype(np.uint8)
    return gzip.compress(img.to_bytes(), mtime=0)


def read_nifti_bytes(raw: bytes) -> np.ndarray:
    import nibabel as nib

    data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    return np.asanyarray(nib.Nifti1Image.from_stream(io.BytesIO(data)).dataobj)
