"""Volume masks as NIfTI label volumes (one per item, annotator and scheme).

A scheme takes part when it sets `volume_masks` (its answers hold run-length masks per axial
slice, `shape` and `labels`; see media/volumes.py); nothing here names a type. One JSON
document per line: `{item_id, annotator, schema, file, labels, shape, nifti_gz_base64}`,
the label volume as gzipped NIfTI-1 (uint8, 0 = background, n = the n-th label) with the
source NIfTI's affine (a DICOM series or an unreadable source: the voxel spacing, else the
identity). `dicom_seg` writes the same masks as DICOM Segmentation objects
(media/dicom_seg.py), one per line: `{item_id, annotator, schema, file, labels, shape,
dicom_base64}`; over a DICOM series the SEG shares its study and frame of reference and names
its source slices.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from collections.abc import Iterator

import numpy as np

from ..media.paths import project_root
from .registry import Exporter, register


def _source(project, scheme, fields):
    from ..media.volumes import find_volume

    rel = fields.get(getattr(scheme, "source_field", ""))
    return find_volume(project_root(project.config), rel) if isinstance(rel, str) else None


def _affine(project, scheme, fields) -> np.ndarray:
    path = _source(project, scheme, fields)
    if path is not None and not path.is_dir():
        import nibabel as nib

        with contextlib.suppress(Exception):  # an unreadable source still exports its masks
            return np.asarray(nib.as_closest_canonical(nib.load(str(path))).affine)
    return np.eye(4)


def _masks(project) -> Iterator[tuple[object, object, dict, np.ndarray, str]]:
    """(row, scheme, answer, label volume, file stem) for every painted answer."""
    from ..media.volumes import label_volume

    schemes = [s for s in project.config.schemes if getattr(s, "volume_masks", False)]
    if not schemes:
        return
    for row in project.store.annotations.iter_annotated():
        for scheme in schemes:
            answer = scheme.answer(row.label_maps.get(scheme.name) or {})
            if not answer or not answer.get("masks"):
                continue
            volume = label_volume(answer["masks"], answer["labels"], answer["shape"])
            safe = re.sub(r"[^\w.-]", "_", f"{row.item_id}_{row.user}_{scheme.name}")
            yield row, scheme, answer, volume, safe


@register
class NiftiMasksExport(Exporter):
    name = "nifti_masks"
    description = "Volume masks as gzipped NIfTI label volumes, base64 in JSON Lines"
    extension = "jsonl"
    mimetype = "application/x-ndjson"

    def stream(self, project) -> Iterator[str]:
        from ..media.volumes import nifti_gz

        for row, scheme, answer, volume, safe in _masks(project):
            data = nifti_gz(volume, _affine(project, scheme, row.fields))
            yield _line(row, scheme, answer, f"{safe}.nii.gz", "nifti_gz_base64", data)


def _line(row, scheme, answer, file: str, key: str, data: bytes) -> str:
    doc = {
        "item_id": row.item_id,
        "annotator": row.user,
        "schema": scheme.name,
        "file": file,
        "labels": answer["labels"],
        "shape": answer["shape"],
        key: base64.b64encode(data).decode("ascii"),
    }
    return json.dumps(doc) + "\n"


@register
class DicomSegExport(Exporter):
    name = "dicom_seg"
    description = "Volume masks as DICOM Segmentation objects, base64 in JSON Lines"
    extension = "jsonl"
    mimetype = "application/x-ndjson"

    def stream(self, project) -> Iterator[str]:
        from ..media import dicom_seg

        for row, scheme, answer, volume, safe in _masks(project):
            path = _source(project, scheme, row.fields)
            geometry = None
            if path is not None and path.is_dir():
                with contextlib.suppress(Exception):  # an unreadable series: its masks still go out
                    geometry = dicom_seg.geometry_from_series(path)
                    if len(geometry.positions) != volume.shape[2]:
                        geometry = None
            if geometry is None:
                geometry = dicom_seg.geometry_from_affine(
                    _affine(project, scheme, row.fields), volume.shape
                )
            data = dicom_seg.segmentation(volume, answer["labels"], geometry, scheme.name)
            yield _line(row, scheme, answer, f"{safe}.dcm", "dicom_base64", data)
