"""The survey-method types (cloze, list_experiment, randomized_response, price_list, bdm,
belief_elicitation) answered with the keyboard only in headless Chromium, and found again
after a reload (bdm: the price the server drew is shown)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import tab_to

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 8_000

SCHEMES = [
    {
        "annotation_type": "cloze",
        "name": "fill",
        "description": "Fill in the blanks",
        "text": "The [[cat]] sat on the [[mat]].",
    },
    {
        "annotation_type": "list_experiment",
        "name": "lists",
        "description": "How many are true for you?",
        "items": ["I own a bicycle.", "I read a newspaper daily.", "I like jazz."],
        "sensitive_item": "I have shoplifted.",
    },
    {
        "annotation_type": "randomized_response",
        "name": "rr",
        "description": "Exams",
        "question": "Have you ever cheated in an exam?",
    },
    {
        "annotation_type": "price_list",
        "name": "pl",
        "description": "A or B?",
        "single_switch": True,
        "rows": [
            {"a": "$5 now", "b": "$5 in a month"},
            {"a": "$5 now", "b": "$7 in a month"},
            {"a": "$5 now", "b": "$9 in a month"},
        ],
    },
    {"annotation_type": "bdm", "name": "wtp", "description": "Your bid", "max": 5, "step": 0.5},
    {"annotation_type": "belief_elicitation", "name": "rain", "description": "Rain?", "step": 5},
    {
        "annotation_type": "belief_elicitation",
        "name": "temp",
        "description": "High temperature",
        "mode": "bins",
        "bins": ["cold", "warm"],
    },
]


def test_survey_methods_by_keyboard_survive_a_reload(page: Page, live_server) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server(items=2, schemes=SCHEMES)
    assert page.request.post(f"{base}/auth", data={"username": "kb"}).status in (200, 302)
    page.goto(base + "/annotate")
    page.wait_for_load_state("domcontentloaded")
    keys = page.keyboard

    tab_to(page, 'input[name="fill:blank_1"]')
    keys.type("cat")
    keys.press("Tab")
    keys.type("Mat")
    tab_to(page, 'input[name="lists:number"]')
    keys.type("2")
    tab_to(page, 'input[data-scheme="rr"]')
    keys.press("ArrowRight")  # moves to and picks "No"
    tab_to(page, "input.pl-choice[data-row='0']")
    keys.press("Space")  # row 1: A
    keys.press("Tab")
    keys.press("ArrowRight")  # row 2: B (and, single switch, row 3: B)
    tab_to(page, "input.bdm-bid")
    keys.type("2.5")
    keys.press("Enter")  # places the bid: saved, then the drawn price is shown
    expect(page.get_by_test_id("bdm-result-wtp")).to_contain_text("Price drawn")
    tab_to(page, "input.belief-report")
    keys.press("ArrowRight")  # 50 -> 55
    tab_to(page, "input.belief-bin")
    keys.type("60")
    keys.press("Tab")
    keys.type("40")
    keys.press("Tab")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    drawn = page.get_by_test_id("bdm-result-wtp").inner_text()

    page.reload()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator('input[name="fill:blank_1"]')).to_have_value("cat")
    expect(page.locator('input[name="fill:blank_2"]')).to_have_value("Mat")
    expect(page.locator('input[name="lists:number"]')).to_have_value("2")
    expect(page.locator('input[data-scheme="rr"][value="No"]')).to_be_checked()
    for row, side in enumerate("ABB"):
        expect(page.locator(f"input.pl-choice[data-row='{row}'][value='{side}']")).to_be_checked()
    expect(page.get_by_test_id("bdm-result-wtp")).to_have_text(drawn)
    expect(page.locator("input.bdm-bid")).to_be_disabled()
    expect(page.locator("input.belief-report")).to_have_value("55")
    expect(page.locator("input.belief-bin").nth(0)).to_have_value("60")
    expect(page.locator("input.belief-bin").nth(1)).to_have_value("40")
    assert not errors, errors
