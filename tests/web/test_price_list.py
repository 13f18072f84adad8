"""price_list: one JSON record `{"choices": [...]}` in `schema:schema`; the server derives
switches, the switching point, consistency and (Holt & Laury preset) the CRRA interval."""

import json

import pytest

from potato_like.errors import ConfigError
from potato_like.schemes.price_list import crra_bounds_table
from tests.conftest import ADMIN
from tests.web.scale_util import annotator, page, refused, send, stored, wide_rows

HL = {
    "annotation_type": "price_list",
    "name": "risk",
    "description": "Choose A or B in every row.",
    "preset": "holt_laury",
}
ROWS = {
    "annotation_type": "price_list",
    "name": "own",
    "description": "Which do you prefer?",
    "rows": [{"a": "$5 today", "b_pays": 6}, {"a": "$5 today", "b_pays": [[0.5, 12], [0.5, 0]]}],
    "single_switch": True,
}


def rec(choices):
    return json.dumps({"choices": choices, "switches": 99})  # client extras are recomputed


def test_holt_laury_record_is_completed_on_the_server(make_project):
    app = make_project(schemes=[HL])
    ann = annotator(app)
    html = page(ann)
    assert "10% chance of $2.00, 90% chance of $1.60" in html and "$3.85 for sure" in html
    iid, r = send(ann, {"risk:risk": rec(["A"] * 4 + ["B"] * 6)}, draft=False)
    assert r.status_code == 200, r.json
    got = json.loads(stored(ann, iid, "risk")["risk"])
    assert got["switches"] == 1 and got["switch_row"] == 5 and got["safe_choices"] == 4
    assert got["consistent"] is True and got["multiple_switching"] is False
    # Holt & Laury (2002), Table 3: four safe choices <=> -0.15 < r < 0.15
    assert got["crra"] == pytest.approx([-0.15, 0.15], abs=0.01)
    assert json.loads(wide_rows(app)[0]["risk:::risk"])["switch_row"] == 5


def test_bad_records_are_refused(make_project):
    app = make_project(schemes=[HL, ROWS])
    ann = annotator(app)
    refused(ann, {"risk:risk": rec(["A"] * 9)}, "9 choices for 10 rows", "risk")
    refused(ann, {"risk:risk": rec(["A"] * 9 + ["C"])}, "row 10 must be 'A', 'B' or null", "risk")
    refused(ann, {"risk:risk": json.dumps({"picks": []})}, "needs 'choices'", "risk")
    refused(ann, {"risk:risk": "{not json"}, "not valid JSON", "risk")
    refused(ann, {"own:own": rec(["B", "A"])}, "allows one switch, from A to B", "own")
    iid, r = send(ann, {"risk:risk": rec(["A", "B", "A"] + ["B"] * 7)})
    assert r.status_code == 200, r.json  # without single_switch: kept, marked inconsistent
    got = json.loads(stored(ann, iid, "risk")["risk"])
    assert (got["switches"], got["multiple_switching"], got["consistent"]) == (3, True, False)
    assert got["switch_row"] is None and got["crra"] is None


def test_crra_bounds_match_holt_laury_table_3():
    """Holt & Laury (2002, AER 92(5), Table 3): the CRRA ranges by number of safe choices are
    bounded by -0.95, -0.49, -0.15, 0.15, 0.41, 0.68, 0.97, 1.37 (rows 2..9 of the low-payoff
    table); row 10 has no bound (B dominates)."""
    bounds = crra_bounds_table()
    assert bounds[1:9] == pytest.approx(
        [-0.95, -0.49, -0.15, 0.15, 0.41, 0.68, 0.97, 1.37], abs=0.01
    )
    assert bounds[9] is None


def test_questions_page_counts_switching_points(make_project):
    app = make_project(schemes=[HL], max_annotations_per_item=5)
    iid = None
    for i, safe in enumerate([4, 4, 6]):
        iid, r = send(
            annotator(app, f"r{i}"),
            {"risk:risk": rec(["A"] * safe + ["B"] * (10 - safe))},
            draft=False,
            iid=iid,
        )
        assert r.status_code == 200, r.json
    body = app.test_client().get("/admin/api/questions?fresh=1", headers=ADMIN).json
    model = next(q for q in body["questions"] if q["name"] == "risk")["model"]
    assert model["switch_rows"] == {"5": 2, "7": 1}
    assert model["consistent"] == 3 and model["mean_safe_choices"] == pytest.approx(
        14 / 3, abs=1e-4
    )


def test_config_problems(make_project):
    for bad, words in [
        ({**HL, "rows": ROWS["rows"]}, "exactly one of preset"),
        ({**HL, "preset": "lottery"}, "'lottery' is not one of"),
        (
            {**ROWS, "rows": [{"a": "x", "b_pays": [[0.5, 1]]}, {"a": "y", "b": "z"}]},
            "summing to 1",
        ),
        ({**ROWS, "scale": 2}, "applies to presets only"),
        ({**HL, "preset": "time_preference", "amounts_later": [5]}, "at least two amounts"),
    ]:
        with pytest.raises(ConfigError) as err:
            make_project(schemes=[bad])
        assert words in str(err.value), err.value
