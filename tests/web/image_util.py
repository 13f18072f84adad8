"""Shared helpers of the image tests: images made with numpy + cv2, an image project."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

IMAGE_W, IMAGE_H = 400, 300


def write_image(path: Path, width: int = IMAGE_W, height: int = IMAGE_H) -> Path:
    import cv2
    import numpy as np

    img = np.zeros((height, width, 3), np.uint8)
    img[height // 6 : height // 2, width // 4 : width * 5 // 8] = (0, 200, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), img)
    return path


def image_scheme(**extra):
    scheme = {
        "annotation_type": "image_annotation",
        "name": "objects",
        "description": "Draw the objects",
        "tools": ["bbox", "polygon", "polyline", "ellipse", "landmark", "brush", "keypoint_set"],
        "labels": [
            {"name": "cat", "color": "#FF0000", "key_value": "c"},
            {"name": "dog", "color": "#00FF00", "key_value": "d"},
        ],
    }
    scheme.update(extra)
    return scheme


def image_project(root: Path, schemes=None, items=None, **extra) -> Path:
    """A project dir with two local images and one remote URL; returns the config path."""
    write_image(root / "images" / "a.png")
    write_image(root / "images" / "b.jpg", 640, 480)
    rows = items or [
        {"id": "a", "image": "images/a.png"},
        {"id": "b", "image": "images/b.jpg"},
        {"id": "remote", "image": "https://example.org/photo.jpg"},
    ]
    (root / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = {
        "annotation_task_name": "images",
        "task_dir": ".",
        "output_annotation_dir": "annotation_output",
        "data_files": ["data.jsonl"],
        "item_properties": {"id_key": "id", "text_key": "image"},
        "user_config": {"allow_all_users": True},
        "require_password": False,
        "login_rate_limit": "1000 per minute",
        "admin_api_key": "test-admin-key-123456",
        "assignment_strategy": "fixed_order",
        "annotation_schemes": schemes or [image_scheme()],
        **extra,
    }
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def bbox(label="cat", x=0.25, y=0.2, w=0.5, h=0.4):
    return {"type": "bbox", "label": label, "color": "#FF0000",
            "coordinates": {"x": x, "y": y, "width": w, "height": h}}  # fmt: skip


def polygon(label="dog", points=((0.1, 0.1), (0.5, 0.1), (0.3, 0.6))):
    return {"type": "polygon", "label": label,
            "coordinates": [{"x": x, "y": y} for x, y in points]}  # fmt: skip
