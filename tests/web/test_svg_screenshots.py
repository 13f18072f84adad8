"""SVG screenshots as data URIs: accepted only as image sources (base64 or URL-encoded,
at most 512 KB), rendered as <img src> and never inlined; SVG files and SVG URLs are still
not served as media; other data URIs are refused."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from potato_like.media.paths import MAX_SVG_DATA_URI, media_kind
from tests.conftest import base_config, login, write_config

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4" onload="alert(1)"><script>alert(2)</script></svg>'
B64 = "data:image/svg+xml;base64," + base64.b64encode(SVG.encode()).decode()
ENCODED = "data:image/svg+xml;charset=utf-8," + quote(SVG)


@pytest.mark.parametrize("value", [B64, ENCODED, "data:image/svg+xml,%3Csvg%2F%3E"])
def test_svg_data_uris_are_image_sources(value):
    assert media_kind(value, allow_data_image=True) == "data"
    assert media_kind(value) is None  # only where an <img> shows it


@pytest.mark.parametrize(
    "value",
    [
        "data:image/svg+xml;base64," + "A" * MAX_SVG_DATA_URI,  # too large
        "data:image/svg+xml;base64,<svg>",  # not base64
        "data:image/svg+xml;charset=utf-8,<svg>\n</svg>",  # control characters
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:image/svg+xml;foo=bar,<svg/>",
        "javascript:alert(1)",
    ],
)
def test_other_and_oversized_data_uris_are_refused(value):
    assert media_kind(value, allow_data_image=True) is None


def test_svg_screenshot_renders_as_an_img_only(tmp_path, open_app):
    steps = [
        {"step": 1, "screenshot": ENCODED, "action_type": "click", "thought": "open"},
        {"step": 2, "screenshot": B64, "action_type": "type", "thought": "search"},
    ]
    row = {"id": "w1", "text": "task", "trace": {"steps": steps}, "shot": B64}
    (tmp_path / "data.jsonl").write_text(json.dumps(row) + "\n")
    fields = [{"key": "trace", "type": "web_agent_trace"}, {"key": "shot", "type": "image"}]
    app = open_app(write_config(tmp_path, base_config(instance_display={"fields": fields})))
    page = login(app.test_client(), "ann1").get("/annotate").get_data(as_text=True)
    assert page.count('src="data:image/svg+xml') == 3
    assert "<svg xmlns" not in page and "<script>alert" not in page  # never inlined
    # an .svg project file is still not served as media (it could run script opened directly)
    (tmp_path / "x.svg").write_text(SVG)
    client = login(app.test_client(), "ann1")
    assert client.get("/project_files/x.svg").status_code == 404
    (tmp_path / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert client.get("/project_files/x.png").status_code == 200  # the route itself works
