"""spatial_annotation's three.js view in Chromium: a box selection of points becomes a
segment_3d, is saved, and after a reload the same file indices are stored and painted."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .test_annotate_browser import browser_errors  # noqa: F401
from .test_media2_browser import annotate, data, example, saved

pytestmark = pytest.mark.e2e


def test_box_selected_points_become_a_segment_that_survives_a_reload(
    page: Page,
    tmp_path,
    serve_app,
    browser_errors: list[str],  # noqa: F811
) -> None:
    base = annotate(page, serve_app, example(tmp_path, "point_clouds"), "seg3d")
    view = page.get_by_test_id("sp3-canvas-objects")
    expect(view).to_have_attribute("data-ready", "1", timeout=15_000)
    # A box and a point placed in the bird's-eye view are drawn in 3D as well.
    page.get_by_test_id("sp-canvas-objects").focus()
    for key in ("c", "Enter", "k", "Shift+ArrowUp", "Enter"):
        page.keyboard.press(key)
    expect(view).to_have_attribute("data-shapes", "2")
    page.keyboard.press("Escape")
    page.keyboard.press("Delete")  # nothing selected: nothing removed
    view.focus()
    page.keyboard.press("t")  # top view: the selection below is a patch of ground
    page.keyboard.press("2")  # label: truck
    page.keyboard.press("b")
    expect(view).to_have_attribute("data-mode", "box")
    box = view.bounding_box()
    assert box is not None
    x0, x1 = box["x"] + box["width"] * 0.35, box["x"] + box["width"] * 0.6
    y0, y1 = box["y"] + box["height"] * 0.35, box["y"] + box["height"] * 0.6
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, y0 + 10, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    chosen = int(view.get_attribute("data-selected") or "0")
    assert chosen > 10
    # A lasso along the same rectangle selects the same points (it replaces the selection).
    page.keyboard.press("l")
    page.mouse.move(x0, y0)
    page.mouse.down()
    for x, y in ((x1, y0), (x1, y1), (x0, y1), (x0, y0 + 0.5)):
        page.mouse.move(x, y, steps=8)
    page.mouse.up()
    expect(view).to_have_attribute("data-selected", str(chosen))
    page.keyboard.press("Enter")
    box_obj, point, segment = data(page, "objects")
    assert box_obj["type"] == "cuboid_3d" and point["type"] == "point_3d"
    assert segment["type"] == "segment_3d" and segment["label"] == "truck"
    assert len(segment["indices"]) == chosen
    expect(view).to_have_attribute("data-painted", str(chosen))
    saved(page)

    cloud = page.request.get(base + "/media/pointcloud/media/clouds/scene_0001.bin").json()
    assert all(i % cloud["stride"] == 0 and i < cloud["count"] for i in segment["indices"])
    page.reload()
    view = page.get_by_test_id("sp3-canvas-objects")
    expect(view).to_have_attribute("data-ready", "1", timeout=15_000)
    *_, again = data(page, "objects")
    assert again["indices"] == segment["indices"]
    expect(view).to_have_attribute("data-painted", str(chosen))
    expect(view).to_have_attribute("data-shapes", "2")
    expect(page.get_by_test_id("sp-object").nth(2)).to_have_text(
        f"truck · segment of {chosen} point(s)"
    )
    assert not browser_errors
