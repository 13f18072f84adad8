"""free_list: Potato's wire format (`schema:schema` = JSON items + timings), bad lists refused
with the problem named, export columns, and salience on the dashboard checked against a worked
example."""

import csv
import io
import json

import pytest

from potato_like.errors import ConfigError
from potato_like.schemes.free_list import normalize_item, salience
from tests.conftest import ADMIN
from tests.web.scale_util import annotator, page, question, refused, send, stored, wide_rows

FRUIT = {
    "annotation_type": "free_list",
    "name": "fruit",
    "description": "List all the fruits you can think of",
    "min_items": 2,
    "max_items": 5,
    "allow_duplicates": False,
    "normalize": True,
}


def fl(items, times=None, **extra):
    times = times if times is not None else [1000 * (i + 1) for i in range(len(items))]
    return json.dumps(
        {
            "items": items,
            "timings_ms": times,
            "elapsed_ms": max(times, default=0),
            "time_up": False,
            "started": True,
            **extra,
        }
    )


def test_salience_worked_example():
    """Smith's S and Sutrop's CSI on four lists, worked by hand from the formulas
    (Smith 1993, "Using ANTHROPAC 3.5 and a spreadsheet to compute a free-list salience
    index", Cultural Anthropology Methods 5(3):1-3: S_j = sum_i (L_i - r_ij + 1)/L_i / N;
    Sutrop 2001, "List task and a cognitive salience index", Field Methods 13(3):263-276:
    CSI_j = F_j / (N * mean rank)).
      lists: [apple, banana, cherry], [banana, apple], [apple, date, banana, cherry], []
      apple:  (3/3 + 1/2 + 4/4) / 4 = 2.5/4 = 0.625;  CSI = 3 / (4 * (1+2+1)/3) = 0.5625
      banana: (2/3 + 2/2 + 2/4) / 4 = 2.1667/4 = 0.5417; CSI = 3 / (4 * 2) = 0.375
      cherry: (1/3 + 1/4) / 4 = 0.1458; CSI = 2 / (4 * 3.5) = 0.1429
      date:   (3/4) / 4 = 0.1875;  CSI = 1 / (4 * 2) = 0.125"""
    rows = {
        r["item"]: r
        for r in salience(
            [
                ["apple", "banana", "cherry"],
                ["banana", "apple"],
                ["apple", "date", "banana", "cherry"],
                [],
            ]
        )
    }
    assert rows["apple"]["smith_s"] == pytest.approx(0.625)
    assert rows["apple"]["sutrop_csi"] == pytest.approx(0.5625)
    assert rows["apple"]["mean_rank"] == pytest.approx(4 / 3)
    assert rows["banana"]["smith_s"] == pytest.approx((2 / 3 + 1 + 0.5) / 4)
    assert rows["banana"]["sutrop_csi"] == pytest.approx(0.375)
    assert rows["cherry"]["smith_s"] == pytest.approx((1 / 3 + 1 / 4) / 4)
    assert rows["cherry"]["sutrop_csi"] == pytest.approx(2 / 14)
    assert rows["date"]["smith_s"] == pytest.approx(0.1875)
    assert rows["date"]["pct_lists"] == pytest.approx(25.0)
    assert [r["item"] for r in salience([["a", "b"], ["b", "a"], ["b"]])] == ["b", "a"]
    # a repeat counts once, at its first rank; the list's length is its distinct items
    assert salience([["a", "b", "a"]])[1]["smith_s"] == pytest.approx(0.5)


def test_normalising_merges_case_and_spaces():
    assert normalize_item("  Red   Apple ", ["lowercase", "trim"]) == "red apple"
    assert normalize_item("Red Apple", ["trim"]) == "Red Apple"


