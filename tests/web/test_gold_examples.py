"""The gold-label example projects: the seeded answers import, MACE finds the spammers of
example_projects/mace_demo, and example_projects/adjudication queues the disagreements."""

from __future__ import annotations

import json

from potato_like.potato_import.importer import import_potato_dir
from potato_like.quality.mace_runs import runner
from tests.conftest import ADMIN, REPO, login

MACE_DEMO = REPO / "example_projects" / "mace_demo"
ADJUDICATION = REPO / "example_projects" / "adjudication"


def seeded(example_project, source):
    app = example_project(source)
    project = app.extensions["potato_like"]
    report = import_potato_dir(project, source / "seed_annotations", apply=True)
    assert not report.problems
    return app


def test_mace_demo_finds_the_spammer_and_the_biased_annotator(example_project):
    app = seeded(example_project, MACE_DEMO)
    client = app.test_client()
    assert client.post("/admin/api/mace/trigger", headers=ADMIN).status_code == 200
    assert runner(app.extensions["potato_like"]).wait(30)
    body = client.get("/admin/api/mace/overview", headers=ADMIN).json
    competence = {u: v["average"] for u, v in body["annotator_competence"].items()}
    ranked = sorted(competence, key=competence.get)
    assert set(ranked[:2]) == {"spammer", "biased"}, competence
    predicted = client.get("/admin/api/mace/predictions?schema=sentiment", headers=ADMIN).json
    truth = json.loads((MACE_DEMO / "truth.json").read_text())
    right = sum(predicted["predicted_labels"][k] == v for k, v in truth.items())
    assert right >= 11, (right, predicted["predicted_labels"])


def test_adjudication_example_queues_the_disagreements(example_project):
    app = seeded(example_project, ADJUDICATION)
    judge = login(app.test_client(), "judge", "judge-demo-pw")
    queue = judge.get("/adjudicate/api/queue").json
    ids = {i["instance_id"] for i in queue["items"]}
    assert {"rev_01", "rev_03", "rev_07"} <= ids
    assert "rev_02" not in ids and "rev_06" not in ids  # unanimous
    page = judge.get("/adjudicate")
    assert page.status_code == 200
    similar = judge.get("/adjudicate/api/similar/rev_01").json
    assert similar["enabled"] and len(similar["similar_items"]) <= 3
