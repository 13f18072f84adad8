"""DICOM Segmentation objects (SOP class 1.2.840.10008.5.1.4.1.1.66.4) written with pydicom.

One BINARY segmentation per (item, annotator, scheme): one segment per label that has any
painted voxel, one frame per (segment, axial slice) that holds at least one voxel (empty
frames are left out, as most writers do). A frame has rows j and columns i of the label
volume (media/volumes.py's axial plane), bits packed as the standard asks.

Geometry: for a DICOM series the SEG shares the series' study, frame of reference,
orientation and per-slice positions, and every frame names its source slice
(DerivationImageSequence); for a NIfTI volume the canonical RAS affine becomes patient LPS
coordinates in a new study and frame of reference. Labels are coded in a private coding
scheme (`99POTATO`), the category is SNOMED CT "Anatomical structure".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SEG_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.66.4"
CODING_SCHEME = "99POTATO"


@dataclass
class Geometry:
    """Where the slices of a volume lie in patient (LPS) space."""

    orientation: list[float]  # row direction (i) then column direction (j)
    positions: list[list[float]]  # ImagePositionPatient of slice k
    spacing: tuple[float, float, float]  # along i, j, k in mm
    study_uid: str | None = None
    frame_of_reference_uid: str | None = None
    series_uid: str | None = None
    patient: dict[str, Any] = field(default_factory=dict)
    sources: list[tuple[str, str]] = field(default_factory=list)  # (SOP class, instance) per k


def geometry_from_affine(affine: Any, shape: tuple[int, int, int]) -> Geometry:
    """NIfTI RAS voxel->mm affine as DICOM geometry (LPS flips x and y)."""
    lps = np.diag([-1.0, -1.0, 1.0, 1.0]) @ np.asarray(affine, dtype=float)
    spacing = tuple(float(np.linalg.norm(lps[:3, n])) or 1.0 for n in range(3))
    row = lps[:3, 0] / spacing[0]
    col = lps[:3, 1] / spacing[1]
    positions = [
        [round(float(x), 6) for x in lps @ np.array([0, 0, k, 1.0])][:3] for k in range(shape[2])
    ]
    orientation = [round(float(x), 6) for x in (*row, *col)]
    return Geometry(orientation, positions, spacing)  # type: ignore[arg-type]


def geometry_from_series(directory: Path) -> Geometry:
    """The geometry and identity of a DICOM series, slices sorted as media/volumes.py sorts
    them (by ImagePositionPatient z, else InstanceNumber)."""
    import pydicom

    from .volumes import _dicom_files

    headers = []
    for file in _dicom_files(directory):
        ds = pydicom.dcmread(file, stop_before_pixels=True, force=True)
        position = getattr(ds, "ImagePositionPatient", None)
        order = float(position[2]) if position else float(getattr(ds, "InstanceNumber", 0) or 0)
        headers.append((order, ds))
    headers.sort(key=lambda h: h[0])
    first = headers[0][1]
    row, col = (float(x) for x in getattr(first, "PixelSpacing", (1, 1)))
    thick = abs(headers[1][0] - headers[0][0]) if len(headers) > 1 else 0.0
    thick = thick or float(getattr(first, "SliceThickness", 1) or 1)
    positions = [
        [float(x) for x in getattr(ds, "ImagePositionPatient", None) or [0, 0, k * thick]]
        for k, (_o, ds) in enumerate(headers)
    ]
    orientation = [float(x) for x in getattr(first, "ImageOrientationPatient", (1, 0, 0, 0, 1, 0))]
    patient = {
        key: getattr(first, key)
        for key in ("PatientName", "PatientID", "PatientBirthDate", "PatientSex")
        if key in first
    }
    return Geometry(
        orientation,
        positions,
        (col, row, thick),
        study_uid=getattr(first, "StudyInstanceUID", None),
        frame_of_reference_uid=getattr(first, "FrameOfReferenceUID", None),
        series_uid=getattr(first, "SeriesInstanceUID", None),
        patient=patient,
        sources=[
            (str(ds.SOPClassUID), str(ds.SOPInstanceUID))
            for _o, ds in headers
            if "SOPClassUID" in ds and "SOPInstanceUID" in ds
        ],
    )


def _code(value: str, scheme: str, meaning: str):
    from pydicom.dataset import Dataset

    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, scheme, meaning[:64]
    return item


def _pack_bits(frames: np.ndarray) -> bytes:
    try:
        from pydicom.pixels import pack_bits
    except ImportError:  # pydicom 2.x
        from pydicom.pixel_data_handlers.numpy_handler import pack_bits
    return pack_bits(frames.astype(np.uint8).ravel(), pad=True)


def segmentation(
    labels_volume: np.ndarray, labels: list[str], geometry: Geometry, description: str = ""
) -> bytes:
    """A DICOM SEG file's bytes for a uint8 [i, j, k] label volume (n = the n-th label)."""
    import io

    import pydicom
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.sequence import Sequence
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    ni, nj, nk = labels_volume.shape
    now = dt.datetime.now(dt.timezone.utc)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SEG_SOP_CLASS
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = SEG_SOP_CLASS, meta.MediaStorageSOPInstanceUID
    for key in ("PatientName", "PatientID", "PatientBirthDate", "PatientSex"):
        setattr(ds, key, geometry.patient.get(key, ""))
    ds.StudyInstanceUID = geometry.study_uid or generate_uid()
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = now.strftime("%Y%m%d")
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = now.strftime("%H%M%S")
    ds.ReferringPhysicianName = ds.StudyID = ds.AccessionNumber = ""
    ds.Modality = "SEG"
    ds.SeriesInstanceUID = generate_uid()
    ds.SeriesNumber = ds.InstanceNumber = 1
    ds.FrameOfReferenceUID = geometry.frame_of_reference_uid or generate_uid()
    ds.PositionReferenceIndicator = ""
    ds.Manufacturer = ds.ManufacturerModelName = "potato_like"
    ds.DeviceSerialNumber, ds.SoftwareVersions = "1", "1"
    ds.ImageType = ["DERIVED", "PRIMARY"]
    ds.ContentLabel = "ANNOTATION"
    ds.ContentDescription = description[:64]
    ds.ContentCreatorName = ""
    ds.SegmentationType = "BINARY"
    ds.LossyImageCompression = "00"
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.Rows, ds.Columns = nj, ni
    ds.BitsAllocated = ds.BitsStored = 1
    ds.HighBit = ds.PixelRepresentation = 0
    if geometry.sources:
        ref_series = Dataset()
        ref_series.SeriesInstanceUID = geometry.series_uid or ""
        ref_series.ReferencedInstanceSequence = Sequence(
            [_referenced(sop_class, sop_uid) for sop_class, sop_uid in geometry.sources]
        )
        ds.ReferencedSeriesSequence = Sequence([ref_series])

    shared = Dataset()
    measures = Dataset()
    measures.PixelSpacing = [geometry.spacing[1], geometry.spacing[0]]  # row, column spacing
    measures.SliceThickness = measures.SpacingBetweenSlices = geometry.spacing[2]
    shared.PixelMeasuresSequence = Sequence([measures])
    plane = Dataset()
    plane.ImageOrientationPatient = geometry.orientation
    shared.PlaneOrientationSequence = Sequence([plane])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])

    dimension_uid = generate_uid()
    organization = Dataset()
    organization.DimensionOrganizationUID = dimension_uid
    ds.DimensionOrganizationSequence = Sequence([organization])
    ds.DimensionIndexSequence = Sequence(
        [
            _dimension(dimension_uid, 0x0062000B, 0x0062000A, "Segment number"),
            _dimension(dimension_uid, 0x00200032, 0x00209113, "Image position"),
        ]
    )

    segments, frames, per_frame = [], [], []
    for number, label in enumerate(labels, start=1):
        mask = labels_volume == number
        if not mask.any():
            continue
        segment = Dataset()
        segment.SegmentNumber = number
        segment.SegmentLabel = label[:64]
        segment.SegmentAlgorithmType = "MANUAL"
        segment.SegmentedPropertyCategoryCodeSequence = Sequence(
            [_code("91723000", "SCT", "Anatomical structure")]
        )
        segment.SegmentedPropertyTypeCodeSequence = Sequence(
            [_code(str(number), CODING_SCHEME, label)]
        )
        segments.append(segment)
        for k in range(nk):
            if not mask[:, :, k].any():
                continue
            frames.append(mask[:, :, k].T)  # rows j, columns i
            per_frame.append(_frame(number, k, geometry))
    ds.SegmentSequence = Sequence(segments)
    ds.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
    ds.NumberOfFrames = len(frames)
    stack = np.stack(frames) if frames else np.zeros((0, nj, ni), dtype=bool)
    ds.PixelData = _pack_bits(stack)
    out = io.BytesIO()
    if _pydicom3():
        pydicom.dcmwrite(out, ds, enforce_file_format=True)
    else:  # pydicom 2.x
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.save_as(out, write_like_original=False)
    return out.getvalue()


