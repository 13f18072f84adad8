"""The annotation page in a real headless Chromium against a live server.

No sleeps: every wait is one of Playwright's auto-waiting `expect()` assertions. After an
action that reloads /annotate, `expect_item()` waits for the new page's progress text and
then for DOMContentLoaded, by which time the page's module script has bound its key handlers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, expect

from ..conftest import radio

pytestmark = pytest.mark.e2e

LABELS = ["positive", "negative", "neutral"]  # a single radio scheme: keys 1/2/3 bound for it
TIMEOUT_MS = 5_000


@pytest.fixture(autouse=True)
def _fast_timeouts(page: Page) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture
def browser_errors(page: Page) -> list[str]:
    """Console errors and uncaught exceptions of the page, collected as they happen."""
    errors: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            errors.append(f"console.error: {msg.text} ({msg.location.get('url', '')})")

    def on_pageerror(exc: Error) -> None:
        errors.append(f"pageerror: {exc}")

    page.on("console", on_console)
    page.on("pageerror", on_pageerror)
    return errors


def radio_input(page: Page, label: str, scheme: str = "sentiment"):
    return page.locator(f'input[data-scheme="{scheme}"][data-label="{label}"]')


def expect_item(page: Page, position: str) -> str:
    """Wait until the annotation page shows `position` ("2 of 5") and its script is running;
    return the shown instance id."""
    expect(page.get_by_test_id("progress")).to_have_text(position)
    page.wait_for_load_state("domcontentloaded")
    return page.get_by_test_id("instance-id").inner_text().strip()


def register_via_api(page: Page, base: str, username: str, password: str = "") -> None:
    """Create an account through the JSON login API; the browser context shares its cookies."""
    response = page.request.post(
        f"{base}/register", data={"username": username, "password": password}
    )
    assert response.status == 201, response.text()


def test_register_annotate_and_navigate(
    page: Page, live_server: Callable[..., str], browser_errors: list[str]
) -> None:
    base = live_server(items=5, require_password=True)

    # Register through the real form.
    page.goto(base + "/")
    page.get_by_role("link", name="Register").click()
    expect(page).to_have_url(re.compile(r"/register$"))
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/annotate$"))
    first_id = expect_item(page, "1 of 5")
    expect(page.get_by_test_id("instance-text")).to_have_text("Text number 1.")
    expect(page.get_by_test_id("save-state")).to_have_text("")

    # Key 1 picks the first label; the autosave draft reaches the server.
    page.keyboard.press("1")
    expect(radio_input(page, "positive")).to_be_checked()
    for other in LABELS[1:]:
        expect(radio_input(page, other)).not_to_be_checked()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    # Enter submits and moves on.
    page.keyboard.press("Enter")
    second_id = expect_item(page, "2 of 5")
    assert second_id != first_id
    expect(page.get_by_test_id("instance-text")).to_have_text("Text number 2.")
    expect(radio_input(page, "positive")).not_to_be_checked()

    # The answer is stored: ask the server with the page's own session.
    response = page.request.get(f"{base}/get_annotations", params={"instance_id": first_id})
    assert response.ok, response.text()
    assert response.json()["label_annotations"] == {"sentiment": {"positive": "1"}}

    # Left arrow goes back, with the answer shown.
    page.keyboard.press("ArrowLeft")
    assert expect_item(page, "1 of 5") == first_id
    expect(radio_input(page, "positive")).to_be_checked()
    expect(page.get_by_test_id("item-status")).to_have_text("answered")

    assert browser_errors == []


def test_question_mark_toggles_shortcut_dialog(
    page: Page, live_server: Callable[..., str], browser_errors: list[str]
) -> None:
    base = live_server(items=3)
    register_via_api(page, base, "bob")
    page.goto(base + "/annotate")
    expect_item(page, "1 of 3")

    dialog = page.locator("dialog#shortcuts")
    expect(dialog).to_be_hidden()
    page.keyboard.press("?")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()

    page.keyboard.press("Escape")
    expect(dialog).not_to_have_attribute("open", re.compile(".*"))
    expect(dialog).to_be_hidden()
    assert browser_errors == []


def test_enter_with_required_scheme_unanswered_shows_error(
    page: Page, live_server: Callable[..., str]
) -> None:
    scheme = radio("sentiment", LABELS, label_requirement={"required": True})
    base = live_server(items=3, schemes=[scheme])
    register_via_api(page, base, "carol")
    page.goto(base + "/annotate")
    first_id = expect_item(page, "1 of 3")

    form_error = page.locator("#form-error")
    expect(form_error).to_be_hidden()
    page.keyboard.press("Enter")
    expect(form_error).to_be_visible()
    expect(form_error).to_contain_text("Please answer first: sentiment? (an answer is required)")
    expect(page.locator('fieldset[data-scheme="sentiment"]')).to_have_class(
        re.compile(r"\bmissing\b")
    )
    expect(page.get_by_test_id("save-state")).to_have_text("Not saved")
    expect(page.get_by_test_id("progress")).to_have_text("1 of 3")
    assert page.get_by_test_id("instance-id").inner_text().strip() == first_id

    # Answering clears the way: the next Enter moves on.
    page.keyboard.press("2")
    expect(radio_input(page, "negative")).to_be_checked()
    page.keyboard.press("Enter")
    expect_item(page, "2 of 3")
    expect(page.locator("#form-error")).to_be_hidden()


def test_annotate_every_item_reaches_finished_page(
    page: Page, live_server: Callable[..., str], browser_errors: list[str]
) -> None:
    base = live_server(items=2)
    register_via_api(page, base, "dave")
    page.goto(base + "/annotate")

    expect_item(page, "1 of 2")
    page.keyboard.press("1")
    expect(radio_input(page, "positive")).to_be_checked()
    page.keyboard.press("Enter")

    expect_item(page, "2 of 2")
    page.keyboard.press("3")
    expect(radio_input(page, "neutral")).to_be_checked()
    page.keyboard.press("Enter")

    finished = page.get_by_test_id("finished")
    expect(finished).to_be_visible()
    expect(page).to_have_url(re.compile(r"/done$"))
    expect(finished).to_contain_text("You completed 2 items")
    assert browser_errors == []
