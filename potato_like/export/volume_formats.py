"""Volume masks as NIfTI label volumes (one per item, annotator and scheme).

A scheme takes part when it sets `volume_masks` (its answers hold run-length masks per axial
slice, `shape` and `labels`; see media/volumes.py); nothing here names a type. One JSON
document per line: `{item_id, annotator, schema, file, labels, shape, nifti_gz_base64}`,
the label volume as gzipped NIfTI-1 (uint8, 0 = background, n = the n-th label) with the
source NIfTI's affine (a DICOM series or an unreadable source: the voxel spacing, else the
identity). DICOM SEG is not written: pydicom alone has no simple SEG writer.
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


def _affine(project, scheme, fields) -> np.ndarray:
    from ..media.volumes import find_volume

    rel = fields.get(getattr(scheme, "source_field", ""))
    path = find_volume(project_root(project.config), rel) if isinstance(rel, str) else None
    if path is not None and not path.is_dir():
        import nibabel as nib

        with contextlib.suppress(Exception):  # an unreadable source still exports its masks
            return np.asarray(nib.as_closest_canonical(nib.load(str(path))).affine)
    return np.eye(4)


@register
class NiftiMasksExport(Exporter):
    name = "nifti_masks"
    description = "Volume masks as gzipped NIfTI label volumes, base64 in JSON Lines"
    extension = "jsonl"
    mimetype = "application/x-ndjson"

    def stream(self, project) -> Iterator[str]:
        from ..media.volumes import label_volume, nifti_gz

        schemes = [s for s in project.config.schemes if getattr(s, "volume_masks", False)]
        if not schemes:
            return
        for row in project.store.annotations.iter_annotated():
            for scheme in schemes:
                answer = scheme.answer(row.label_maps.get(scheme.name) or {})
                if not answer or not answer.get("masks"):
                    continue
                labels = answer["labels"]
                volume = label_volume(answer["masks"], labels, answer["shape"])
                data = nifti_gz(volume, _affine(project, scheme, row.fields))
                safe = re.sub(r"[^\w.-]", "_", f"{row.item_id}_{row.user}_{scheme.name}")
                doc = {
                    "item_id": row.item_id,
                    "annotator": row.user,
                    "schema": scheme.name,
                    "file": f"{safe}.nii.gz",
                    "labels": labels,
                    "shape": answer["shape"],
                    "nifti_gz_base64": base64.b64encode(data).decode("ascii"),
                }
                yield json.dumps(doc) + "\n"
