"""Image annotation in a real Chromium: draw a box and a polygon with the mouse, let the
page save, reload, and find both at the same pixel positions (on the screen and in the
stored pixel coordinates of the full-size image, which is shown through a preview)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from potato_like import create_app

from ..web.image_util import image_project, write_image
from .test_annotate_browser import browser_errors, register_via_api  # noqa: F401

pytestmark = pytest.mark.e2e

BIG_W, BIG_H = 3200, 2400  # larger than the preview: the page shows a downscaled copy


@pytest.fixture
def image_server(tmp_path, serve_app) -> str:
    config = image_project(tmp_path, items=[{"id": "big", "image": "images/big.jpg"}])
    write_image(tmp_path / "images" / "big.jpg", BIG_W, BIG_H)
    return serve_app(create_app(config))


def stored(page: Page) -> dict:
    text = page.locator("script[data-ia-value]").text_content()
    return json.loads(text)


def test_draw_box_and_polygon_save_reload(
    page: Page,
    image_server: str,
    browser_errors: list[str],  # noqa: F811
) -> None:
    base = image_server
    register_via_api(page, base, "drawer")
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(base + "/annotate")
    stage = page.get_by_test_id("image-stage-objects")
    expect(stage).to_have_attribute("data-ready", "1")
    src = page.locator(".ia-image").get_attribute("src")
    assert src.startswith("/api/image/preview"), src
    box = page.locator(".ia-image").bounding_box()
    sx, sy = box["width"] / BIG_W, box["height"] / BIG_H  # screen px per image px

    def at(x, y):  # image pixel -> screen point
        return box["x"] + x * sx, box["y"] + y * sy

    # a box from (800, 600) to (2000, 1500) in image pixels
    page.get_by_test_id("ia-tool-bbox").click()
    page.mouse.move(*at(800, 600))
    page.mouse.down()
    page.mouse.move(*at(1400, 1000), steps=4)
    page.mouse.move(*at(2000, 1500), steps=4)
    page.mouse.up()
    expect(page.get_by_test_id("shape-bbox")).to_have_count(1)

    # a polygon through three points, finished with Enter
    page.get_by_test_id("ia-tool-polygon").click()
    page.locator("[data-ia-label=dog]").click()
    triangle = [(400, 400), (1200, 400), (800, 1800)]
    for x, y in triangle:
        page.mouse.click(*at(x, y))
    stage.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("shape-polygon")).to_have_count(1)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=10_000)

    page.reload()
    expect(page.get_by_test_id("image-stage-objects")).to_have_attribute("data-ready", "1")
    value = stored(page)
    assert value["image"] == {"width": BIG_W, "height": BIG_H, "verified": True}
    rect, poly = value["shapes"]
    tolerance = 2 / sx  # two screen pixels, in image pixels
    assert rect["type"] == "bbox" and rect["label"] == "cat"
    for key, want in (("x", 800), ("y", 600), ("width", 1200), ("height", 900)):
        assert abs(rect["pixels"][key] - want) <= tolerance, (key, rect["pixels"])
    assert poly["type"] == "polygon" and poly["label"] == "dog"
    for got, (x, y) in zip(poly["pixels"], triangle, strict=True):
        assert abs(got["x"] - x) <= tolerance and abs(got["y"] - y) <= tolerance, got

    # and drawn again at the same screen positions
    box = page.locator(".ia-image").bounding_box()
    drawn = page.get_by_test_id("shape-bbox").bounding_box()
    x0, y0 = at(800, 600)
    assert abs(drawn["x"] - x0) <= 3 and abs(drawn["y"] - y0) <= 3
    assert abs(drawn["width"] - 1200 * sx) <= 4 and abs(drawn["height"] - 900 * sy) <= 4
    expect(page.get_by_test_id("shape-entry")).to_have_count(2)
    assert not browser_errors, browser_errors


def test_edit_select_move_duplicate_delete_undo_and_hide(
    page: Page,
    image_server: str,
    browser_errors: list[str],  # noqa: F811
) -> None:
    base = image_server
    register_via_api(page, base, "editor")
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(base + "/annotate")
    expect(page.get_by_test_id("image-stage-objects")).to_have_attribute("data-ready", "1")
    box = page.locator(".ia-image").bounding_box()
    sx, sy = box["width"] / BIG_W, box["height"] / BIG_H

    def at(x, y):
        return box["x"] + x * sx, box["y"] + y * sy

    page.get_by_test_id("ia-tool-bbox").click()
    page.keyboard.press("d")  # the label hotkey of "dog"
    page.mouse.move(*at(400, 400))
    page.mouse.down()
    page.mouse.move(*at(1200, 1000), steps=5)
    page.mouse.up()
    shapes = page.get_by_test_id("shape-bbox")
    expect(shapes).to_have_count(1)
    page.keyboard.press("v")  # select tool
    page.mouse.move(*at(800, 700))  # inside the box: drag it 400 px right
    page.mouse.down()
    page.mouse.move(*at(1200, 700), steps=5)
    page.mouse.up()
    page.keyboard.press("Control+d")
    expect(shapes).to_have_count(2)
    page.keyboard.press("Delete")
    expect(shapes).to_have_count(1)
    page.keyboard.press("Control+z")
    expect(shapes).to_have_count(2)
    page.keyboard.press("Control+Shift+z")
    expect(shapes).to_have_count(1)
    page.get_by_test_id("ia-visible-dog").click()
    expect(shapes).to_have_count(0)  # hidden, not deleted
    expect(page.get_by_test_id("shape-entry")).to_have_count(1)
    page.get_by_test_id("ia-visible-dog").click()
    expect(shapes).to_have_count(1)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=10_000)
    page.reload()
    expect(page.get_by_test_id("image-stage-objects")).to_have_attribute("data-ready", "1")
    (rect,) = stored(page)["shapes"]
    assert rect["label"] == "dog"
    tolerance = 3 / sx
    assert abs(rect["pixels"]["x"] - 800) <= tolerance, rect["pixels"]
    assert abs(rect["pixels"]["width"] - 800) <= tolerance, rect["pixels"]
    page.locator("[data-ia-action=zoom-in]").click()  # zoom keeps the shape on the image
    assert not browser_errors, browser_errors


def test_brush_mask_ellipse_landmark_polyline_zoom_and_pan(
    page: Page,
    image_server: str,
    browser_errors: list[str],  # noqa: F811
) -> None:
    base = image_server
    register_via_api(page, base, "painter")
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(base + "/annotate")
    stage = page.get_by_test_id("image-stage-objects")
    expect(stage).to_have_attribute("data-ready", "1")
    box = page.locator(".ia-image").bounding_box()
    sx, sy = box["width"] / BIG_W, box["height"] / BIG_H

    def at(x, y):
        return box["x"] + x * sx, box["y"] + y * sy

    page.get_by_test_id("ia-tool-brush").click()
    page.mouse.move(*at(1000, 1000))
    page.mouse.down()
    page.mouse.move(*at(1600, 1000), steps=8)
    page.mouse.up()
    page.get_by_test_id("ia-tool-ellipse").click()
    page.mouse.move(*at(200, 200))
    page.mouse.down()
    page.mouse.move(*at(600, 500), steps=4)
    page.mouse.up()
    page.get_by_test_id("ia-tool-landmark").click()
    page.mouse.click(*at(2500, 2000))
    page.get_by_test_id("ia-tool-polyline").click()
    for x, y in ((2000, 200), (2400, 400), (2800, 300)):
        page.mouse.click(*at(x, y))
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("shape-entry")).to_have_count(4)
    world = page.locator(".ia-world")
    before = world.evaluate("el => el.style.transform")
    page.keyboard.press("+")
    zoomed = world.evaluate("el => el.style.transform")
    assert zoomed != before and "scale(1.25)" in zoomed
    page.keyboard.down(" ")
    page.mouse.move(*at(1600, 1600))
    page.mouse.down()
    page.mouse.move(*at(1200, 1200), steps=3)
    page.mouse.up()
    page.keyboard.up(" ")
    assert world.evaluate("el => el.style.transform") != zoomed  # panned
    page.keyboard.press("0")
    assert "scale(1)" in world.evaluate("el => el.style.transform")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=10_000)
    page.reload()
    expect(page.get_by_test_id("image-stage-objects")).to_have_attribute("data-ready", "1")
    shapes = {s["type"]: s for s in stored(page)["shapes"]}
    assert set(shapes) == {"mask", "ellipse", "landmark", "polyline"}
    mask = shapes["mask"]
    assert mask["rle"]["size"] == [BIG_H, BIG_W]
    from potato_like.media.shapes import rle_decode

    bits = rle_decode(mask["rle"])
    assert bits[1000, 1300] == 1 and bits[1500, 1300] == 0  # on the stroke, not below it
    assert abs(shapes["ellipse"]["pixels"]["cx"] - 400) <= 3 / sx
    assert abs(shapes["landmark"]["pixels"]["x"] - 2500) <= 3 / sx
    assert len(shapes["polyline"]["pixels"]) == 3
    assert not browser_errors, browser_errors
