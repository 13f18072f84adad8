"""depth_map display and /media/depth: a 16-bit millimetre PNG and a float .npy made in the
test, read back in metres, coloured with invalid pixels in their own colour; bad windows,
colormaps, paths and files refused with a 4xx."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
import yaml

from tests.conftest import login


def depth_project(root):
    (root / "media" / "depth").mkdir(parents=True)
    mm = np.full((60, 80), 2000, np.uint16)  # 2 m everywhere
    mm[:, 40:] = 5000  # 5 m on the right half
    mm[0:10, 0:10] = 0  # no return
    cv2.imwrite(str(root / "media" / "depth" / "d.png"), mm)
    np.save(
        root / "media" / "depth" / "f.npy",
        np.linspace(1, 3, 20 * 10, dtype=np.float32).reshape(10, 20),
    )
    (root / "media" / "depth" / "bad.npy").write_bytes(b"not numpy")
    cv2.imwrite(str(root / "rgb.png"), np.zeros((60, 80, 3), np.uint8))
    rows = [{"id": "s1", "rgb": "rgb.png", "depth": "depth/d.png", "note": "n"}]
    (root / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = {
        "annotation_task_name": "depth", "task_dir": ".", "output_annotation_dir": "out",
        "data_files": ["data.jsonl"], "item_properties": {"id_key": "id", "text_key": "note"},
        "user_config": {"allow_all_users": True}, "require_password": False,
        "login_rate_limit": "1000 per minute",
        "instance_display": {"fields": [
            {"key": "rgb", "type": "image"},
            {"key": "depth", "type": "depth_map", "label": "Predicted depth",
             "display_options": {"depth_scale": 0.001, "colormap": "turbo", "rgb_field": "rgb",
                                 "overlay_opacity": 0.8}},
        ]},
        "annotation_schemes": [{"annotation_type": "radio", "name": "ok", "description": "ok?",
                                "labels": ["yes", "no"]}],
    }  # fmt: skip
    (root / "config.yaml").write_text(yaml.safe_dump(config))
    return root / "config.yaml"


@pytest.fixture
def client(tmp_path, open_app):
    c = login(open_app(depth_project(tmp_path)).test_client(), "ann1")
    c.environ_base["HTTP_ACCEPT"] = "application/json"
    return c


def test_page_shows_the_map_with_its_options(client):
    page = client.get("/annotate").get_data(as_text=True)
    assert 'data-testid="depth-map"' in page
    config = json.loads(page.split("data-depth-config='")[1].split("'")[0])
    assert config == {"base": "/media/depth/depth/d.png", "scale": 0.001, "colormap": "turbo",
                      "invert": False, "rgb_field": "rgb", "opacity": 0.8}  # fmt: skip
    assert "/media/depth/depth/d.png?scale=0.001" in page


def test_metres_range_and_grid(client):
    info = client.get("/media/depth/depth/d.png?format=json&scale=0.001").json
    assert (info["width"], info["height"], info["unit"]) == (80, 60, "m")
    assert info["min"] == pytest.approx(2.0) and info["max"] == pytest.approx(5.0)
    assert info["invalid_fraction"] == pytest.approx(100 / 4800, abs=1e-4)
    g = client.get("/media/depth/depth/d.png?format=grid").json  # mm PNG: 0.001 by default
    assert g["step"] == 1 and g["rows"][0][0] is None
    assert g["rows"][30][10] == 2.0 and g["rows"][30][70] == 5.0
    npy = client.get("/media/depth/depth/f.npy?format=json").json
    assert npy["min"] == pytest.approx(1.0) and npy["max"] == pytest.approx(3.0)


def test_coloured_png_marks_invalid_pixels(client):
    r = client.get("/media/depth/depth/d.png?colormap=gray&near=2&far=5")
    assert r.status_code == 200 and r.mimetype == "image/png"
    img = cv2.imdecode(np.frombuffer(r.data, np.uint8), cv2.IMREAD_COLOR)
    assert tuple(img[5, 5]) == (255, 0, 255)  # no return: magenta
    assert tuple(img[30, 20]) == (0, 0, 0) and tuple(img[30, 60]) == (255, 255, 255)
    inverted = client.get("/media/depth/depth/d.png?colormap=gray&near=2&far=5&invert=1")
    img = cv2.imdecode(np.frombuffer(inverted.data, np.uint8), cv2.IMREAD_COLOR)
    assert tuple(img[30, 20]) == (255, 255, 255)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/media/depth/depth/d.png?colormap=rainbow", 422),
        ("/media/depth/depth/d.png?near=5&far=2", 422),
        ("/media/depth/depth/d.png?near=x", 400),
        ("/media/depth/depth/d.png?scale=0", 400),
        ("/media/depth/depth/d.png?scale=nan", 400),
        ("/media/depth/depth/d.png?format=tiff", 400),
        ("/media/depth/depth/bad.npy", 422),
        ("/media/depth/../config.yaml", 404),
        ("/media/depth/depth/../../config.yaml", 404),
        ("/media/depth/out/potato_like.sqlite3", 404),
        ("/media/depth/missing.png", 404),
    ],
)
def test_bad_requests(client, url, status):
    r = client.get(url)
    assert r.status_code == status, (url, r.data[:200])
    assert r.json["error"]
