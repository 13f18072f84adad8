"""Shape geometry and masks (media/shapes.py) and the image size memo (media/images.py)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from potato_like.errors import BadAnnotation
from potato_like.media.images import ImageSizes, UnreadableImage, preview_file
from potato_like.media.shapes import (
    bounding_box,
    check_geometry,
    check_rle,
    rle_decode,
    rle_encode,
    to_pixels,
)
from tests.web.image_util import write_image


def test_rle_round_trip_starts_with_background():
    bits = np.zeros((4, 5), np.uint8)
    bits[0, 0] = 1
    bits[2, 1:4] = 1
    rle = rle_encode(bits)
    assert rle["counts"][:2] == [0, 1]  # a set first pixel: an empty background run first
    assert rle["size"] == [4, 5]
    assert (rle_decode(rle) == bits).all()
    assert check_rle(rle, "m", (5, 4))["counts"] == rle["counts"]
    with pytest.raises(BadAnnotation, match="does not match the image"):
        check_rle(rle, "m", (4, 5))


def test_rotated_ellipse_box_and_pixels():
    c = check_geometry("ellipse", {"cx": 0.5, "cy": 0.5, "rx": 0.2, "ry": 0.1, "angle": 90}, "e")
    _x, _y, w, h = bounding_box("ellipse", c)
    assert (w, h) == pytest.approx((0.2, 0.4))  # turned a quarter: the axes swap
    assert to_pixels("ellipse", c, 100, 50) == {"cx": 50.0, "cy": 25.0, "rx": 20.0, "ry": 5.0,
                                                 "angle": 90.0}  # fmt: skip
    assert check_geometry("ellipse", {**c, "angle": -30}, "e")["angle"] == 330


def test_points_accept_pairs_and_reject_nan():
    assert check_geometry("polyline", [[0, 0], [1, 1]], "l") == [{"x": 0.0, "y": 0.0},
                                                                 {"x": 1.0, "y": 1.0}]  # fmt: skip
    with pytest.raises(BadAnnotation, match="must be a number"):
        check_geometry("landmark", {"x": float("nan"), "y": 0}, "p")
    with pytest.raises(BadAnnotation, match="visibility"):
        check_geometry("keypoint_set", [{"x": 0, "y": 0, "v": 7}], "k")


def test_sizes_are_memoised_until_the_file_changes(tmp_path):
    path = write_image(tmp_path / "a.png", 40, 30)
    sizes = ImageSizes(limit=2)
    assert sizes.size(path) == (40, 30)
    write_image(path, 80, 60)
    os.utime(path, ns=(1, 1))  # a different mtime: read again
    assert sizes.size(path) == (80, 60)
    with pytest.raises(UnreadableImage):
        sizes.size(tmp_path / "missing.png")
    for i in range(3):  # the memo stays within its limit
        sizes.size(write_image(tmp_path / f"b{i}.png", 10 + i, 10))
    assert len(sizes._sizes) == 2


def test_small_images_are_their_own_preview(tmp_path):
    path = write_image(tmp_path / "small.png", 40, 30)
    target, size = preview_file(path, tmp_path / "cache")
    assert target == path and size == (40, 30)
    again, size2 = preview_file(path, tmp_path / "cache")  # from the size kept beside it
    assert again == path and size2 == (40, 30)
