"""Volumes made in tests: a NIfTI phantom (a bright ball in a dim box) written with nibabel,
and the same phantom as a DICOM series (one file per axial slice) written with pydicom."""

from __future__ import annotations

from pathlib import Path

import numpy as np

SHAPE = (24, 20, 16)  # i, j, k


def phantom(shape=SHAPE) -> np.ndarray:
    i, j, k = np.indices(shape)
    centre = [n / 2 for n in shape]
    ball = (i - centre[0]) ** 2 + (j - centre[1]) ** 2 + (k - centre[2]) ** 2 <= 25
    data = np.full(shape, 100, dtype=np.int16)
    data[ball] = 1000
    data[0, 0, :] = k[0, 0, :] * 10  # a ramp along k: tells slices apart
    return data


def write_nifti(path: Path, data: np.ndarray | None = None) -> Path:
    import nibabel as nib

    data = phantom() if data is None else data
    nib.save(nib.Nifti1Image(data, np.diag([1.5, 1.5, 3.0, 1.0])), str(path))
    return path


def write_dicom_series(directory: Path, data: np.ndarray | None = None) -> Path:
    import pydicom
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    data = phantom() if data is None else data
    directory.mkdir(parents=True, exist_ok=True)
    series = generate_uid()
    for k in range(data.shape[2]):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"  # CT image storage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = pydicom.Dataset()
        ds.file_meta = meta
        ds.SOPClassUID = meta.MediaStorageSOPClassUID
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.SeriesInstanceUID = series
        ds.Modality = "CT"
        ds.Rows, ds.Columns = data.shape[1], data.shape[0]
        ds.PixelSpacing = [1.5, 1.5]
        ds.SliceThickness = 3.0
        ds.ImagePositionPatient = [0, 0, 3.0 * k]
        ds.InstanceNumber = data.shape[2] - k  # file order differs from slice order
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.BitsAllocated = ds.BitsStored = 16
        ds.HighBit = 15
        ds.PixelRepresentation = 1
        ds.RescaleSlope, ds.RescaleIntercept = 1, 0
        ds.PixelData = np.ascontiguousarray(data[:, :, k].T).astype("<i2").tobytes()
        # reversed file names: the reader must sort by position, not by name
        ds.save_as(directory / f"slice_{data.shape[2] - k:03d}.dcm", enforce_file_format=True)
    return directory
