"""volume_annotation: NIfTI and DICOM volumes read on the server (info and windowed PNG
slices), run-length masks and 3-D boxes checked against the item's volume, NIfTI mask export,
dashboard summary, and a clear config error without nibabel/pydicom."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from potato_like.media.volumes import read_nifti_bytes, rle_encode
from tests.conftest import ADMIN, base_config, current_id, login, write_config

from .volume_util import SHAPE, phantom, write_dicom_series, write_nifti

pytest.importorskip("nibabel")
pytest.importorskip("pydicom")

SCHEME = {
    "annotation_type": "volume_annotation",
    "name": "lesions",
    "labels": ["lesion", "organ"],
    "window_presets": [{"name": "Soft", "center": 550, "width": 1100}],
}
NI, NJ, NK = SHAPE


@pytest.fixture
def app(tmp_path, open_app):
    write_nifti(tmp_path / "phantom.nii.gz")
    write_dicom_series(tmp_path / "media" / "ct")
    (tmp_path / "data.jsonl").write_text(
        json.dumps({"id": "n", "text": "nifti", "volume": "phantom.nii.gz"})
        + "\n"
        + json.dumps({"id": "d", "text": "dicom", "volume": "ct"})
        + "\n"
    )
    config = base_config(annotation_schemes=[SCHEME], assignment_strategy="fixed_order")
    return open_app(write_config(tmp_path, config))


def painted(k_voxels: list[tuple[int, int]]) -> list[int]:
    plane = np.zeros((NJ, NI), dtype=bool)
    for i, j in k_voxels:
        plane[j, i] = True
    return rle_encode(plane)


def send(client, iid, record):
    raw = record if isinstance(record, str) else json.dumps(record)
    return client.post(
        "/updateinstance", json={"instance_id": iid, "annotations": {"lesions:lesions": raw}}
    )


def stored(client, iid):
    return client.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]


def record(**changes):
    base = {
        "volume": "phantom.nii.gz",
        "shape": list(SHAPE),
        "labels": ["lesion", "organ"],
        "masks": {"lesion": {"8": painted([(12, 10), (13, 10)])}},
        "shapes": [{"label": "organ", "type": "box", "points": [[2, 3, 1], [20, 15, 12]]}],
    }
    base.update(changes)
    return base


def test_nifti_and_dicom_are_served_as_info_and_windowed_slices(app):
    ann = login(app.test_client(), "ann")
    page = ann.get("/annotate").data.decode()
    assert 'data-volume-url="/media/volume/phantom.nii.gz"' in page
    for path in ("phantom.nii.gz", "ct"):
        info = ann.get(f"/media/volume/{path}?info=1").json
        assert info["shape"] == list(SHAPE) and info["spacing"] == [1.5, 1.5, 3.0]
    data = phantom()
    for path in ("phantom.nii.gz", "ct"):
        r = ann.get(f"/media/volume/{path}?axis=axial&index=5&wc=550&ww=1100")
        assert r.status_code == 200 and r.mimetype == "image/png"
        png = cv2.imdecode(np.frombuffer(r.data, np.uint8), cv2.IMREAD_GRAYSCALE)
        assert png.shape == (NJ, NI)  # rows j, columns i
        expected = np.clip((data[:, :, 5].T - 0) / 1100 * 255, 0, 255).astype(np.uint8)
        assert np.abs(png.astype(int) - expected).max() <= 1  # DICOM slices sorted by position
    coronal = ann.get("/media/volume/ct?axis=coronal&index=0&wc=550&ww=1100")
    png = cv2.imdecode(np.frombuffer(coronal.data, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert png.shape == (NK, NI)
    # the ramp at i=0 along k: highest k on the top row
    assert png[0, 0] == int((NK - 1) * 10 / 1100 * 255) and png[-1, 0] == 0


@pytest.mark.parametrize(
    ("url", "status", "problem"),
    [
        ("/media/volume/phantom.nii.gz?axis=axial&index=99", 422, "outside 0..15"),
        ("/media/volume/phantom.nii.gz?axis=oblique", 422, "axis must be one of"),
        ("/media/volume/phantom.nii.gz?ww=0", 400, "must be more than 0"),
        ("/media/volume/phantom.nii.gz?index=x", 400, "whole number"),
        ("/media/volume/../etc/passwd", 404, "no such volume"),
        ("/media/volume/data.jsonl", 404, "no such volume"),
    ],
)
def test_bad_slice_requests_are_refused(app, url, status, problem):
    ann = login(app.test_client(), "ann")
    r = ann.get(url, headers={"Accept": "application/json"})
    assert r.status_code == status and problem in r.json["error"], r.data


def test_slices_need_a_signed_in_user(app):
    assert app.test_client().get("/media/volume/phantom.nii.gz?info=1").status_code in (401, 302)


def test_masks_and_boxes_are_stored_and_shown_after_reload(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, record())
    assert r.status_code == 200, r.json
    got = json.loads(stored(ann, iid)["lesions"]["lesions"])
    assert got["masks"] == {"lesion": {"8": painted([(12, 10), (13, 10)])}}
    assert got["shapes"][0]["points"] == [[2.0, 3.0, 1.0], [20.0, 15.0, 12.0]]
    assert json.dumps(got["masks"]["lesion"]["8"]) in ann.get("/annotate").data.decode()


BAD = [
    ("{", "not valid JSON"),
    (record(shape=[24, 20]), "'shape' must be [nI, nJ, nK]"),
    (record(shape=[24, 20, 17]), "is not the volume's [24, 20, 16]"),
    (record(masks={"tumour": {"1": [480]}}), "'tumour' is not one of lesion, organ"),
    (record(masks={"lesion": {"16": [480]}}), "slice '16' is not one of 0..15"),
    (record(masks={"lesion": {"3": [100, 5]}}), "cover 105 voxels, not the slice's 20 x 24"),
    (record(masks={"lesion": {"3": [470, -1, 11]}}), "whole numbers, 0 or more"),
    (record(shapes=[{"label": "organ", "type": "box", "points": [[1, 1, 1]]}]), "two corners"),
    (
        record(shapes=[{"label": "organ", "type": "box", "points": [[1, 1, 1], [24, 1, 1]]}]),
        "i = 24 is outside 0..23",
    ),
    (record(shapes=[{"label": "organ", "type": "sphere", "points": []}]), "not box or polygon"),
    (record(extra=1), "unknown key 'extra'"),
]


def test_bad_answers_are_refused_naming_the_problem_and_nothing_is_written(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    for value, problem in BAD:
        r = send(ann, iid, value)
        assert r.status_code == 400 and problem in r.json["error"], (problem, r.json)
    assert stored(ann, iid) == {}


def test_nifti_mask_export_and_dashboard(app):
    ann = login(app.test_client(), "ann")
    assert send(ann, current_id(ann), record()).status_code == 200
    admin = app.test_client()
    r = admin.post("/admin/api/export", json={"format": "nifti_masks"}, headers=ADMIN)
    assert r.status_code == 200, r.data[:300]
    doc = json.loads(r.data.decode().splitlines()[0])
    assert doc["item_id"] == "n" and doc["labels"] == ["lesion", "organ"]
    volume = read_nifti_bytes(base64.b64decode(doc["nifti_gz_base64"]))
    assert volume.shape == SHAPE and volume.dtype == np.uint8
    assert sorted(zip(*np.nonzero(volume), strict=True)) == [(12, 10, 8), (13, 10, 8)]
    assert set(np.unique(volume)) == {0, 1}
    import gzip
    import io

    import nibabel as nib

    raw = gzip.decompress(base64.b64decode(doc["nifti_gz_base64"]))
    affine = nib.Nifti1Image.from_stream(io.BytesIO(raw)).affine
    assert np.allclose(affine, np.diag([1.5, 1.5, 3.0, 1.0]))  # the source volume's
    questions = admin.get("/admin/api/questions?fresh=1", headers=ADMIN).json["questions"]
    summary = next(q for q in questions if q["name"] == "lesions")["summary"]
    assert summary["painted_voxels_by_label"] == {"lesion": 2}
    assert summary["boxes_by_label"] == {"organ": 1}


def test_missing_libraries_are_a_clear_config_error(tmp_path, monkeypatch):
    from potato_like import create_app
    from potato_like.errors import ConfigError

    monkeypatch.setitem(sys.modules, "pydicom", None)  # import pydicom now fails
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "x"}\n')
    path = write_config(tmp_path, base_config(annotation_schemes=[SCHEME]))
    with pytest.raises(ConfigError) as info:
        create_app(path)
    assert "volume_annotation needs pydicom" in str(info.value)
    assert "potato-like[volume]" in str(info.value)


def test_unknown_tools_and_views_are_config_errors(tmp_path):
    from potato_like import create_app
    from potato_like.errors import ConfigError

    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "x"}\n')
    scheme = {**SCHEME, "tools": ["brush", "lasso"], "views": ["axial", "oblique"]}
    with pytest.raises(ConfigError) as info:
        create_app(write_config(tmp_path, base_config(annotation_schemes=[scheme])))
    assert "tools[1]: 'lasso' is not one of" in str(info.value)
    assert "views[1]: 'oblique' is not one of" in str(info.value)


def test_example_project_loads(example_project):
    source = Path(__file__).resolve().parents[2] / "example_projects" / "volumes"
    ann = login(example_project(source, require_password=False).test_client(), "ann")
    assert ann.get("/media/volume/phantom_ct?info=1").json["shape"] == list(SHAPE)


def test_the_header_shape_is_the_reoriented_volume_shape(tmp_path):
    """Saves check the answer's shape from the header alone; it must match the shape of the
    volume the slices come from, also for a file whose axes are not in RAS order."""
    import nibabel as nib

    from potato_like.media.volumes import load_volume, volume_shape

    permuted = np.array([[0, 2, 0, 0], [0, 0, 3, 0], [1.5, 0, 0, 0], [0, 0, 0, 1.0]])
    path = tmp_path / "p.nii.gz"
    nib.save(nib.Nifti1Image(np.zeros((5, 6, 7), np.int16), permuted), str(path))
    assert volume_shape(path) == load_volume(path).shape == (6, 7, 5)
