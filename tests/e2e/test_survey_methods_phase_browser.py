"""The survey-method types on a pre-study phase page in headless Chromium, keyboard only:
the scripts of price_list, bdm and belief_elicitation fill the page's form, Enter submits
it, and the server stores (and checks) the answers as the phase's."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ADMIN

from .conftest import tab_to
from .test_survey_methods_browser import SCHEMES, TIMEOUT_MS

pytestmark = pytest.mark.e2e


def test_survey_methods_on_a_phase_page_by_keyboard(page: Page, live_server) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    phases = {"order": ["prestudy", "annotation"], "prestudy": {"annotation_schemes": SCHEMES}}
    base = live_server(items=2, phases=phases)
    assert page.request.post(f"{base}/auth", data={"username": "kb"}).status in (200, 302)
    page.goto(base + "/phase")
    expect(page.get_by_test_id("phase-prestudy")).to_be_visible()
    keys = page.keyboard
    tab_to(page, 'input[name="fill:blank_1"]')
    keys.type("cat")
    keys.press("Tab")
    keys.type("Mat")
    tab_to(page, 'input[name="lists:number"]')
    keys.type("2")
    tab_to(page, 'input[data-scheme="rr"]')
    keys.press("ArrowRight")  # "No"
    tab_to(page, "input.pl-choice[data-row='0']")
    keys.press("Space")  # row 1: A
    keys.press("Tab")
    keys.press("ArrowRight")  # row 2: B (single switch: row 3 too)
    tab_to(page, "input.bdm-bid")
    keys.type("2.5")
    keys.press("Enter")  # places the bid (does not submit the page)
    expect(page.get_by_test_id("bdm-result-wtp")).to_contain_text("Bid placed")
    tab_to(page, "input.belief-report")
    keys.press("ArrowRight")  # 50 -> 55
    tab_to(page, "input.belief-bin")
    keys.type("60")
    keys.press("Tab")
    keys.type("40")
    keys.press("Tab")
    keys.press("Enter")  # submits the phase
    page.wait_for_url("**/annotate**")
    state = page.request.get(f"{base}/admin/user_state/kb", headers=ADMIN).json()
    answers = state["phase_answers"]["prestudy"]
    assert answers["fill"] == {"blank_1": "cat", "blank_2": "Mat"}
    assert answers["lists"]["number"] == "2" and answers["lists"]["group"] in (
        "control",
        "treatment",
    )
    assert answers["rr"] == {"No": "1"}
    assert json.loads(answers["pl"]["pl"])["choices"] == ["A", "B", "B"]
    bdm = json.loads(answers["wtp"]["wtp"])
    assert bdm["bid"] == 2.5 and "price" in bdm
    assert json.loads(answers["rain"]["rain"])["report"] == 55
    assert json.loads(answers["temp"]["temp"])["bins"] == [60, 40]
    assert not errors, errors
