"""list_experiment: `schema:number` is the count; the server assigns each annotator to the
control or treatment list, records it, and estimates prevalence by difference in means."""

import math

import pytest
from scipy import stats

from potato_like.schemes.list_experiment import assigned_group, welch_difference
from tests.conftest import ADMIN
from tests.web.scale_util import annotator, page, refused, send, stored, wide_rows

SENSITIVE = "I have driven after drinking in the last year."
LIST = {
    "annotation_type": "list_experiment",
    "name": "lists",
    "description": "How many of these statements are true for you?",
    "items": ["I own a bicycle.", "I went to a concert this year.", "I read a newspaper daily."],
    "sensitive_item": SENSITIVE,
    "treatment": {"factor": "list_group", "level": "treatment"},
}


def _people(app, n=12):
    """Annotators named so that both groups are present (the draw is seeded)."""
    names = [f"p{i}" for i in range(n)]
    return {name: assigned_group(app_seed(app), "lists", name) for name in names}


def app_seed(app):
    return app.extensions["potato_like"].config.random_seed


def test_the_group_decides_the_list_and_is_recorded(make_project):
    app = make_project(schemes=[LIST], max_annotations_per_item=20)
    groups = _people(app)
    assert set(groups.values()) == {"control", "treatment"}
    for name, group in groups.items():
        client = annotator(app, name)
        html = page(client)
        assert (SENSITIVE in html) == (group == "treatment"), name
        assert f'max="{4 if group == "treatment" else 3}"' in html
        iid, r = send(client, {"lists:number": "2"}, draft=False)
        assert r.status_code == 200, r.json
        assert stored(client, iid, "lists") == {"number": "2", "group": group}
    rows = {r["user"]: r for r in wide_rows(app)}
    assert rows["p0"]["lists:::group"] == groups["p0"] and rows["p0"]["lists:::number"] == "2"


def test_bad_counts_and_foreign_groups_are_refused(make_project):
    app = make_project(schemes=[LIST], max_annotations_per_item=20)
    groups = _people(app)
    control = next(n for n, g in groups.items() if g == "control")
    treated = next(n for n, g in groups.items() if g == "treatment")
    c, t = annotator(app, control), annotator(app, treated)
    refused(c, {"lists:number": "4"}, "between 0 and 3", "lists")
    refused(t, {"lists:number": "5"}, "between 0 and 4", "lists")
    refused(t, {"lists:number": "-1"}, "between 0 and 4", "lists")
    refused(t, {"lists:number": "1.5"}, "whole number", "lists")
    refused(t, {"lists:number": "many"}, "whole number", "lists")
    refused(c, {"lists:number": "1", "lists:group": "treatment"}, "assigned by the server", "lists")
    refused(c, {"lists:which": "1"}, "unknown label 'which'", "lists")
    _, r = send(t, {"lists:number": "4"})
    assert r.status_code == 200, r.json


def test_welch_estimate_matches_a_worked_example_and_scipy():
    """Worked example (numbers by hand from the difference-in-means estimator, Blair & Imai
    2012, eq. 1; Welch 1947 for the SE): treatment counts 2,3,3,4,1,2 (mean 2.5, s^2 =
    1.1), control 1,2,2,1,3 (mean 1.8, s^2 = 0.7): estimate 0.7, SE = sqrt(1.1/6 + 0.7/5)
    = sqrt(0.32333) = 0.56862. scipy's Welch t-test gives the same t = 0.7 / SE."""
    treat, control = [2, 3, 3, 4, 1, 2], [1, 2, 2, 1, 3]
    got = welch_difference(treat, control)
    assert got["estimate"] == pytest.approx(0.7)
    assert got["se"] == pytest.approx(math.sqrt(1.1 / 6 + 0.7 / 5))
    assert got["se"] == pytest.approx(0.56862, abs=1e-5)
    welch = stats.ttest_ind(treat, control, equal_var=False)
    assert got["estimate"] / got["se"] == pytest.approx(welch.statistic)
    assert got["df"] == pytest.approx(welch.df)
    assert welch_difference([1], [1, 2])["note"].startswith("needs at least two")


def test_the_questions_page_shows_the_estimate(make_project):
    app = make_project(schemes=[LIST], max_annotations_per_item=40)
    groups = _people(app, 30)
    answers = {"treatment": iter([2, 3, 3, 4, 1, 2] * 5), "control": iter([1, 2, 2, 1, 3] * 6)}
    sent = {"treatment": [], "control": []}
    iid = None
    for name, group in groups.items():
        count = next(answers[group])
        sent[group].append(count)
        iid, r = send(annotator(app, name), {"lists:number": str(count)}, draft=False, iid=iid)
        assert r.status_code == 200, r.json
    body = app.test_client().get("/admin/api/questions?fresh=1", headers=ADMIN).json
    q = next(q for q in body["questions"] if q["name"] == "lists")
    expected = welch_difference(sent["treatment"], sent["control"])
    assert q["model"]["estimate"] == round(expected["estimate"], 4)
    assert q["model"]["se"] == round(expected["se"], 4)
    assert q["model"]["n_treatment"] + q["model"]["n_control"] == 30
    assert q["summary"] == {"control": len(sent["control"]), "treatment": len(sent["treatment"])}
    admin = app.test_client()
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"]})
    html = admin.get("/admin/questions/").data.decode()
    figures = html.split('data-testid="model-lists"')[1].split("</dl>")[0]
    assert f"<dt>estimate</dt>\n    <dd>{q['model']['estimate']}</dd>" in figures
    assert f"<dd>{q['model']['se']}</dd>" in figures
