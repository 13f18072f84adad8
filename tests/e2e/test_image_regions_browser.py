"""region_caption and grounding_eval in Chromium: draw a box, caption it; point an expression
at the selected shape and mark another as not present; reload and find the answers."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from potato_like import create_app

from ..web.image_util import image_project, image_scheme
from .test_annotate_browser import browser_errors, register_via_api  # noqa: F401

pytestmark = pytest.mark.e2e

SCHEMES = [
    image_scheme(),
    {"annotation_type": "region_caption", "name": "captions", "description": "Describe"},
    {"annotation_type": "grounding_eval", "name": "grounding", "description": "Where?"},
]
ITEMS = [{"id": "a", "image": "images/a.png", "expressions": ["the green box", "a unicorn"]}]


@pytest.fixture
def server(tmp_path, serve_app) -> str:
    return serve_app(create_app(image_project(tmp_path, schemes=SCHEMES, items=ITEMS)))


def value(page: Page, testid: str) -> dict:
    return json.loads(
        page.locator(f"[data-testid={testid}] script[data-region-value]").text_content()
    )


def test_caption_and_grounding(page: Page, server: str, browser_errors: list[str]) -> None:  # noqa: F811
    register_via_api(page, server, "captioner")
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(server + "/annotate")
    expect(page.get_by_test_id("image-stage-objects")).to_have_attribute("data-ready", "1")
    box = page.locator(".ia-image").bounding_box()
    page.get_by_test_id("ia-tool-bbox").click()
    page.mouse.move(box["x"] + 50, box["y"] + 50)
    page.mouse.down()
    page.mouse.move(box["x"] + 250, box["y"] + 200, steps=4)
    page.mouse.up()
    caption = page.get_by_test_id("region-caption-text")
    expect(caption).to_have_count(1)
    caption.fill("a green box on grey")
    page.get_by_test_id("grounding-use").first.click()
    page.get_by_test_id("grounding-absent").nth(1).click()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=10_000)
    page.reload()
    expect(page.get_by_test_id("image-stage-objects")).to_have_attribute("data-ready", "1")
    captions = value(page, "region-caption-captions")["captions"]
    assert [c["caption"] for c in captions] == ["a green box on grey"]
    assert captions[0]["region"]["type"] == "bbox"
    answers = value(page, "grounding-grounding")["answers"]
    assert answers[0]["expression_id"] == "e1" and answers[0]["regions"][0]["type"] == "bbox"
    assert answers[1] == {"expression_id": "e2", "regions": [], "absent": True}
    expect(page.get_by_test_id("region-caption-text")).to_have_value("a green box on grey")
    assert not browser_errors, browser_errors
