"""ui_language in a real Chromium: an Arabic page lays out right to left and its script
speaks Arabic."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from potato_like.i18n import catalogue

pytestmark = pytest.mark.e2e


def test_arabic_page_runs_right_to_left_with_translated_script_messages(
    page: Page, live_server: Callable[..., str]
) -> None:
    ar = catalogue("ar")
    base = live_server(items=3, ui_language="ar")
    page.goto(base + "/")
    page.get_by_label(ar["username_label"]).fill("amal")
    page.get_by_role("button", name=ar["sign_in_button"]).click()
    expect(page.get_by_test_id("progress")).to_have_text(ar["progress_count"].format(n=1, total=3))
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # the form panel sits left of the item in a right-to-left grid
    item = page.locator("section.item").bounding_box()
    panel = page.locator("section.panel").bounding_box()
    if panel["y"] < item["y"] + item["height"]:  # side by side (wide window)
        assert panel["x"] < item["x"]
    page.locator('input[data-scheme="sentiment"][data-label="positive"]').check()
    expect(page.get_by_test_id("save-state")).to_have_text(ar["js_saved"])
