"""geo_annotation task: classify_region in Chromium, keyboard only: focus the map, label two
districts (N selects, 1-9 picks the label, A labels), clear one, reload and find the answer."""

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
EXAMPLE = Path(__file__).resolve().parents[2] / "example_projects" / "geo_regions"


@pytest.fixture
def server(tmp_path, serve_app) -> str:
    work = tmp_path / "regions"
    shutil.copytree(EXAMPLE, work)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config.update(require_password=False, registration_rate_limit="1000 per hour")
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    return serve_app(create_app(work / "config.yaml"))


def labels(page: Page) -> dict[str, str]:
    raw = page.locator("[data-testid=geo-districts] input[type=hidden]").input_value()
    features = json.loads(raw)["features"] if raw else []
    return {f["properties"]["region"]: f["properties"]["label"] for f in features}


def test_classify_regions_by_keyboard(page: Page, server: str, browser_errors: list[str]) -> None:  # noqa: F811
    register_via_api(page, server, "surveyor")
    page.set_viewport_size({"width": 1300, "height": 1000})
    page.goto(server + "/annotate")
    box = page.get_by_test_id("geo-districts")
    expect(box).to_have_attribute("data-ready", "1")
    expect(box.locator("[data-role=regions] li")).to_have_count(3)
    tab_to(page, "[data-testid=geo-map-districts]")
    page.keyboard.press("a")  # Old Town (selected first): safe
    page.keyboard.press("n")
    page.keyboard.press("3")
    page.keyboard.press("Enter")  # Harbour: unsafe
    page.keyboard.press("n")
    page.keyboard.press("2")
    page.keyboard.press("a")  # Hillside: unsure
    page.keyboard.press("Delete")  # ... cleared again
    expect(box.locator("[data-region=D2]")).to_have_text("Harbour: unsafe")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=10_000)
    page.reload()
    expect(box).to_have_attribute("data-ready", "1")
    assert labels(page) == {"D1": "safe", "D2": "unsafe"}
    expect(box.locator("[data-region=D3]")).to_have_text("Hillside: no label")
    assert not browser_errors, browser_errors
