"""DICOM SEG export of volume masks: read back with pydicom, frames and segments checked
against the painted voxels, on a NIfTI volume and a DICOM series made in the test."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest

from potato_like.media.volumes import rle_encode
from tests.conftest import ADMIN, base_config, current_id, login, write_config

from .volume_util import SHAPE, write_dicom_series, write_nifti

pydicom = pytest.importorskip("pydicom")
pytest.importorskip("nibabel")

NI, NJ, NK = SHAPE
SCHEME = {"annotation_type": "volume_annotation", "name": "lesions", "labels": ["lesion", "organ"]}


@pytest.fixture
def app(tmp_path, open_app):
    write_nifti(tmp_path / "phantom.nii.gz")
    write_dicom_series(tmp_path / "media" / "ct")
    rows = [
        {"id": "n", "text": "nifti", "volume": "phantom.nii.gz"},
        {"id": "d", "text": "dicom", "volume": "ct"},
    ]
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = base_config(annotation_schemes=[SCHEME], assignment_strategy="fixed_order")
    return open_app(write_config(tmp_path, config))


def plane(voxels):
    mask = np.zeros((NJ, NI), dtype=bool)
    for i, j in voxels:
        mask[j, i] = True
    return rle_encode(mask)


MASKS = {
    "lesion": {"8": plane([(12, 10), (13, 10)]), "9": plane([(12, 11)])},
    "organ": {"3": plane([(0, 0), (23, 19)])},
}


def annotate(client, volume):
    record = {
        "volume": volume,
        "shape": list(SHAPE),
        "labels": ["lesion", "organ"],
        "masks": MASKS,
        "shapes": [],
    }
    r = client.post(
        "/updateinstance",
        json={
            "instance_id": current_id(client),
            "annotations": {"lesions:lesions": json.dumps(record)},
        },
    )
    assert r.status_code == 200, r.json


def export(app):
    r = app.test_client().post("/admin/api/export", json={"format": "dicom_seg"}, headers=ADMIN)
    assert r.status_code == 200, r.data[:300]
    docs = [json.loads(line) for line in r.data.decode().splitlines()]
    return {
        d["item_id"]: (d, pydicom.dcmread(io.BytesIO(base64.b64decode(d["dicom_base64"]))))
        for d in docs
    }


def frames_by_segment(seg):
    pixels = seg.pixel_array.reshape(int(seg.NumberOfFrames), seg.Rows, seg.Columns)
    out = {}
    for frame, group in zip(pixels, seg.PerFrameFunctionalGroupsSequence, strict=True):
        number = group.SegmentIdentificationSequence[0].ReferencedSegmentNumber
        out.setdefault(number, []).append((group, frame))
    return out


def voxels(frames, positions):
    """(i, j, k) of every set pixel, k found from the frame's position."""
    found = set()
    for group, frame in frames:
        k = positions.index([float(x) for x in group.PlanePositionSequence[0].ImagePositionPatient])
        found |= {(int(i), int(j), k) for j, i in zip(*np.nonzero(frame), strict=True)}
    return found


EXPECTED = {
    1: {(12, 10, 8), (13, 10, 8), (12, 11, 9)},
    2: {(0, 0, 3), (23, 19, 3)},
}


def test_dicom_seg_of_a_dicom_series_references_its_slices(app, tmp_path):
    ann = login(app.test_client(), "ann")
    annotate(ann, "phantom.nii.gz")
    assert ann.post("/go_to", json={"go_to": 1}).status_code == 200
    annotate(ann, "ct")
    doc, seg = export(app)["d"]
    assert doc["file"].endswith(".dcm") and doc["labels"] == ["lesion", "organ"]
    assert seg.SOPClassUID == "1.2.840.10008.5.1.4.1.1.66.4" and seg.Modality == "SEG"
    assert seg.SegmentationType == "BINARY" and (seg.Rows, seg.Columns) == (NJ, NI)
    assert [s.SegmentLabel for s in seg.SegmentSequence] == ["lesion", "organ"]
    assert int(seg.NumberOfFrames) == 3  # slices 8 and 9 of lesion, 3 of organ
    sources = sorted(
        (pydicom.dcmread(p) for p in (tmp_path / "media" / "ct").iterdir()),
        key=lambda ds: float(ds.ImagePositionPatient[2]),
    )
    positions = [[float(x) for x in ds.ImagePositionPatient] for ds in sources]
    by_segment = frames_by_segment(seg)
    assert {n: voxels(f, positions) for n, f in by_segment.items()} == EXPECTED
    for group, _frame in by_segment[1]:
        k = positions.index([float(x) for x in group.PlanePositionSequence[0].ImagePositionPatient])
        source = group.DerivationImageSequence[0].SourceImageSequence[0]
        assert source.ReferencedSOPInstanceUID == sources[k].SOPInstanceUID
    assert seg.ReferencedSeriesSequence[0].SeriesInstanceUID == sources[0].SeriesInstanceUID
    spacing = seg.SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0]
    assert [float(x) for x in spacing.PixelSpacing] == [1.5, 1.5]
    assert float(spacing.SliceThickness) == 3.0


def test_dicom_seg_of_a_nifti_volume_uses_its_affine_in_lps(app):
    ann = login(app.test_client(), "ann")
    annotate(ann, "phantom.nii.gz")
    _doc, seg = export(app)["n"]
    # the test NIfTI affine is diag(1.5, 1.5, 3): RAS -> LPS flips the first two axes
    orientation = seg.SharedFunctionalGroupsSequence[0].PlaneOrientationSequence[0]
    assert [float(x) for x in orientation.ImageOrientationPatient] == [-1, 0, 0, 0, -1, 0]
    positions = [[0.0, 0.0, 3.0 * k] for k in range(NK)]
    assert {n: voxels(f, positions) for n, f in frames_by_segment(seg).items()} == EXPECTED
    assert "DerivationImageSequence" not in seg.PerFrameFunctionalGroupsSequence[0]


def test_dicom_seg_export_without_masks_is_empty(app):
    r = app.test_client().post("/admin/api/export", json={"format": "dicom_seg"}, headers=ADMIN)
    assert r.status_code == 200 and r.data == b""


def test_highdicom_reads_the_segmentation_back_as_a_volume(app):
    """An independent reader (highdicom, a dev dependency) parses the SEG's multi-frame
    structure and rebuilds the segment masks from its frame positions."""
    hd = pytest.importorskip("highdicom")
    ann = login(app.test_client(), "ann")
    annotate(ann, "phantom.nii.gz")
    _doc, ds = export(app)["n"]
    seg = hd.seg.Segmentation.from_dataset(ds)
    assert seg.segment_numbers == [1, 2]
    volume = seg.get_volume()
    assert volume.array.shape == (7, NJ, NI, 2)  # the slices 3..9 that hold voxels

    def voxels_of(segment):
        """(i, j, k): k from the slice's patient z (the NIfTI's slices are 3 mm apart)."""
        out = set()
        for s, j, i in zip(*np.nonzero(volume.array[..., segment]), strict=True):
            z = (volume.affine @ np.array([s, j, i, 1.0]))[2]
            out.add((int(i), int(j), round(z / 3.0)))
        return out

    assert voxels_of(0) == EXPECTED[1] and voxels_of(1) == EXPECTED[2]
