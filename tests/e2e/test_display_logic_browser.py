"""display_logic in a real Chromium: a follow-up question shows and hides as the answer it
watches changes, is required only while shown, and the page (with a shuffled scheme and the
project stylesheet) runs under the Content-Security-Policy without a violation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from ..conftest import radio
from .test_annotate_browser import (  # noqa: F401
    _fast_timeouts,
    browser_errors,
    expect_item,
    radio_input,
    register_via_api,
)
from .test_csp_browser import violations  # noqa: F401

pytestmark = pytest.mark.e2e

SCHEMES = [
    radio("pii", ["contains_pii", "no_pii"]),
    {
        "annotation_type": "text",
        "name": "why",
        "description": "Which personal data?",
        "label_requirement": {"required": True},
        "custom_css": {"width": "20em"},
        "display_logic": {
            "show_when": [{"schema": "pii", "operator": "equals", "value": "Contains_PII"}]
        },
    },
    {
        "annotation_type": "multiselect",
        "name": "topics",
        "description": "Topics?",
        "labels": ["sport", "art", "music", "food"],
        "option_randomization": True,
    },
]


def test_display_logic_shows_and_hides_a_scheme(
    page: Page,
    live_server: Callable[..., str],
    violations: list[str],  # noqa: F811
    browser_errors: list[str],  # noqa: F811
) -> None:
    base = live_server(items=3, schemes=SCHEMES)
    register_via_api(page, base, "alice")
    page.goto(base + "/annotate")
    expect_item(page, "1 of 3")
    follow_up = page.locator('[data-scheme-slot="why"]')
    expect(follow_up).to_be_hidden()
    expect(page.get_by_text("Contains Pii", exact=True)).to_be_visible()  # humanized

    radio_input(page, "contains_pii", "pii").check()
    expect(follow_up).to_be_visible()
    radio_input(page, "no_pii", "pii").check()
    expect(follow_up).to_be_hidden()
    radio_input(page, "contains_pii", "pii").check()
    expect(follow_up).to_be_visible()
    # the project stylesheet applies (served from /project.css, not inline)
    box = page.locator('input[data-scheme="why"]')
    width = box.evaluate("n => [getComputedStyle(n).width, getComputedStyle(n).fontSize]")
    assert float(width[0].removesuffix("px")) == pytest.approx(20 * float(width[1][:-2]), abs=1)
    assert page.locator('link[href^="/project.css"]').count() == 1

    # shown: required; the server says so and the page marks it
    page.get_by_role("button", name="Submit & next").click()
    expect(page.locator("#form-error")).to_contain_text("Which personal data?")
    # hidden again: not required, the item can be submitted
    radio_input(page, "no_pii", "pii").check()
    expect(follow_up).to_be_hidden()
    page.get_by_role("button", name="Submit & next").click()
    expect_item(page, "2 of 3")
    expect(page.locator('[data-scheme-slot="why"]')).to_be_hidden()

    assert violations == []
    # the one refused submit (400) is the expected "required" answer; nothing else failed
    assert [e for e in browser_errors if "400 (BAD REQUEST)" not in e] == []
