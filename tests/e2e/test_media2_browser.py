"""The new media tools in a real Chromium, answered with the keyboard where the tool allows:
a 3D box on a point cloud, an episode phase and reward, rollout marks, a box on a Deep Zoom
image (tiles shown), a box on page 2 of a PDF, the depth readout. Each answer is saved by the
page, found again after a reload."""

from __future__ import annotations

import json
import shutil

import pytest
from playwright.sync_api import Page, expect

from potato_like import create_app

from ..conftest import REPO
from ..web.image_util import image_project, image_scheme, write_image
from ..web.pdf_util import write_pdf
from .test_annotate_browser import browser_errors, register_via_api  # noqa: F401

pytestmark = pytest.mark.e2e


def example(tmp_path, name):
    work = tmp_path / name
    shutil.copytree(REPO / "example_projects" / name, work,
                    ignore=shutil.ignore_patterns("annotation_output"))  # fmt: skip
    return create_app(work / "config.yaml")


def annotate(page: Page, serve_app, app, user: str) -> str:
    """Serve `app`, register `user` and open the annotation page; the base URL."""
    base = serve_app(app)
    register_via_api(page, base, user)
    page.goto(base + "/annotate")
    return base


def data(page: Page, schema: str) -> dict | list:
    return json.loads(page.locator(f'input[name="{schema}:_data"]').get_attribute("value") or "{}")


def saved(page: Page) -> None:
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=10_000)


def test_spatial_box_placed_moved_and_rotated_by_keys(
    page: Page,
    tmp_path,
    serve_app,
    browser_errors: list[str],  # noqa: F811
) -> None:
    base = annotate(page, serve_app, example(tmp_path, "point_clouds"), "lidar")
    canvas = page.get_by_test_id("sp-canvas-objects")
    expect(canvas).to_have_attribute("data-ready", "1")
    canvas.focus()
    for key in ("c", "2", "Enter", "Shift+ArrowUp", "Shift+ArrowUp", "ArrowLeft", "q", "w"):
        page.keyboard.press(key)
    saved(page)
    page.reload()
    expect(page.get_by_test_id("sp-object")).to_have_count(1)
    (box,) = data(page, "objects")
    assert box["type"] == "cuboid_3d" and box["label"] == "truck"
    cloud = page.request.get(base + "/media/pointcloud/media/clouds/scene_0001.bin").json()
    mid = [
        (lo + hi) / 2 for lo, hi in zip(cloud["bounds"]["min"], cloud["bounds"]["max"], strict=True)
    ]
    assert box["coordinates"]["center"][0] == pytest.approx(mid[0] + 2, abs=0.01)
    assert box["coordinates"]["center"][1] == pytest.approx(mid[1] + 0.1, abs=0.01)
    assert box["coordinates"]["size"][0] == pytest.approx(4.1)
    assert box["coordinates"]["rotation"][2] == pytest.approx(0.0436, abs=1e-3)  # 5 degrees
    assert not browser_errors


def test_episode_phase_reward_and_outcome_by_keys(
    page: Page,
    tmp_path,
    serve_app,
    browser_errors: list[str],  # noqa: F811
) -> None:
    annotate(page, serve_app, example(tmp_path, "robot_episodes"), "robot")
    timeline = page.get_by_test_id("ep-timeline-episode_review")
    expect(timeline).to_have_attribute("data-ready", "1")
    timeline.focus()
    page.keyboard.press("Shift+ArrowRight")  # 1 s
    page.keyboard.press("1")  # reach starts
    for _ in range(5):
        page.keyboard.press("ArrowRight")  # 5 frames at 10 fps
    page.keyboard.press("Enter")  # reach ends at 1.5 s
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.locator('[data-role="outcome"][value="partial"]').focus()
    page.keyboard.press("Space")
    saved(page)
    page.reload()
    expect(page.get_by_test_id("ep-phase")).to_have_text(["reach: 1.00\u20131.50 s"])
    value = data(page, "episode_review")
    assert value["phases"] == [{"start": 1.0, "end": 1.5, "label": "reach"}]
    assert value["reward"] == [{"t": 1.5, "value": 0.2}]
    assert value["outcome"] == {"result": "partial", "cause": None}
    assert page.locator('[data-role="outcome"][value="partial"]').is_checked()
    assert not browser_errors


def test_rollout_marks_and_clean_panels_by_keys(
    page: Page,
    tmp_path,
    serve_app,
    browser_errors: list[str],  # noqa: F811
) -> None:
    annotate(page, serve_app, example(tmp_path, "world_model_rollouts"), "judge")
    timeline = page.get_by_test_id("ro-timeline-rollout_review")
    expect(timeline).to_have_attribute("data-ready", "1")
    streams = [page.get_by_test_id(f"ro-panel-{i}").get_attribute("data-stream") for i in (1, 2, 3)]
    timeline.focus()
    page.keyboard.press("2")
    for _ in range(5):
        page.keyboard.press(".")
    page.keyboard.press("m")
    for key in ("1", "c", "3", "c"):
        page.keyboard.press(key)
    saved(page)
    page.reload()
    expect(page.get_by_test_id("ro-mark")).to_have_count(1)
    value = data(page, "rollout_review")
    (mark,) = value["violations"]
    assert mark["stream"] == streams[1] and mark["t"] == pytest.approx(0.5)
    assert mark["type"] == "object_permanence" and mark["severity"] == 1
    assert sorted(value["clean"]) == sorted([streams[0], streams[2]])
    assert not browser_errors