def _pydicom3() -> bool:
    import pydicom

    return int(pydicom.__version__.split(".")[0]) >= 3


def _referenced(sop_class: str, sop_uid: str):
    from pydicom.dataset import Dataset

    item = Dataset()
    item.ReferencedSOPClassUID, item.ReferencedSOPInstanceUID = sop_class, sop_uid
    return item


def _dimension(organization_uid: str, index_tag: int, group_tag: int, description: str):
    from pydicom.dataset import Dataset

    item = Dataset()
    item.DimensionOrganizationUID = organization_uid
    item.DimensionIndexPointer = index_tag
    item.FunctionalGroupPointer = group_tag
    item.DimensionDescriptionLabel = description
    return item


def _frame(segment_number: int, k: int, geometry: Geometry):
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    item = Dataset()
    content = Dataset()
    content.DimensionIndexValues = [segment_number, k + 1]
    item.FrameContentSequence = Sequence([content])
    position = Dataset()
    position.ImagePositionPatient = geometry.positions[k]
    item.PlanePositionSequence = Sequence([position])
    identification = Dataset()
    identification.ReferencedSegmentNumber = segment_number
    item.SegmentIdentificationSequence = Sequence([identification])
    if len(geometry.sources) > k:
        derivation = Dataset()
        derivation.DerivationCodeSequence = Sequence([_code("113076", "DCM", "Segmentation")])
        source = _referenced(*geometry.sources[k])
        source.PurposeOfReferenceCodeSequence = Sequence(
            [_code("121322", "DCM", "Source image for image processing operation")]
        )
        derivation.SourceImageSequence = Sequence([source])
        item.DerivationImageSequence = Sequence([derivation])
    return item
