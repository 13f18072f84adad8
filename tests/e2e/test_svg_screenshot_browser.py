"""An SVG screenshot given as a data URI is shown in a real Chromium as an <img>, and the
script inside it (a <script> element, an onload handler, an external image) never runs or
loads anything: a local server counting requests stays at zero."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
from playwright.sync_api import Page

from potato_like import create_app

from ..conftest import base_config, write_config

pytestmark = pytest.mark.e2e


@pytest.fixture
def beacon():
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def hostile_svg(beacon_url: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="120" height="80" onload="fetch(\'{beacon_url}/onload\')">'
        '<rect width="120" height="80" fill="#3a7"/>'
        f"<script>parent.svgRan = 1; fetch('{beacon_url}/script');</script>"
        f'<image href="{beacon_url}/image.png" width="10" height="10"/>'
        "</svg>"
    )


def test_svg_data_uri_is_an_image_whose_script_never_runs(page: Page, tmp_path, serve_app, beacon):
    url, hits = beacon
    svg = hostile_svg(url)
    row = {
        "id": "svg1",
        "text": "x",
        "b64": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
        "utf8": "data:image/svg+xml;charset=utf-8," + quote(svg),
    }
    (tmp_path / "data.jsonl").write_text(json.dumps(row) + "\n")
    fields = [{"key": "b64", "type": "image"}, {"key": "utf8", "type": "image"}]
    config = base_config(instance_display={"fields": fields})
    server = serve_app(create_app(write_config(tmp_path, config)))
    assert page.request.post(f"{server}/auth", form={"username": "ann"}).ok
    page.goto(f"{server}/annotate")
    images = page.locator("img.display-image")
    assert images.count() == 2
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.display-image')].every(i => i.complete)"
    )
    # both rendered as images (the SVG's own size), neither inlined into the page
    assert images.evaluate_all("all => all.map(i => i.naturalWidth)") == [120, 120]
    assert page.locator("svg rect[fill='#3a7']").count() == 0
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.svgRan") is None
    assert hits == []  # no script, no onload handler, no external image fetched
