"""randomized_response: a radio pair (Potato's labels); the prevalence estimate of the
forced-response and crosswise designs on the questions page."""

import math

import pytest

from potato_like.errors import ConfigError
from potato_like.schemes.randomized_response import crosswise_estimate, forced_response_estimate
from tests.conftest import ADMIN
from tests.web.scale_util import annotator, page, refused, send, stored, wide_rows

FORCED = {
    "annotation_type": "randomized_response",
    "name": "cheat",
    "description": "A question about exams",
    "question": "Have you ever cheated in an exam?",
}
SAME = "Both statements are true, or neither is"
CROSS = {
    "annotation_type": "randomized_response",
    "name": "cross",
    "description": "Two statements",
    "method": "crosswise",
    "question": "I have evaded taxes.",
    "nonsensitive_statement": "My mother was born in January, February or March.",
    "nonsensitive_prevalence": 0.25,
}


def test_wire_format_and_bad_answers(make_project):
    app = make_project(schemes=[FORCED, CROSS])
    ann = annotator(app)
    html = page(ann)
    assert "mother was born in" in html and "Have you ever cheated" in html
    assert f'value="{SAME}"' in html
    iid, r = send(ann, {"cheat:Yes": "1", f"cross:{SAME}": "1"}, draft=False)
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "cheat") == {"Yes": "1"}
    assert stored(ann, iid, "cross") == {SAME: "1"}
    refused(ann, {"cheat:Maybe": "1"}, "unknown label 'Maybe'", "cheat")
    refused(ann, {"cheat:Yes": "1", "cheat:No": "1"}, "choose one label", "cheat")
    assert wide_rows(app)[0]["cheat:::Yes"] == "1"


def test_estimators_match_worked_examples():
    """Forced response (Boruch 1971; Potato's default rule p_truth = 2/3, p_yes = 1/6): 180
    "Yes" of 600, λ = 0.3: π = (0.3 - 1/6) / (2/3) = 0.2, SE = sqrt(0.3·0.7/600) / (2/3)
    = 0.028062. Crosswise (Yu, Tian & Tang 2008): 600 "both or neither"
    of 1000, p = 0.25: π = (0.6 + 0.25 - 1) / (2·0.25 - 1) = 0.3, SE = sqrt(0.6·0.4/1000)
    / |-0.5| = 0.030984. Worked by hand from the published formulas."""
    f = forced_response_estimate(180, 600, 2 / 3, 1 / 6)
    assert f["estimate"] == pytest.approx(0.2)
    assert f["se"] == pytest.approx(0.028062, abs=1e-6)
    c = crosswise_estimate(600, 1000, 0.25)
    assert c["estimate"] == pytest.approx(0.3)
    assert c["se"] == pytest.approx(0.030984, abs=1e-6)
    assert c["ci95"] == pytest.approx([0.3 - 1.96 * 0.030984, 0.3 + 1.96 * 0.030984], abs=1e-5)
    # Warner (1965) with p = 0.7 is the same estimator: λ = 0.58 -> π = 0.28/0.4 = 0.7
    assert crosswise_estimate(58, 100, 0.7)["estimate"] == pytest.approx(0.7)
    assert math.isclose(crosswise_estimate(58, 100, 0.7)["se"], math.sqrt(0.58 * 0.42 / 100) / 0.4)


def test_the_questions_page_estimates_prevalence(make_project):
    app = make_project(schemes=[FORCED, CROSS], max_annotations_per_item=10)
    iid = None
    # 3 of 6 say Yes: λ = 0.5 -> π = (0.5 - 1/6) / (2/3) = 0.5; 4 of 6 "same": λ = 2/3,
    # π = (2/3 + 0.25 - 1) / (-0.5) = 1/6
    for i in range(6):
        body = {f"cheat:{'Yes' if i < 3 else 'No'}": "1"}
        body[f"cross:{SAME if i < 4 else 'Exactly one statement is true'}"] = "1"
        iid, r = send(annotator(app, f"r{i}"), body, draft=False, iid=iid)
        assert r.status_code == 200, r.json
    body = app.test_client().get("/admin/api/questions?fresh=1", headers=ADMIN).json
    qs = {q["name"]: q for q in body["questions"]}
    assert qs["cheat"]["model"]["estimate"] == pytest.approx(0.5)
    assert qs["cheat"]["model"]["se"] == round(math.sqrt(0.25 / 6) * 1.5, 4)
    assert qs["cross"]["model"]["estimate"] == pytest.approx(1 / 6, abs=1e-4)
    assert qs["cheat"]["distribution"] == {"Yes": 3, "No": 3}


def test_config_problems(make_project):
    for bad, words in [
        ({**FORCED, "p_truth": 0.5}, "p_truth + p_yes + p_no must be 1"),
        ({**CROSS, "nonsensitive_prevalence": 0.5}, "not 0.5"),
        ({**CROSS, "nonsensitive_statement": None}, "nonsensitive_statement: is required"),
        ({**FORCED, "method": "warner"}, "'warner' is not one of"),
    ]:
        with pytest.raises(ConfigError) as err:
            make_project(schemes=[bad])
        assert words in str(err.value), err.value
