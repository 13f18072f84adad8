"""Text work in a real Chromium, keyboard only: post-edit a translation (text_edit), mark an
MQM error with type and severity (error_span), mark an answer span (extractive_qa), label a
mention and start a coreference chain with it; after a reload every answer is still there,
and the server stored what the page showed. The review-work project likewise: conversation
tree ratings and path, table cell roles, a code review verdict and file rating, an event."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from playwright.sync_api import Page, expect

from potato_like import create_app

from ..conftest import REPO
from .conftest import tab_to
from .test_annotate_browser import browser_errors  # noqa: F401

pytestmark = pytest.mark.e2e

FIXED = "The Eiffel Tower was completed in 1889 and is about 330 metres tall."


@pytest.fixture
def text_work_server(tmp_path, serve_app) -> str:
    work = tmp_path / "text_work"
    shutil.copytree(REPO / "example_projects" / "text_work", work)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config.update(require_password=False, admin_api_key="test-admin-key-123456")
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    return serve_app(create_app(work / "config.yaml"))


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

    # span + coreference: Ctrl+Shift+→ three times selects "The Eiffel Tower", 1 labels it
    # ENTITY (and selects the new span), "New chain" starts a chain with it
    tab_to(page, "#instance-text")
    for _ in range(3):
        page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press("1")
    expect(page.get_by_test_id("span-list-mentions")).to_contain_text("“The Eiffel Tower”")
    tab_to(page, "[data-testid='coref-new-coref']")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("coref-chains-coref")).to_contain_text("ENTITY “The Eiffel Tower”")

    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    page.reload()
    expect(page.get_by_test_id("instance-id")).to_have_text("tw01")
    expect(page.get_by_test_id("text-edit-post_edit")).to_have_value(FIXED)
    expect(page.get_by_test_id("error-list-mqm")).to_contain_text(
        "“was” — Fluency / Grammar, Major"
    )
    expect(page.get_by_test_id("eqa-answer-answer")).to_have_text("“in 1889”")
    expect(page.get_by_test_id("coref-chains-coref")).to_contain_text("ENTITY “The Eiffel Tower”")

    saved = page.request.get(f"{base}/get_annotations?instance_id=tw01").json()
    got, links = saved["label_annotations"], saved["link_annotations"]
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
    [chain] = [e for e in links if e["schema"] == "coref"]
    assert chain["mentions"] == [[0, 16]] and chain["link_type"] == "ENTITY"
    assert browser_errors == []


@pytest.fixture
def review_work_server(tmp_path, serve_app) -> str:
    work = tmp_path / "review_work"
    shutil.copytree(REPO / "example_projects" / "review_work", work)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config.update(require_password=False, admin_api_key="test-admin-key-123456")
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    return serve_app(create_app(work / "config.yaml"))


def test_review_work_by_keyboard_survives_a_reload(
    page: Page,
    review_work_server: str,
    browser_errors: list[str],  # noqa: F811
) -> None:
    base = review_work_server
    assert page.request.post(f"{base}/auth", data={"username": "lee"}).ok
    page.goto(f"{base}/annotate")
    expect(page.get_by_test_id("instance-id")).to_have_text("rw01")

    # tree_annotation: rate Model A's first answer 5, tick root and a1 as the best path
    tab_to(page, "tr[data-node='root'] input[data-role='path']")
    page.keyboard.press("Space")
    tab_to(page, "tr[data-node='a1'] select")
    for _ in range(5):
        page.keyboard.press("ArrowDown")
    tab_to(page, "tr[data-node='a1'] input[data-role='path']")
    page.keyboard.press("Space")

    # table_grid: the first two cells become column headers
    tab_to(page, "[data-testid='table-grid-table'] button")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("table-grid-table").locator("button").nth(1)).to_have_text(
        "col_header"
    )

    # code_review: verdict request_changes (Space, then →), correctness of login.py 2
    tab_to(page, "input[data-role='verdict']")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    tab_to(page, "tr[data-file='src/auth/login.py'] select[data-dim='correctness']")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")

    # multi_document_event: this document belongs to the seed event
    tab_to(page, "[data-testid='mde-events-events'] input[type='checkbox']")
    page.keyboard.press("Space")

    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    page.reload()
    expect(page.get_by_test_id("instance-id")).to_have_text("rw01")
    expect(page.locator("tr[data-node='a1'] select")).to_have_value("5")
    expect(page.locator("tr[data-node='a1'] input[data-role='path']")).to_be_checked()
    expect(page.get_by_test_id("table-grid-table").locator("button").first).to_have_text(
        "col_header"
    )
    expect(page.locator("input[data-role='verdict'][value='request_changes']")).to_be_checked()
    expect(
        page.get_by_test_id("mde-events-events").locator("input[type='checkbox']")
    ).to_be_checked()

    got = page.request.get(f"{base}/get_annotations?instance_id=rw01").json()["label_annotations"]
    assert json.loads(got["turns"]["node_annotations"]) == {"a1": "5"}
    assert json.loads(got["turns"]["selected_path"]) == ["root", "a1"]
    assert json.loads(got["table"]["table"])["cells"] == {"0,0": "col_header", "0,1": "col_header"}
    review = json.loads(got["review"]["review"])
    assert review["verdict"] == "request_changes"
    assert review["file_ratings"] == {"src/auth/login.py": {"correctness": 2}}
    assert [e["id"] for e in json.loads(got["events"]["events"])["events"]] == ["evt_thai_floods"]
    assert browser_errors == []
