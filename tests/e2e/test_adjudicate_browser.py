"""Adjudication in a real Chromium: an adjudicator decides one item with the keyboard only
(1 picks the first answer, h high confidence, Enter submits) and the page moves on; the
decision is stored and no CSP violation or script error happens."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import requests
from playwright.sync_api import Page, expect

from ..conftest import ADMIN
from . import test_annotate_browser as annotate_browser
from .test_annotate_browser import _fast_timeouts  # noqa: F401

browser_errors = annotate_browser.browser_errors  # the fixture, by its name here

pytestmark = pytest.mark.e2e

JUDGE_PASSWORD = "judge-pw-1"


def test_adjudicate_one_item_with_the_keyboard(
    page: Page, live_server: Callable[..., str], browser_errors: list[str]
) -> None:
    base = live_server(
        items=3,
        require_password=True,
        user_config={"users": [{"username": "judge", "password": JUDGE_PASSWORD}]},
        adjudication={
            "enabled": True,
            "adjudicator_users": ["judge"],
            "fast_decision_warning_ms": 0,
            "similarity_enabled": True,
        },
    )
    # Annotators register and disagree on item_001 and item_002.
    for user in ("ann_a", "ann_b"):
        requests.post(f"{base}/register", data={"username": user, "password": "pw-123456"})
    answer_as_password = {
        "ann_a": {"item_001": "positive", "item_002": "neutral", "item_003": "negative"},
        "ann_b": {"item_001": "negative", "item_002": "positive", "item_003": "negative"},
    }
    for user, answers in answer_as_password.items():
        http = requests.Session()
        assert http.post(f"{base}/auth", data={"username": user, "password": "pw-123456"}).ok
        for _ in range(5):
            info = http.get(f"{base}/api/current_instance").json()
            if info.get("finished") or info["instance_id"] not in answers:
                break
            iid = info["instance_id"]
            body = {"instance_id": iid, "annotations": {f"sentiment:{answers[iid]}": "1"}}
            assert http.post(f"{base}/updateinstance", json=body).ok
            http.post(f"{base}/go_to", json={"action": "next_instance"})

    page.goto(base + "/")
    page.get_by_label("Username").fill("judge")
    page.get_by_label("Password").fill(JUDGE_PASSWORD)
    page.get_by_role("button", name=re.compile("Log in", re.I)).click()
    page.goto(base + "/adjudicate")
    expect(page.locator("#adj-item-id")).to_have_text("item_001")
    expect(page.get_by_test_id("adj-text")).to_contain_text("Text number 1.")
    expect(page.get_by_test_id("adj-answer")).to_have_count(2)
    expect(page.locator("#adj-stats")).to_contain_text("0 of 2 decided")

    # Keyboard only: 1 picks the first (most common, then first) answer, h = high, Enter.
    page.keyboard.press("1")
    expect(page.locator('input[name="pick-sentiment"][value="0"]')).to_be_checked()
    page.keyboard.press("h")
    expect(page.locator('input[name="confidence"][value="high"]')).to_be_checked()
    page.keyboard.press("Enter")

    expect(page.locator("#adj-item-id")).to_have_text("item_002")
    expect(page.locator("#adj-stats")).to_contain_text("1 of 2 decided")
    decided = page.request.get(f"{base}/adjudicate/api/item/item_001").json()
    assert decided["decision"]["confidence"] == "high"
    assert decided["decision"]["adjudicator_id"] == "judge"
    assert decided["decision"]["source"]["sentiment"].startswith("annotator:")

    # s skips the second item: nothing is pending any more.
    page.locator("body").press("s")
    expect(page.get_by_text("No more items to adjudicate.")).to_be_visible()
    overview = requests.get(f"{base}/admin/api/adjudication", headers=ADMIN).json()
    assert overview["stats"]["completed"] == 1
    assert browser_errors == []
