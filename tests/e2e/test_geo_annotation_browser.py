"""geo_annotation in Chromium, keyboard only: focus the map, add a point at the centre cross,
pan and draw a road (a line) with vertices at the cross, pin a place on the second map;
reload and find the answers; select and delete a feature; reload again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from potato_like import create_app

from .conftest import tab_to
from .test_annotate_browser import browser_errors, register_via_api  # noqa: F401

pytestmark = pytest.mark.e2e
EXAMPLE = Path(__file__).resolve().parents[2] / "example_projects" / "geo_maps"


@pytest.fixture
def server(tmp_path, serve_app) -> str:
    work = tmp_path / "geo"
    shutil.copytree(EXAMPLE, work)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config.update(require_password=False, registration_rate_limit="1000 per hour")
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    return serve_app(create_app(work / "config.yaml"))


def answer(page: Page, schema: str) -> dict:
    raw = page.locator(f"[data-testid=geo-{schema}] input[type=hidden]").input_value()
    return json.loads(raw) if raw else {"features": []}


def test_draw_and_pin_by_keyboard(page: Page, server: str, browser_errors: list[str]) -> None:  # noqa: F811
    register_via_api(page, server, "mapper")
    page.set_viewport_size({"width": 1300, "height": 1000})
    page.goto(server + "/annotate")
    expect(page.get_by_test_id("geo-landmarks")).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("geo-landmarks")).to_contain_text("No map tiles are configured")
    tab_to(page, "[data-testid=geo-map-landmarks]")
    page.keyboard.press("a")  # a place at the centre cross
    page.keyboard.press("2")  # label: road
    page.keyboard.press("t")  # tool: line
    page.keyboard.press("a")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("a")
    page.keyboard.press("Enter")  # finishes the line (does not submit the page)
    expect(page.get_by_test_id("geo-landmarks").locator("li")).to_have_count(2)
    tab_to(page, "[data-testid=geo-map-origin]")
    page.keyboard.press("a")  # pin "born" at the configured centre (10, 50)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=10_000)

    page.reload()
    expect(page.get_by_test_id("geo-landmarks")).to_have_attribute("data-ready", "1")
    features = answer(page, "landmarks")["features"]
    assert [f["geometry"]["type"] for f in features] == ["Point", "LineString"]
    assert [f["properties"]["label"] for f in features] == ["place", "road"]
    first, last = features[1]["geometry"]["coordinates"]
    assert first[0] < last[0] and first[1] > last[1]  # panned east and south between vertices
    pin = answer(page, "origin")["features"][0]
    assert pin["properties"]["label"] == "born"
    assert pin["geometry"]["coordinates"] == pytest.approx([10.0, 50.0], abs=0.01)

    tab_to(page, "[data-testid=geo-map-landmarks]")
    page.keyboard.press("n")  # selection cycles from the first feature to the road
    page.keyboard.press("Delete")
    expect(page.get_by_test_id("geo-landmarks").locator("li")).to_have_count(1)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=10_000)
    page.reload()
    expect(page.get_by_test_id("geo-landmarks")).to_have_attribute("data-ready", "1")
    assert [f["geometry"]["type"] for f in answer(page, "landmarks")["features"]] == ["Point"]
    assert not browser_errors, browser_errors


@pytest.fixture
def tile_server():
    """A local http tile server: a grey 256 x 256 PNG for every /{z}/{x}/{y}.png, counting
    requests."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import cv2
    import numpy as np

    png = cv2.imencode(".png", np.full((256, 256), 200, np.uint8))[1].tobytes()
    hits: list[str] = []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def test_tiles_from_the_configured_server_load_under_the_csp(
    page: Page,
    tmp_path,
    serve_app,
    tile_server,
    browser_errors: list[str],  # noqa: F811
) -> None:
    base, hits = tile_server
    work = tmp_path / "geo_tiles"
    shutil.copytree(EXAMPLE, work)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config.update(require_password=False, registration_rate_limit="1000 per hour")
    config["annotation_schemes"][1]["basemap"] = {
        "tiles": base + "/{z}/{x}/{y}.png",
        "attribution": "Test tiles",
    }
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    server = serve_app(create_app(work / "config.yaml"))
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    register_via_api(page, server, "tiles")
    page.goto(server + "/annotate")
    origin = page.get_by_test_id("geo-origin")
    expect(origin).to_have_attribute("data-ready", "1")
    tiles = origin.locator("img.leaflet-tile-loaded")
    expect(tiles.first).to_be_visible(timeout=10_000)
    assert hits and all(h.startswith("/3/") for h in hits)  # the configured zoom
    expect(origin.locator(".leaflet-control-attribution")).to_contain_text("Test tiles")
    assert not violations, violations
    assert not browser_errors, browser_errors
