"""`ranking` and `multirate`: wire format, validation with clear errors, page, agreement."""

from __future__ import annotations

import pytest

from potato_like.errors import ConfigError
from tests.conftest import ADMIN, current_id, login
from tests.web.comparison_util import PAIRS, comparison_app

RANKING = {
    "annotation_type": "ranking",
    "name": "quality",
    "labels": ["Response A", "Response B", "Response C"],
}
MULTIRATE = {
    "annotation_type": "multirate",
    "name": "awesomeness",
    "options": ["Option 1", "Option 2"],
    "labels": ["Disagree", "Neutral", "Agree"],
    "label_requirement": {"required": True},
}
ROWS = [{"id": f"i{i}", "text": f"text {i}"} for i in range(1, 4)]


def send(client, iid, **labels):
    return client.post("/updateinstance", json={"instance_id": iid, "annotations": labels})


def test_ranking_saves_a_full_order(tmp_path, open_app):
    app = comparison_app(tmp_path, open_app, ROWS, [RANKING])
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    order = "Response B,Response A,Response C"
    assert send(ann, iid, **{"quality:rank_order": order}).status_code == 200
    got = ann.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    assert got == {"quality": {"rank_order": order}}
    page = ann.get("/annotate").data.decode()
    assert page.index('data-value="Response B"') < page.index('data-value="Response A"')
    assert "js/ranking.js" in page


def test_ranking_script_is_loaded_only_when_used(make_project):
    ann = login(make_project().test_client(), "ann")
    assert "js/ranking.js" not in ann.get("/annotate").data.decode()


@pytest.mark.parametrize(
    "value, message",
    [
        ("Response A,Response B", "rank every label (missing: Response C)"),
        ("Response A,Response A,Response B,Response C", "Response A ranked more than once"),
        ("Response A,Response D,Response B", "unknown label 'Response D'"),
        ("Response A|Response B,Response C", "ties are not allowed"),
    ],
)
def test_ranking_bad_orders_are_refused(tmp_path, open_app, value, message):
    app = comparison_app(tmp_path, open_app, ROWS, [RANKING])
    ann = login(app.test_client(), "ann")
    r = send(ann, current_id(ann), **{"quality:rank_order": value})
    assert r.status_code == 400 and message in r.json["error"]


def test_ranking_ties_when_allowed(tmp_path, open_app):
    app = comparison_app(tmp_path, open_app, ROWS, [{**RANKING, "allow_ties": True}])
    ann = login(app.test_client(), "ann")
    r = send(ann, current_id(ann), **{"quality:rank_order": "Response A|Response B,Response C"})
    assert r.status_code == 200


def test_ranking_agreement_is_ordinal_on_ranks_with_kendalls_w(tmp_path, open_app):
    app = comparison_app(tmp_path, open_app, ROWS, [RANKING], max_annotations_per_item=2)
    orders = ["Response A,Response B,Response C", "Response B,Response A,Response C"]
    for name in ("ann", "bob"):
        c = login(app.test_client(), name)
        for n in range(3):
            iid = current_id(c)
            value = orders[n % 2] if name == "ann" else orders[0]
            assert send(c, iid, **{"quality:rank_order": value}).status_code == 200
            c.post("/go_to", json={"action": "next_instance"})
    entry = (
        app.test_client().get("/admin/api/agreement", headers=ADMIN).json["by_schema"]["quality"]
    )
    assert entry["metric_type"] == "ordinal"
    assert entry["items_evaluated"] == 3
    assert 0 < entry["kendall_w"]["mean"] <= 1


def test_multirate_rates_each_option(tmp_path, open_app):
    app = comparison_app(tmp_path, open_app, ROWS, [MULTIRATE])
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    page = ann.get("/annotate").data.decode()
    assert 'name="awesomeness:Option 1"' in page and page.count('type="radio"') == 6
    r = send(ann, iid, **{"awesomeness:Option 1": "Agree", "awesomeness:Option 2": "Neutral"})
    assert r.status_code == 200
    got = ann.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    assert got == {"awesomeness": {"Option 1": "Agree", "Option 2": "Neutral"}}
    r = send(ann, iid, **{"awesomeness:Option 3": "Agree"})
    assert r.status_code == 400 and "unknown option 'Option 3'" in r.json["error"]
    r = send(ann, iid, **{"awesomeness:Option 1": "Great"})
    assert r.status_code == 400 and "rating 'Great' is not one of" in r.json["error"]


def test_multirate_requires_every_option_when_required(tmp_path, open_app):
    app = comparison_app(tmp_path, open_app, ROWS, [MULTIRATE])
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = ann.post(
        "/updateinstance",
        json={"instance_id": iid, "annotations": {"awesomeness:Option 1": "Agree"}, "draft": False},
    )
    assert r.status_code == 400 and "missing: Option 2" in r.json["error"]


def test_multirate_export_columns(tmp_path, open_app):
    import csv
    import io

    app = comparison_app(tmp_path, open_app, ROWS, [MULTIRATE])
    ann = login(app.test_client(), "ann")
    send(
        ann,
        current_id(ann),
        **{"awesomeness:Option 1": "Agree", "awesomeness:Option 2": "Disagree"},
    )
    table = app.test_client().post("/admin/api/export", json={"format": "csv"}, headers=ADMIN).data
    row = next(csv.DictReader(io.StringIO(table.decode())))
    assert row["awesomeness:::Option 1"] == "Agree" and row["awesomeness:::Option 2"] == "Disagree"


def test_bad_ranking_and_multirate_configs(tmp_path, open_app):
    with pytest.raises(ConfigError) as err:
        comparison_app(
            tmp_path,
            open_app,
            PAIRS,
            [
                {"annotation_type": "ranking", "name": "r", "labels": ["only"]},
                {"annotation_type": "multirate", "name": "m", "labels": ["a"]},
            ],
        )
    text = "\n".join(err.value.problems)
    assert "a ranking needs at least 2 labels" in text
    assert "annotation_schemes[1].options: must be a non-empty list" in text