def test_deep_zoom_tiles_and_a_box_in_full_pixels(
    page: Page,
    tmp_path,
    serve_app,
    browser_errors: list[str],  # noqa: F811
) -> None:
    w, h = 3000, 2000
    scheme = image_scheme(viewer="deepzoom", tools=["bbox"])
    config = image_project(
        tmp_path, schemes=[scheme], items=[{"id": "big", "image": "images/big.jpg"}]
    )
    write_image(tmp_path / "images" / "big.jpg", w, h)
    base = serve_app(create_app(config))
    register_via_api(page, base, "zoomer")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(base + "/annotate")
    stage = page.get_by_test_id("image-stage-objects")
    expect(stage).to_have_attribute("data-ready", "1")
    expect(stage).to_have_attribute("data-tiled", "1")
    expect(page.locator(".ia-tile").first).to_be_visible()
    first_level = page.locator(".ia-tile").first.get_attribute("data-tile").split("/")[0]
    stage.focus()
    for _ in range(4):
        page.keyboard.press("+")
    expect(page.locator(".ia-tile").first).not_to_have_attribute("data-tile", f"{first_level}/0_0")
    assert int(page.locator(".ia-tile").first.get_attribute("data-tile").split("/")[0]) > int(
        first_level
    )
    page.keyboard.press("0")  # fit again
    box = page.locator(".ia-image").bounding_box()
    sx = box["width"] / w

    def at(x, y):
        return box["x"] + x * sx, box["y"] + y * sx

    page.mouse.move(*at(600, 400))
    page.mouse.down()
    page.mouse.move(*at(1500, 1200), steps=5)
    page.mouse.up()
    saved(page)
    page.reload()
    expect(page.get_by_test_id("image-stage-objects")).to_have_attribute("data-ready", "1")
    shape = json.loads(page.locator("script[data-ia-value]").text_content())["shapes"][0]
    assert shape["pixels"]["x"] == pytest.approx(600, abs=2 / sx)
    assert shape["pixels"]["width"] == pytest.approx(900, abs=3 / sx)
    assert not browser_errors


def test_pdf_page_two_box_by_page_down(
    page: Page,
    tmp_path,
    serve_app,
    browser_errors: list[str],  # noqa: F811
) -> None:
    write_pdf(tmp_path / "docs" / "report.pdf")
    scheme = image_scheme(tools=["bbox"])
    config = image_project(
        tmp_path, schemes=[scheme], items=[{"id": "doc", "image": "docs/report.pdf"}]
    )
    annotate(page, serve_app, create_app(config), "reader")
    stage = page.get_by_test_id("image-stage-objects")
    expect(stage).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("ia-page-label")).to_have_text("Page 1 of 2")
    stage.focus()
    page.keyboard.press("PageDown")
    expect(page.get_by_test_id("ia-page-label")).to_have_text("Page 2 of 2")
    expect(stage).to_have_attribute("data-ready", "1")
    box = page.locator(".ia-image").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.9, steps=5)
    page.mouse.up()
    saved(page)
    page.reload()
    expect(page.get_by_test_id("image-stage-objects")).to_have_attribute("data-ready", "1")
    shape = json.loads(page.locator("script[data-ia-value]").text_content())["shapes"][0]
    assert shape["page"] == 2
    assert shape["coordinates"]["x"] == pytest.approx(0.1, abs=0.01)
    assert shape["pixels"]["width"] == pytest.approx(0.3 * 625, abs=4)
    expect(page.get_by_test_id("shape-bbox")).to_have_count(0)  # page 1 is shown after reload
    stage.focus()
    page.keyboard.press("PageDown")
    expect(page.get_by_test_id("shape-bbox")).to_have_count(1)
    assert not browser_errors


def test_depth_readout_by_arrow_keys(
    page: Page,
    tmp_path,
    serve_app,
    browser_errors: list[str],  # noqa: F811
) -> None:
    annotate(page, serve_app, example(tmp_path, "point_clouds"), "depth")
    expect(page.locator(".depth-image")).to_be_visible()
    page.locator(".depth-stage").focus()
    readout = page.get_by_test_id("depth-readout")
    expect(readout).to_contain_text(" m")  # the centre: inside the near box (1.5 m)
    assert readout.get_attribute("data-metres") == "1.5"
    for _ in range(5):
        page.keyboard.press("Shift+ArrowDown")  # to the bottom row: 2 m + 40 mm per row
    expect(readout).not_to_have_attribute("data-metres", "1.5")
    assert float(readout.get_attribute("data-metres")) > 5.5
    assert not browser_errors


def test_flood_fill_covers_exactly_the_clicked_region(
    page: Page,
    tmp_path,
    serve_app,
    browser_errors: list[str],  # noqa: F811
) -> None:
    # a.png (400x300) has a green rectangle at x 100..250, y 50..150 on black
    scheme = image_scheme(tools=["bbox", "fill"])
    config = image_project(tmp_path, schemes=[scheme], items=[{"id": "a", "image": "images/a.png"}])
    annotate(page, serve_app, create_app(config), "filler")
    stage = page.get_by_test_id("image-stage-objects")
    expect(stage).to_have_attribute("data-ready", "1")
    stage.focus()
    page.keyboard.press("f")  # the fill tool
    expect(page.get_by_test_id("ia-tool-fill")).to_have_attribute("aria-pressed", "true")
    box = page.locator(".ia-image").bounding_box()
    k = box["width"] / 400
    page.mouse.click(box["x"] + 175 * k, box["y"] + 100 * k)
    expect(page.locator("[data-ia-status]")).to_have_text("Filled 15,000 pixels.")
    saved(page)
    page.reload()
    expect(page.get_by_test_id("image-stage-objects")).to_have_attribute("data-ready", "1")
    (mask,) = json.loads(page.locator("script[data-ia-value]").text_content())["shapes"]
    assert mask["type"] == "mask" and mask["area"] == 150 * 100
    assert not browser_errors