def test_free_list_wire_format_and_bad_lists(make_project):
    app = make_project(items=3, schemes=[FRUIT])
    ann = annotator(app)
    html = page(ann)
    assert "js/free-list.js" in html and 'data-max-items="5"' in html
    iid, r = send(ann, {"fruit:fruit": fl(["Apple", " kiwi  fruit "], [1200, 3400])})
    assert r.status_code == 200, r.json
    value = json.loads(stored(ann, iid, "fruit")["fruit"])
    assert value["items"] == ["Apple", "kiwi fruit"]  # as typed, spaces squashed
    assert value["timings_ms"] == [1200, 3400]
    assert 'data-item="kiwi fruit"' in page(ann)  # shown again after reload
    refused(ann, {"fruit:fruit": fl(["apple", "APPLE "])}, "'APPLE' is listed twice", "fruit")
    refused(ann, {"fruit:fruit": fl(list("abcdef"))}, "at most 5", "fruit")
    refused(
        ann,
        {"fruit:fruit": fl(["a", "b"], [3000, 1000])},
        "item 2 ('b') has an earlier time",
        "fruit",
    )
    refused(ann, {"fruit:fruit": fl(["a", "b"], [1000])}, "one time per item", "fruit")
    refused(ann, {"fruit:fruit": fl(["a", ""])}, "item 2 must be non-empty text", "fruit")
    refused(ann, {"fruit:fruit": fl(["a"], [-5])}, "ms >= 0", "fruit")
    refused(ann, {"fruit:fruit": "[not json"}, "not valid JSON", "fruit")
    refused(ann, {"fruit:other": fl(["a"])}, "unknown label 'other'", "fruit")
    refused(
        ann, {"fruit:fruit": fl(["a"])}, "list at least 2 items (1 so far)", "fruit", draft=False
    )


def test_time_limit_refuses_late_items(make_project):
    app = make_project(items=2, schemes=[{**FRUIT, "time_limit_s": 30, "min_items": None}])
    ann = annotator(app)
    _, r = send(ann, {"fruit:fruit": fl(["a", "b"], [1000, 31000])})
    assert r.status_code == 200, r.json  # inside the 2 s grace
    refused(
        ann,
        {"fruit:fruit": fl(["a", "b"], [1000, 45000])},
        "'b' was added after the time limit (30 s)",
        "fruit",
    )
    assert 'data-time-limit-ms="30000"' in page(ann)


def test_bad_config_is_named(tmp_path):
    from potato_like.config import load_config
    from tests.conftest import base_config, write_config, write_items

    write_items(tmp_path / "data.jsonl", 2)
    bad = {**FRUIT, "min_items": 6, "normalize": "uppercase"}
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path, base_config(annotation_schemes=[bad])))
    text = "\n".join(err.value.problems)
    assert "min_items" in text and "larger than max_items" in text
    assert "normalize" in text


def test_dashboard_salience_export_and_analysis_csv(make_project):
    app = make_project(items=1, schemes=[FRUIT])
    lists = [
        ["Apple", "banana", "cherry"],
        ["banana", "apple"],
        ["apple", "date", "banana ", "cherry"],
    ]
    for n, items in enumerate(lists):
        ann = annotator(app, f"r{n}")
        _, r = send(ann, {"fruit:fruit": fl(items)}, draft=False)
        assert r.status_code == 200, r.json
    q = question(app, "fruit")
    table = q["model"]["tables"][0]
    rows = {row[0]: row for row in table["rows"]}
    assert rows["apple"][1] == 3  # "Apple" and "apple" merged by normalize
    assert rows["apple"][4] == pytest.approx(round((1 + 0.5 + 1) / 3, 4))
    assert rows["banana"][3] == pytest.approx(round((2 + 1 + 3) / 3, 3))
    assert q["summary"]["lists"] == 3 and q["summary"]["mean_seconds_per_item"] == 1.0
    admin = app.test_client()
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"]})
    html = admin.get("/admin/questions/").data.decode()
    assert 'data-testid="model-fruit-salience-' in html and '<th scope="row">apple</th>' in html
    wide = wide_rows(app)
    assert json.loads(wide[0]["fruit:::fruit"])["items"] == lists[0]
    assert json.loads(wide[0]["answer:fruit"])["timings_ms"] == [1000, 2000, 3000]
    body = (
        app.test_client()
        .post("/admin/api/export", json={"format": "analysis_csv"}, headers=ADMIN)
        .data.decode()
    )
    cells = list(csv.DictReader(io.StringIO(body)))
    s = next(c for c in cells if c["row"] == "apple" and c["column"] == "S")
    assert float(s["value"]) == pytest.approx(0.8333, abs=1e-4)
    assert s["schema"] == "fruit"
