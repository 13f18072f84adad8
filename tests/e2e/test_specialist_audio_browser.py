"""Specialist audio in a real Chromium, keyboard only: a box drawn, moved, resized and
relabelled on the server's spectrogram (spectrogram_annotation), and MUSHRA sliders, an ABX
choice, an ACR category and the three P.835 scales answered (listening_test); after a reload
every answer is still there, and the page never named a listening condition."""

from __future__ import annotations

import json
import re
import shutil

import pytest
import yaml
from playwright.sync_api import Page, expect

from potato_like import create_app

from ..conftest import REPO
from .conftest import tab_to
from .test_annotate_browser import browser_errors  # noqa: F401

pytestmark = pytest.mark.e2e


def _serve(tmp_path, serve_app, name: str) -> str:
    work = tmp_path / name
    shutil.copytree(REPO / "example_projects" / name, work)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config.update(admin_api_key="test-admin-key-123456")
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    return serve_app(create_app(work / "config.yaml"))


def _hidden(page: Page, name: str):
    raw = page.locator(f"input[name='{name}']").input_value()
    return json.loads(raw) if raw else None


def test_spectrogram_box_by_keyboard_survives_a_reload(
    page: Page,
    tmp_path,
    serve_app,
    browser_errors: list[str],  # noqa: F811
) -> None:
    base = _serve(tmp_path, serve_app, "spectrogram_boxes")
    assert page.request.post(f"{base}/auth", data={"username": "kim"}).ok
    page.goto(f"{base}/annotate")
    canvas = page.locator("fieldset[data-scheme='calls'] canvas[data-role='canvas']")
    expect(canvas).to_have_attribute("data-ready", "1", timeout=30_000)
    tab_to(page, "fieldset[data-scheme='calls'] canvas[data-role='canvas']")
    page.keyboard.press("2")  # whistle
    page.keyboard.press("n")  # a new box: 0-0.1 s, a quarter to half of 0-5000 Hz
    box = _hidden(page, "calls:_data")[0]
    assert box["label"] == "whistle"
    assert box["low_hz"] == pytest.approx(1250, abs=1) and box["high_hz"] == pytest.approx(
        2500, abs=1
    )
    for _ in range(10):
        page.keyboard.press("ArrowRight")  # +0.01 s each
    page.keyboard.press("ArrowUp")  # +2% of the range
    page.keyboard.press("Shift+ArrowRight")  # end +0.01 s
    page.keyboard.press("1")  # relabel: rising_call
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    box = _hidden(page, "calls:_data")[0]
    assert box["label"] == "rising_call"
    assert box["start_s"] == pytest.approx(0.1, abs=0.002)
    assert box["end_s"] == pytest.approx(0.21, abs=0.002)
    assert box["low_hz"] == pytest.approx(1350, abs=1)
    page.keyboard.press("p")  # plays the box's time range
    status = page.locator("fieldset[data-scheme='calls'] [data-role='status']")
    expect(status).to_have_text(re.compile(r"^Playing 0\.10.0\.21 s$"))
    at = page.evaluate(
        "document.querySelector(\"fieldset[data-scheme='calls'] audio\").currentTime"
    )
    assert at >= 0.099  # the player was sent to the box's start
    # a second box, deleted again with Delete
    page.keyboard.press("n")
    assert len(_hidden(page, "calls:_data")) == 2
    page.keyboard.press("Delete")
    assert len(_hidden(page, "calls:_data")) == 1
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    page.reload()
    expect(canvas).to_have_attribute("data-ready", "1", timeout=30_000)
    again = _hidden(page, "calls:_data")
    assert again == [box]
    expect(page.locator("fieldset[data-scheme='calls'] .sg-box")).to_have_count(1)
    expect(page.locator("fieldset[data-scheme='calls'] .sg-box").first).to_contain_text(
        "rising_call"
    )


def test_listening_tests_by_keyboard_survive_a_reload_and_stay_blind(
    page: Page,
    tmp_path,
    serve_app,
    browser_errors: list[str],  # noqa: F811
) -> None:
    base = _serve(tmp_path, serve_app, "listening_tests")
    assert page.request.post(f"{base}/auth", data={"username": "kim"}).ok
    page.goto(f"{base}/annotate")
    html = page.content()
    for word in ("lowpass", "noisy", "hidden_reference", "anchor", ".wav"):
        assert word not in html, word

    # MUSHRA: Space plays a slot; each slider is set with Home/End and arrows
    tab_to(page, "fieldset[data-scheme='mushra'] .lt-play[data-slot='s1']")
    page.keyboard.press("Space")
    expect(page.locator("fieldset[data-scheme='mushra'] [data-role='status']")).to_have_text(
        "Playing s1"
    )
    wanted = {"s1": 100, "s2": 30, "s3": 60, "s4": 20}
    for slot, score in wanted.items():
        tab_to(page, f"fieldset[data-scheme='mushra'] .lt-slider[data-slot='{slot}']")
        page.keyboard.press("End" if score == 100 else "Home")
        for _ in range(score if score != 100 else 0):
            page.keyboard.press("ArrowRight")
    # ABX: arrows pick B in the radio group
    tab_to(page, "fieldset[data-scheme='abx'] input[value='A']")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    # ACR: "Good" is the second category
    tab_to(page, "fieldset[data-scheme='acr'] input[data-field='rating']")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    # P.835: signal, background, overall
    for field, steps in (("sig", 0), ("bak", 2), ("ovrl", 1)):
        tab_to(page, f"fieldset[data-scheme='p835'] input[data-field='{field}']")
        page.keyboard.press("Space")
        for _ in range(steps):
            page.keyboard.press("ArrowDown")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    assert _hidden(page, "mushra:mushra")["ratings"] == wanted
    assert "s1" in _hidden(page, "mushra:mushra")["played"]
    assert _hidden(page, "abx:abx")["choice"] == "B"
    assert _hidden(page, "acr:acr")["rating"] == 1
    p835 = _hidden(page, "p835:p835")
    assert (p835["sig"], p835["bak"], p835["ovrl"]) == (0, 2, 1)

    page.reload()
    for slot, score in wanted.items():
        slider = page.locator(f"fieldset[data-scheme='mushra'] .lt-slider[data-slot='{slot}']")
        expect(slider).to_have_value(str(score))
    expect(page.locator("fieldset[data-scheme='abx'] input[value='B']")).to_be_checked()
    expect(page.locator("fieldset[data-scheme='acr'] input[value='1']")).to_be_checked()
    expect(
        page.locator("fieldset[data-scheme='p835'] input[data-field='bak'][value='2']")
    ).to_be_checked()
    got = page.request.get(f"{base}/get_annotations?instance_id=trial1").json()
    stored = json.loads(got["label_annotations"]["mushra"]["mushra"])
    assert stored["ratings"] == wanted
