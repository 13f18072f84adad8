"""volume_annotation in Chromium, keyboard only: paint with the brush on the axial view at
the cursor, place a 3-D box by two corners on different slices; the slice images load from
the server; reload and find the mask and the box."""

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
pytest.importorskip("nibabel")
EXAMPLE = Path(__file__).resolve().parents[2] / "example_projects" / "volumes"


@pytest.fixture
def server(tmp_path, serve_app) -> str:
    work = tmp_path / "volumes"
    shutil.copytree(EXAMPLE, work)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config.update(require_password=False, registration_rate_limit="1000 per hour")
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    return serve_app(create_app(work / "config.yaml"))


def answer(page: Page) -> dict:
    raw = page.locator("[data-testid=volume-lesions] input[type=hidden]").input_value()
    return json.loads(raw) if raw else {}


def test_brush_and_box_by_keyboard(page: Page, server: str, browser_errors: list[str]) -> None:  # noqa: F811
    register_via_api(page, server, "radiologist")
    page.goto(server + "/annotate")
    fieldset = page.get_by_test_id("volume-lesions")
    expect(fieldset).to_have_attribute("data-ready", "1")
    axial = page.get_by_test_id("volume-view-axial")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.vol-stage img')].every(i => i.naturalWidth > 0)"
    )
    assert axial.locator("img").evaluate("i => [i.naturalWidth, i.naturalHeight]") == [24, 20]
    coronal = page.get_by_test_id("volume-view-coronal").bounding_box()
    # true proportions: 24 x 1.5 mm wide, 16 x 3 mm high
    assert coronal["height"] / coronal["width"] == pytest.approx(48 / 36, rel=0.02)
    tab_to(page, "[data-testid=volume-view-axial]")
    page.keyboard.press("b")  # brush (radius 1.5) at the cursor [12, 10, 8]
    page.keyboard.press(" ")
    page.keyboard.press("2")  # organ
    page.keyboard.press("x")
    page.keyboard.press(" ")  # first corner [12, 10, 8]
    for key in ("ArrowRight", "ArrowRight", "ArrowDown", "PageUp", "PageUp"):
        page.keyboard.press(key)
    page.keyboard.press(" ")  # opposite corner [14, 11, 10], two slices up
    expect(fieldset.locator(".vol-shapes li")).to_have_count(1)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=10_000)

    page.reload()
    expect(page.get_by_test_id("volume-lesions")).to_have_attribute("data-ready", "1")
    saved = answer(page)
    assert saved["shape"] == [24, 20, 16]
    assert list(saved["masks"]["lesion"]) == ["8"]
    assert sum(saved["masks"]["lesion"]["8"][1::2]) == 9  # a disc of radius 1.5: 3 x 3 voxels
    assert saved["shapes"] == [
        {"label": "organ", "type": "box", "points": [[12, 10, 8], [14, 11, 10]],
         "axis": "axial", "index": 10}
    ]  # fmt: skip
    expect(page.get_by_test_id("volume-lesions").locator(".vol-shapes li")).to_have_count(1)
    assert not browser_errors, browser_errors
