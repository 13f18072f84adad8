"""Text work in a real Chromium, keyboard only: post-edit a translation (text_edit), mark an
MQM error with type and severity (error_span), mark an answer span (extractive_qa); after a
reload every answer is still there, and the server stored what the page showed."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator

import pytest
import yaml
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from potato_like import create_app

from ..conftest import REPO
from .test_annotate_browser import browser_errors  # noqa: F401

pytestmark = pytest.mark.e2e

FIXED = "The Eiffel Tower was completed in 1889 and is about 330 metres tall."


@pytest.fixture
def text_work_server(tmp_path) -> Iterator[str]:
    work = tmp_path / "text_work"
    shutil.copytree(REPO / "example_projects" / "text_work", work)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config.update(require_password=False, admin_api_key="test-admin-key-123456")
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    app = create_app(work / "config.yaml")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    app.extensions["potato_like"].close()


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_text_work_by_keyboard_survives_a_reload(
    page: Page,
    text_work_server: str,
    browser_errors: list[str],  # noqa: F811
) -> None:
    base = text_work_server
    response = page.request.post(f"{base}/auth", data={"username": "kim"})
    assert response.ok, response.text()
    page.goto(f"{base}/annotate")
    expect(page.get_by_test_id("instance-id")).to_have_text("tw01")

    # text_edit: replace the machine translation with the fixed sentence
    tab_to(page, "#post_edit-editor")
    page.keyboard.press("Control+A")
    page.keyboard.type(FIXED)
    expect(page.locator("fieldset[data-type='text_edit'] [data-role='words']")).to_have_text("3")

    # error_span: → to the 4th word ("was"), type Fluency / Grammar, severity Major, Add
    tab_to(page, "[data-testid='error-text-mqm']")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")  # the type menu
    for _ in range(5):  # Accuracy, A/Mistranslation, A/Omission, A/Addition, Fluency, F/Grammar
        page.keyboard.press("ArrowDown")
    expect(page.get_by_test_id("error-type-mqm")).to_have_value("Fluency::Grammar")
    page.keyboard.press("Tab")  # the checked severity (Minor)
    page.keyboard.press("ArrowRight")  # Major
    tab_to(page, "[data-testid='error-add-mqm']")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("error-list-mqm")).to_contain_text(
        "“was” — Fluency / Grammar, Major"
    )
    expect(page.locator("fieldset[data-type='error_span'] [data-role='score']")).to_have_text("95")

    # extractive_qa: → to "in", Shift+→ adds "1889", Enter takes it as the answer
    tab_to(page, "[data-testid='eqa-passage-answer']")
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("eqa-answer-answer")).to_have_text("“in 1889”")

    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    page.reload()
    expect(page.get_by_test_id("instance-id")).to_have_text("tw01")
    expect(page.get_by_test_id("text-edit-post_edit")).to_have_value(FIXED)
    expect(page.get_by_test_id("error-list-mqm")).to_contain_text(
        "“was” — Fluency / Grammar, Major"
    )
    expect(page.get_by_test_id("eqa-answer-answer")).to_have_text("“in 1889”")

    got = page.request.get(f"{base}/get_annotations?instance_id=tw01").json()["label_annotations"]
    mqm = json.loads(got["mqm"]["mqm"])
    assert mqm["errors"] == [
        {
            "start": 17,
            "end": 20,
            "text": "was",
            "type": "Fluency",
            "subtype": "Grammar",
            "severity": "Major",
        }
    ]
    assert mqm["score"] == 95
    answer = json.loads(got["answer"]["answer"])
    assert answer == {"answer_text": "in 1889", "start": 31, "end": 38, "unanswerable": False}
    assert json.loads(got["post_edit"]["post_edit"])["edit_distance_words"] == 3
    assert browser_errors == []
