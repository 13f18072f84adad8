"""Potato's phase paths (/consent, /prestudy, /instructions, /training, /poststudy) are
aliases of /phase: they serve the current phase when they name it and send people to their
current phase otherwise, for GET and POST alike, so no phase can be skipped by URL."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, login, with_csrf
from tests.web.test_study_flow import CONSENT_OK, SCREEN_OK, phase, train

EXAMPLE = REPO / "example_projects" / "study_flow"
OTHER_PATHS = ("/prestudy", "/instructions", "/training", "/poststudy")


@pytest.fixture
def app(example_project):
    return example_project(EXAMPLE, None, None, require_password=False)


def test_the_current_phase_is_served_at_its_potato_path(app):
    c = login(app.test_client(), "ann")
    page = c.get("/consent")
    assert page.status_code == 200 and b"Consent to take part" in page.data
    for path in OTHER_PATHS:  # later phases: back to the current one, nothing shown
        r = c.get(path)
        assert r.status_code == 302 and r.headers["Location"].endswith("/phase"), path
    assert phase(c)["phase"] == "consent"


def test_posting_to_a_later_phase_path_skips_nothing(app):
    c = login(app.test_client(), "ann")
    r = c.post("/prestudy", json={"annotations": SCREEN_OK})
    assert r.status_code == 409 and r.json["phase"] == "consent"
    assert r.json["error"] == "you are not in the prestudy phase; see /phase"
    r = c.post("/poststudy", json={})
    assert r.status_code == 409
    assert phase(c)["phase"] == "consent"
    with_csrf(c)
    form = c.post("/instructions", data={"phase": "instructions"})
    assert form.status_code == 302 and form.headers["Location"].endswith("/phase")
    assert phase(c)["phase"] == "consent"


def test_each_phase_is_submitted_at_its_own_path(app):
    c = login(app.test_client(), "ann")
    r = c.post("/consent", json={"annotations": CONSENT_OK})
    assert (r.status_code, r.json["phase"]) == (200, "prestudy")
    # The consent path is behind the user now: it leads to the current phase.
    assert c.get("/consent").headers["Location"].endswith("/phase")
    assert c.post("/consent", json={"annotations": CONSENT_OK}).status_code == 409
    assert c.get("/prestudy").status_code == 200
    assert c.post("/prestudy", json={"annotations": SCREEN_OK}).json["phase"] == "instructions"
    with_csrf(c)  # a browser form, as Potato's pages post them
    form = c.post("/instructions", data={"phase": "instructions"})
    assert form.status_code == 302 and form.headers["Location"].endswith("/phase")
    assert phase(c)["phase"] == "training"
    assert b"training" in c.get("/training").data.lower()
    train(c)
    assert phase(c)["type"] == "annotation"
    # In annotation, every phase path leads back to the current phase.
    assert c.get("/training").headers["Location"].endswith("/phase")
    assert c.post("/training", json={"annotations": {}}).status_code == 409


def test_phase_paths_need_a_login(app):
    c = app.test_client()
    r = c.get("/consent")
    assert r.status_code == 302 and "/phase" not in r.headers["Location"]
    assert c.post("/consent", json={}).status_code == 401


def test_a_phase_named_differently_is_served_at_its_type_path(example_project):
    def edit(cfg):
        phases = cfg["phases"]
        phases["order"][0] = "agreement"
        phases["agreement"] = {**phases.pop("consent"), "type": "consent"}

    app = example_project(EXAMPLE, edit, None, require_password=False)
    c = login(app.test_client(), "ann")
    assert phase(c)["phase"] == "agreement"
    assert b"Consent to take part" in c.get("/consent").data
