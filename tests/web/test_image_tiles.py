"""Deep Zoom tiles: DZI descriptor and tiles of a large image made in the test, built on
demand under the output directory; hostile paths, tiles outside the pyramid and images whose
header claims enormous dimensions are refused with a 4xx."""

from __future__ import annotations

import struct
import zlib
from xml.etree import ElementTree

import cv2
import numpy as np
import pytest

from potato_like.media.tiles import Pyramid, header_size
from tests.conftest import login
from tests.web.image_util import image_project, image_scheme

BIG_W, BIG_H = 5000, 3000


def big_image(path):
    """A 5000x3000 JPEG with a white square at (4000..4100, 2000..2100) on black."""
    img = np.zeros((BIG_H, BIG_W, 3), np.uint8)
    img[2000:2100, 4000:4100] = 255
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), img)
    return path


def png_header(path, width, height):
    """A PNG whose header claims width x height (its pixel data is one tiny row)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 7)) + chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


@pytest.fixture(scope="module")
def big_jpeg(tmp_path_factory):
    return big_image(tmp_path_factory.mktemp("tiles") / "big.jpg").read_bytes()


@pytest.fixture
def app(tmp_path, open_app, big_jpeg):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "big.jpg").write_bytes(big_jpeg)
    png_header(tmp_path / "images" / "huge.png", 100_000, 100_000)
    (tmp_path / "images" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    items = [
        {"id": "big", "image": "images/big.jpg"},
        {"id": "huge", "image": "images/huge.png"},
    ]
    scheme = image_scheme(viewer="deepzoom", tiles={"tile_size": 256, "overlap": 1})
    return open_app(image_project(tmp_path, schemes=[scheme], items=items))


@pytest.fixture
def client(app):
    c = login(app.test_client(), "ann1")
    c.environ_base["HTTP_ACCEPT"] = "application/json"
    return c


def test_pyramid_levels_follow_dzi():
    p = Pyramid(BIG_W, BIG_H, 256, 1)
    assert p.max_level == 13  # 2**13 = 8192 >= 5000
    assert p.level_size(13) == (5000, 3000)
    assert p.level_size(12) == (2500, 1500)
    assert p.level_size(0) == (1, 1)
    assert p.grid(13) == (20, 12)
    assert p.tile_box(13, 0, 0) == (0, 0, 257, 257)
    assert p.tile_box(13, 1, 1) == (255, 255, 513, 513)
    assert p.tile_box(13, 19, 11) == (4863, 2815, 5000, 3000)


def test_header_sizes_are_read_without_decoding(tmp_path):
    assert header_size(big_image(tmp_path / "b.jpg")) == (BIG_W, BIG_H)
    assert header_size(png_header(tmp_path / "h.png", 70_000, 50_000)) == (70_000, 50_000)


def test_descriptor_and_info_name_the_full_size(client):
    r = client.get("/media/tiles/images/big.jpg.dzi")
    assert r.status_code == 200 and r.mimetype == "application/xml"
    root = ElementTree.fromstring(r.data)  # noqa: S314 - our own response
    assert root.attrib["TileSize"] == "256" and root.attrib["Overlap"] == "1"
    size = root.find("{http://schemas.microsoft.com/deepzoom/2008}Size").attrib
    assert (size["Width"], size["Height"]) == ("5000", "3000")
    assert client.get("/media/tiles/images/big.jpg.dzi?format=json").json["max_level"] == 13
    info = client.get("/api/image/info?src=images/big.jpg&viewer=deepzoom").json
    assert info["dzi_url"] == "/media/tiles/images/big.jpg.dzi"
    assert (info["width"], info["height"], info["verified"]) == (BIG_W, BIG_H, True)
    assert "preview_url" not in info


def test_full_resolution_tile_holds_the_full_image_pixels(client, app):
    # the white square at x 4000..4100, y 2000..2100 reaches column 15, row 8 at level 13
    r = client.get("/media/tiles/images/big.jpg_files/13/15_8.jpg")
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    tile = cv2.imdecode(np.frombuffer(r.data, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert tile.shape == (258, 258)  # 256 + one pixel of overlap on each side
    x0, y0 = 15 * 256 - 1, 8 * 256 - 1
    assert tile[2050 - y0, 4050 - x0] > 200  # inside the square
    assert tile[2150 - y0, 4050 - x0] < 50  # below it
    cache = app.extensions["potato_like"].config.output_dir / ".image_tiles"
    built = list(cache.glob("*/13/*.jpg"))
    assert len(built) == 20 * 12  # the whole level was built at once, and only it
    assert not list(cache.glob("*/12/*"))
    again = client.get("/media/tiles/images/big.jpg_files/13/15_8.jpg")
    assert again.data == r.data


def test_overview_level_is_one_small_tile(client):
    r = client.get("/media/tiles/images/big.jpg_files/8/0_0.jpg")
    tile = cv2.imdecode(np.frombuffer(r.data, np.uint8), cv2.IMREAD_COLOR)
    assert tile.shape[:2] == (94, 157)  # ceil(3000/32), ceil(5000/32)


@pytest.mark.parametrize(
    "url",
    [
        "/media/tiles/images/big.jpg_files/14/0_0.jpg",  # no level 14
        "/media/tiles/images/big.jpg_files/13/20_0.jpg",  # no column 20
        "/media/tiles/images/big.jpg_files/13/0_0.png",  # tiles are jpg
        "/media/tiles/../config.yaml.dzi",
        "/media/tiles/images/../../etc/passwd_files/0/0_0.jpg",
        "/media/tiles/%2e%2e/config.yaml.dzi",
        "/media/tiles//etc/hosts.dzi",
        "/media/tiles/config.yaml.dzi",
        "/media/tiles/annotation_output/potato_like.sqlite3.dzi",
        "/media/tiles/images/missing.jpg.dzi",
    ],
)
def test_bad_tile_urls_are_404(client, url):
    r = client.get(url)
    assert r.status_code == 404, url
    assert "error" in r.json


def test_enormous_header_is_refused_before_decoding(client):
    r = client.get("/media/tiles/images/huge.png.dzi")
    assert r.status_code == 415 and "100000x100000" in r.json["error"]
    assert client.get("/media/tiles/images/huge.png_files/0/0_0.jpg").status_code == 415
    info = client.get("/api/image/info?src=images/huge.png")
    assert info.status_code == 422 and "max_pixels" in info.json["error"]


def test_corrupt_image_is_refused(client):
    r = client.get("/media/tiles/images/broken.jpg_files/0/0_0.jpg")
    assert r.status_code == 415 and "error" in r.json


def test_tiles_need_a_login(app):
    assert app.test_client().get("/media/tiles/images/big.jpg.dzi").status_code in (302, 401)


def test_box_on_the_tiled_image_is_stored_in_full_pixels(client):
    assert client.get("/api/current_instance").json["instance_id"] == "big"
    box = {"type": "bbox", "label": "cat",
           "coordinates": {"x": 0.8, "y": 2000 / 3000, "width": 0.02, "height": 100 / 3000}}  # fmt: skip
    r = client.post("/updateinstance", json={"instance_id": "big", "draft": True,
                                            "image_annotations": {"objects": [box]}})  # fmt: skip
    assert r.status_code == 200, r.json
    page = client.get("/annotate").get_data(as_text=True)
    assert '"viewer": "deepzoom"' in page
    assert '"pixels": {"height": 100.0, "width": 100.0, "x": 4000.0, "y": 2000.0}' in page


def test_paths_under_media_are_found_as_potato_media_directory_does(client, app, big_jpeg):
    root = app.extensions["potato_like"].config.config_path.parent
    (root / "media").mkdir()
    (root / "media" / "survey.jpg").write_bytes(big_jpeg)
    info = client.get("/api/image/info?src=survey.jpg&viewer=deepzoom").json
    assert info["dzi_url"] == "/media/tiles/survey.jpg.dzi" and info["width"] == BIG_W
    assert client.get("/media/tiles/survey.jpg_files/8/0_0.jpg").status_code == 200
