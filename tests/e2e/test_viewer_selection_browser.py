"""viewer_selection in Chromium, keyboard only: move along the residue sequence, select His57
as a binding site, a range of chain B with Shift+arrows as an epitope; reload and find them;
clear one residue with Delete; reload again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from potato_like import create_app

from .conftest import tab_to
from .test_annotate_browser import browser_errors, register_via_api  # noqa: F401

pytestmark = pytest.mark.e2e
EXAMPLE = Path(__file__).resolve().parents[2] / "example_projects" / "structures"


@pytest.fixture
def server(tmp_path, serve_app) -> str:
    work = tmp_path / "structures"
    shutil.copytree(EXAMPLE, work)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config.update(require_password=False, registration_rate_limit="1000 per hour")
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    return serve_app(create_app(work / "config.yaml"))


def items(page: Page) -> list[tuple]:
    raw = page.locator("[data-testid=viewer-site] input[type=hidden]").input_value()
    data = json.loads(raw) if raw else {"items": []}
    return [(i["chain"], i["resi"], i["resn"], i.get("label")) for i in data["items"]]


def test_select_residues_by_keyboard(page: Page, server: str, browser_errors: list[str]) -> None:  # noqa: F811
    register_via_api(page, server, "biochemist")
    page.goto(server + "/annotate")
    expect(page.get_by_test_id("viewer-site")).to_have_attribute("data-ready", "1")
    tab_to(page, "[data-testid=viewer-sequence-site]")
    for _ in range(6):
        page.keyboard.press("ArrowRight")  # A51 -> A57
    page.keyboard.press(" ")
    page.keyboard.press("2")  # epitope
    page.keyboard.press("ArrowDown")  # chain B, residue 1
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")  # B2..B4
    expect(page.get_by_test_id("viewer-site").locator(".vs-ranges li")).to_have_count(2)
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=10_000)

    page.reload()
    expect(page.get_by_test_id("viewer-site")).to_have_attribute("data-ready", "1")
    assert items(page) == [
        ("A", 57, "HIS", "binding site"),
        ("B", 2, "CYS", "epitope"),
        ("B", 3, "ASP", "epitope"),
        ("B", 4, "TRP", "epitope"),
    ]
    expect(page.get_by_test_id("viewer-site").locator(".vs-ranges li").nth(1)).to_contain_text(
        "B CYS 2 \u2013 TRP 4 (epitope)"
    )
    tab_to(page, "[data-testid=viewer-sequence-site]")
    page.keyboard.press("End")  # B4
    page.keyboard.press("Delete")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved", timeout=10_000)
    page.reload()
    expect(page.get_by_test_id("viewer-site")).to_have_attribute("data-ready", "1")
    assert [i[:2] for i in items(page)] == [("A", 57), ("B", 2), ("B", 3)]
    assert not browser_errors, browser_errors
