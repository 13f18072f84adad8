"""Flag-with-comment and the text-size control on the annotation page (issue 21, point 13)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ..conftest import ADMIN, radio
from .test_annotate_browser import _fast_timeouts, expect_item, register_via_api  # noqa: F401

pytestmark = pytest.mark.e2e


def test_flag_an_item_and_change_the_text_size(page: Page, live_server):
    base = live_server(items=2, schemes=[radio("sentiment", ["positive", "negative"])])
    register_via_api(page, base, "ann")
    page.goto(f"{base}/annotate")
    expect_item(page, "1 of 2")
    page.get_by_test_id("flag-btn").click()
    expect(page.get_by_test_id("flag-dialog")).to_be_visible()
    page.keyboard.type("Half of the text is missing.")  # focus is in the comment box
    page.get_by_role("button", name="Send flag").click()
    expect(page.get_by_test_id("flag-dialog")).to_be_hidden()
    expect(page.get_by_test_id("flag-btn")).to_contain_text("Flagged")
    flags = page.request.get(f"{base}/admin/api/flags", headers=ADMIN).json()
    assert flags["flags"][0]["comment"] == "Half of the text is missing."

    size = "getComputedStyle(document.documentElement).fontSize"
    before = float(page.evaluate(size).removesuffix("px"))
    page.get_by_role("button", name="Larger text").click()
    page.get_by_role("button", name="Larger text").click()
    after = float(page.evaluate(size).removesuffix("px"))
    assert after > before * 1.15
    page.reload()
    expect_item(page, "1 of 2")
    assert float(page.evaluate(size).removesuffix("px")) == after  # remembered
