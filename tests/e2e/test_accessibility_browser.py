"""axe-core on every page type (issue 21, point 11): no serious or critical violation on the
annotation page of every example project in light mode, of a representative set of them
(every page layout: text, media, spans, pairwise, agent traces, a study, a crowd entry, a
long survey) also in dark mode and at a phone's 390 px width, nor on the sign-in,
registration, finished, error, crowd-preview, adjudication and dashboard pages in all three.

Dark mode and the narrow width change colours and layout, not which widgets a page has, so
sweeping every example in all three modes cost minutes of CI time to find nothing the
representative set does not.

axe-core (tests/e2e/vendor/axe-core, MPL-2.0) is injected through the debugging protocol, so
the pages' Content-Security-Policy stays as served. Minor and moderate findings are not
failures here (they are reported by axe's own tooling when someone wants them).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page

from potato_like import create_app

from ..conftest import ADMIN, REPO, base_config, radio, write_config, write_items
from .test_csp_browser import DASHBOARD as CSP_DASHBOARD

pytestmark = pytest.mark.e2e

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
MODES = (("light", 1280), ("dark", 1280), ("light", 390))
# Examples swept in every mode: one per page layout (the rest are swept in light mode).
ALL_MODES = {
    "all_simple_types",
    "agent_traces",
    "audio_segments",
    "image_objects",
    "llm_preference",
    "ner_spans",
    "prolific_study",
    "study_flow",
    "survey_instruments",
    "video_annotation",
}
EXAMPLES = sorted(
    p.name for p in (REPO / "example_projects").iterdir() if (p / "config.yaml").is_file()
)
# Crowd projects are entered the way their platform sends workers; the others by signing in.
CROWD_ENTRY = {
    "mturk_hit": "/?workerId=AXEWORKER&assignmentId=A1&hitId=H1",
    "prolific_study": "/?PROLIFIC_PID=axe0000000000000000000001&STUDY_ID=65f0c0ffee0000000000beef"
    "&SESSION_ID=s1",
}
FAILING = ("serious", "critical")
RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + ": " + (n.failureSummary || "")),
  }));
}"""


def violations(page: Page) -> list[str]:
    """Serious and critical axe findings on the page as shown now, one line each."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE)
    found = page.evaluate(RUN_AXE)
    return [
        f"{v['id']} ({v['impact']}) on {page.url}: {' | '.join(v['nodes'])}"
        for v in found
        if v["impact"] in FAILING
    ]


def copy_example(name: str, tmp_path: Path) -> Path:
    work = tmp_path / name
    shutil.copytree(
        REPO / "example_projects" / name, work, ignore=shutil.ignore_patterns("annotation_output")
    )
    config_path = work / "config.yaml"
    config = yaml.safe_load(config_path.read_text())
    if name not in CROWD_ENTRY:  # anyone may sign in with a name alone
        config["require_password"] = False
        config.setdefault("user_config", {})["allow_all_users"] = True
    config_path.write_text(yaml.safe_dump(config))
    return config_path


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_annotation_page_of_every_example_passes_axe(
    name: str, tmp_path: Path, browser: Browser, serve_app: Callable
) -> None:
    base = serve_app(create_app(str(copy_example(name, tmp_path))))
    problems: list[str] = []
    for scheme, width in MODES if name in ALL_MODES else MODES[:1]:
        context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 800})
        page = context.new_page()
        if name in CROWD_ENTRY:
            page.goto(base + CROWD_ENTRY[name].replace("AXEWORKER", f"AXE{scheme}{width}"))
        else:
            answer = page.request.post(
                base + "/auth", form={"username": f"axe-{scheme}-{width}", "password": ""}
            )
            assert answer.ok, answer.text()
            page.goto(base + "/annotate")
        page.wait_for_load_state("load")
        # A study begins with its first step (consent), the others with their first item.
        assert page.locator("#annotation-form, form.phase, main h1").count(), page.url
        problems += [f"[{scheme} {width}px] {v}" for v in violations(page)]
        context.close()
    assert problems == [], "\n".join(problems)


def test_the_representative_examples_exist() -> None:
    assert ALL_MODES - set(EXAMPLES) == set()


def test_the_other_page_types_pass_axe(
    tmp_path: Path, browser: Browser, serve_app: Callable, make_app: Callable
) -> None:
    app = make_app(
        tmp_path,
        items=1,
        schemes=[radio("sentiment", ["positive", "negative"])],
        require_password=True,
        max_annotations_per_item=10,
        embedding_visualization={"enabled": True},
    )
    base = serve_app(app)
    problems: list[str] = []
    for scheme, width in MODES:
        context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 800})
        page = context.new_page()
        mode = f"[{scheme} {width}px]"
        for path in ("/login", "/register", "/forgot-password", "/no/such/page", "/api/v1/docs"):
            page.goto(base + path)
            problems += [f"{mode} {v}" for v in violations(page)]
        user = f"axe-{scheme}-{width}"
        page.goto(base + "/register")
        page.get_by_label("Username").fill(user)
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url(base + "/annotate")
        page.keyboard.press("1")
        page.keyboard.press("Enter")
        page.wait_for_url(base + "/done")  # the one item is done: the finished page
        problems += [f"{mode} {v}" for v in violations(page)]
        page.goto(base + "/admin")
        problems += [f"{mode} {v}" for v in violations(page)]  # the admin sign-in page
        page.fill("input[name=key]", ADMIN["X-API-Key"])
        page.get_by_role("button", name="Open the dashboard").click()
        page.wait_for_url(base + "/admin")
        for path in DASHBOARD:
            page.goto(base + path)
            problems += [f"{mode} {v}" for v in violations(page)]
        context.close()
    assert problems == [], "\n".join(problems)


def test_crowd_preview_and_adjudication_pages_pass_axe(
    tmp_path: Path, browser: Browser, serve_app: Callable
) -> None:
    mturk = serve_app(create_app(str(copy_example("mturk_hit", tmp_path))))
    judged = copy_example("adjudication", tmp_path)
    config = yaml.safe_load(judged.read_text())
    config["user_config"]["users"] = [{"username": "judge", "password": "judge-pw-123"}]
    config.setdefault("adjudication", {})["adjudicator_users"] = ["judge"]
    judged.write_text(yaml.safe_dump(config))
    adjudication = serve_app(create_app(str(judged)))
    problems: list[str] = []
    for scheme, width in MODES:
        context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 800})
        page = context.new_page()
        mode = f"[{scheme} {width}px]"
        page.goto(mturk + "/?assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&hitId=H1")
        problems += [f"{mode} {v}" for v in violations(page)]
        answer = page.request.post(
            adjudication + "/auth", form={"username": "judge", "password": "judge-pw-123"}
        )
        assert answer.ok, answer.text()
        page.goto(adjudication + "/adjudicate")
        assert page.locator("h1").first.inner_text() == "Adjudication"
        problems += [f"{mode} {v}" for v in violations(page)]
        context.close()
    assert problems == [], "\n".join(problems)


# The dashboard pages the CSP test visits, and the embedding map.
DASHBOARD = (*CSP_DASHBOARD, "/admin/embedding_map/")


@pytest.fixture
def make_app() -> Callable:
    """make_app(dir, items=5, schemes=None, **overrides) -> app of a fresh project in dir
    (serve_app closes it)."""

    def make(directory: Path, items: int = 5, schemes=None, **overrides):
        write_items(directory / "data.jsonl", items)
        config = base_config(assignment_strategy="fixed_order", **overrides)
        if schemes is not None:
            config["annotation_schemes"] = schemes
        return create_app(write_config(directory, config))

    return make
