"""A study in a real Chromium: consent, instructions, training with feedback, then annotation
with an attention check whose warning is shown before moving on."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from ..conftest import REPO
from .test_annotate_browser import _fast_timeouts, browser_errors, expect_item  # noqa: F401

pytestmark = pytest.mark.e2e

EXAMPLE = REPO / "example_projects" / "study_flow"


def test_consent_training_and_an_attention_check(
    page: Page,
    live_server: Callable[..., str],
    browser_errors: list[str],  # noqa: F811
) -> None:
    base = live_server(
        items=6,
        phases={
            "order": ["consent", "instructions", "training", "annotation"],
            "consent": {"file": str(EXAMPLE / "phases" / "consent.json")},
            "instructions": {"file": str(EXAMPLE / "phases" / "instructions.md")},
        },
        training={
            "enabled": True,
            "data_file": str(EXAMPLE / "phases" / "training.json"),
            "passing_criteria": {"min_correct": 2},
        },
        attention_checks={
            "items_file": str(EXAMPLE / "quality" / "attention_checks.json"),
            "frequency": 2,
            "failure_handling": {"warn_threshold": 1, "warn_message": "Please read carefully."},
        },
    )
    assert page.request.post(f"{base}/auth", data={"username": "walker"}).ok
    page.goto(base + "/annotate")
    expect(page).to_have_url(re.compile(r"/phase$"))

    # Consent: the two questions, answered by clicking.
    expect(page.get_by_test_id("phase-consent")).to_be_visible()
    page.get_by_text("Yes", exact=True).click()
    page.get_by_text("I agree", exact=True).click()
    page.get_by_test_id("phase-submit").click()

    # Instructions rendered from Markdown; Enter continues.
    expect(page.locator("strong", has_text="product reviews")).to_be_visible()
    page.wait_for_load_state("domcontentloaded")
    page.keyboard.press("Enter")

    # Training: a wrong answer shows the explanation and asks again.
    expect(page.get_by_text("Training question 1 of 3")).to_be_visible()
    page.wait_for_load_state("domcontentloaded")
    page.keyboard.press("3")  # neutral; the answer is positive
    page.keyboard.press("Enter")
    feedback = page.get_by_test_id("training-feedback")
    expect(feedback).to_contain_text("Not quite")
    expect(feedback).to_contain_text("Strong praise")
    page.wait_for_load_state("domcontentloaded")
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Training question 2 of 3")).to_be_visible()
    expect(page.get_by_test_id("training-feedback")).to_contain_text("Correct!")
    page.wait_for_load_state("domcontentloaded")
    page.keyboard.press("2")  # train_2: negative, right at the first answer
    page.keyboard.press("Enter")
    expect(page.get_by_text("Training question 3 of 3")).to_be_visible()
    page.wait_for_load_state("domcontentloaded")
    page.keyboard.press("3")  # train_3: neutral; two first-try answers pass
    page.keyboard.press("Enter")

    # Annotation: two items, then the check, counted like an item (6 items and the two
    # checks a frequency of 2 brings from a pool of two) and not announcing its id.
    expect(page).to_have_url(re.compile(r"/annotate$"))
    for position in ("1 of 8", "2 of 8"):
        expect_item(page, position)
        page.keyboard.press("1")
        page.keyboard.press("Enter")
    expect_item(page, "3 of 8")
    expect(page.get_by_test_id("instance-id")).not_to_have_text("attn_1")
    expect(page.get_by_test_id("instance-text")).to_contain_text("check item")
    page.keyboard.press("1")  # positive; the check asks for negative
    page.keyboard.press("Enter")
    dialog = page.get_by_test_id("qc-feedback")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Please read carefully.")
    page.keyboard.press("Enter")
    expect_item(page, "4 of 8")
    assert page.get_by_test_id("instance-id").inner_text().strip() == "item_003"

    assert browser_errors == []
