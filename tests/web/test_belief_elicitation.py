"""belief_elicitation: `schema:schema` = {"report": n} (0-100) or {"bins": [...]} summing to
100; mean report and pooled distribution on the questions page."""

import json

import pytest

from potato_like.errors import ConfigError
from potato_like.schemes.belief_elicitation import pooled_distribution
from tests.conftest import ADMIN
from tests.web.scale_util import annotator, page, refused, send, stored, wide_rows

POINT = {
    "annotation_type": "belief_elicitation",
    "name": "rain",
    "description": "How likely is rain tomorrow?",
    "step": 5,
}
BINS = {
    "annotation_type": "belief_elicitation",
    "name": "temp",
    "description": "Tomorrow's high temperature",
    "mode": "bins",
    "bins": ["below 10°C", "10-20°C", "above 20°C"],
}


def test_wire_format_and_bad_answers(make_project):
    app = make_project(schemes=[POINT, BINS])
    ann = annotator(app)
    assert "10-20°C" in page(ann)
    iid, r = send(
        ann,
        {"rain:rain": json.dumps({"report": 70}), "temp:temp": '{"bins": [20, 50, 30]}'},
        draft=False,
    )
    assert r.status_code == 200, r.json
    assert json.loads(stored(ann, iid, "rain")["rain"]) == {"report": 70}
    assert json.loads(stored(ann, iid, "temp")["temp"]) == {"bins": [20, 50, 30]}
    refused(
        ann, {"temp:temp": '{"bins": [20, 50, 40]}'}, "must sum to 100, they sum to 110", "temp"
    )
    refused(ann, {"temp:temp": '{"bins": [20, 80]}'}, "a list of 3 numbers", "temp")
    refused(ann, {"temp:temp": '{"bins": [-10, 80, 30]}'}, "whole number of 0 or more", "temp")
    refused(ann, {"temp:temp": '{"bins": [10.5, 59.5, 30]}'}, "whole number", "temp")
    refused(ann, {"rain:rain": '{"report": 101}'}, "between 0 and 100", "rain")
    refused(ann, {"rain:rain": '{"report": 72}'}, "multiple of 5", "rain")
    refused(ann, {"rain:rain": '{"report": "high"}'}, "must be a number", "rain")
    refused(ann, {"rain:rain": '{"bins": [100]}'}, "unknown key 'bins'", "rain")
    assert json.loads(wide_rows(app)[0]["temp:::temp"]) == {"bins": [20, 50, 30]}


def test_linear_opinion_pool_worked_example():
    """The equal-weight linear opinion pool (Stone 1961; Genest & Zidek 1986) averages the
    probabilities bin by bin: [20, 50, 30] and [40, 40, 20] pool to [30, 45, 25]."""
    assert pooled_distribution([[20, 50, 30], [40, 40, 20]]) == [30, 45, 25]


def test_questions_page_shows_mean_and_pooled_distribution(make_project):
    app = make_project(schemes=[POINT, BINS], max_annotations_per_item=5)
    iid = None
    for i, (report, bins) in enumerate(
        [(70, [20, 50, 30]), (40, [45, 35, 20]), (100, [0, 45, 55])]
    ):
        body = {
            "rain:rain": json.dumps({"report": report}),
            "temp:temp": json.dumps({"bins": bins}),
        }
        iid, r = send(annotator(app, f"r{i}"), body, draft=False, iid=iid)
        assert r.status_code == 200, r.json
    body = app.test_client().get("/admin/api/questions?fresh=1", headers=ADMIN).json
    qs = {q["name"]: q["model"] for q in body["questions"]}
    assert qs["rain"]["mean"] == 70 and qs["rain"]["median"] == 70
    assert qs["temp"]["pooled"] == {
        "below 10°C": round(65 / 3, 4),
        "10-20°C": round(130 / 3, 4),
        "above 20°C": 35,
    }
    assert qs["temp"]["most_weight"] == {"below 10°C": 1, "10-20°C": 1, "above 20°C": 1}


def test_config_problems(make_project):
    for bad, words in [
        ({**BINS, "bins": ["one"]}, "at least two bin labels"),
        ({**BINS, "bins": ["a", "a"]}, "must be distinct"),
        ({**POINT, "bins": ["a", "b"]}, "applies to mode: bins only"),
        ({**BINS, "step": 5}, "applies to mode: point only"),
        ({**POINT, "mode": "interval"}, "'interval' is not one of"),
    ]:
        with pytest.raises(ConfigError) as err:
            make_project(schemes=[bad])
        assert words in str(err.value), err.value
