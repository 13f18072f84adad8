"""bdm: `schema:schema` = {"bid": n}; the server draws the price when the bid is saved,
records it with the outcome, and refuses later changes to the bid."""

import json

import pytest

from potato_like.errors import ConfigError
from potato_like.schemes.bdm import bdm_outcome
from tests.conftest import ADMIN
from tests.web.scale_util import annotator, page, refused, send, stored, wide_rows

BDM = {
    "annotation_type": "bdm",
    "name": "wtp",
    "description": "What is the most you would pay for this mug?",
    "min": 0,
    "max": 5,
    "step": 0.25,
}


def bid(x, **extra):
    return json.dumps({"bid": x, **extra})


def test_the_price_is_drawn_on_the_server_and_the_bid_is_final(make_project):
    app = make_project(schemes=[BDM])
    ann = annotator(app)
    assert "Price drawn" not in page(ann)
    iid, r = send(ann, {"wtp:wtp": bid(2.5)})
    assert r.status_code == 200, r.json
    rec = json.loads(stored(ann, iid, "wtp")["wtp"])
    assert rec["bid"] == 2.5 and 0 <= rec["price"] <= 5
    assert (rec["price"] / 0.25) == int(rec["price"] / 0.25)  # on the step grid
    assert rec["buys"] == (rec["price"] <= 2.5)
    assert rec["pays"] == (rec["price"] if rec["buys"] else 0)
    # shown after the save (and after a reload): the price and the outcome
    assert f"Price drawn: ${rec['price']:.2f}" in page(ann)
    refused(ann, {"wtp:wtp": bid(3)}, "the bid is final once the price is drawn", "wtp")
    refused(ann, {"wtp:wtp": ""}, "the bid is final", "wtp")
    # the page sends the stored record back with every autosave: accepted, unchanged
    _, r = send(ann, {"wtp:wtp": stored(ann, iid, "wtp")["wtp"]}, draft=False)
    assert r.status_code == 200, r.json
    assert json.loads(stored(ann, iid, "wtp")["wtp"]) == rec
    assert json.loads(wide_rows(app)[0]["wtp:::wtp"])["price"] == rec["price"]


def test_bad_bids_are_refused(make_project):
    app = make_project(schemes=[BDM])
    ann = annotator(app)
    refused(ann, {"wtp:wtp": bid(6)}, "between 0 and 5, got 6", "wtp")
    refused(ann, {"wtp:wtp": bid(-1)}, "between 0 and 5", "wtp")
    refused(ann, {"wtp:wtp": bid(1.1)}, "multiple of 0.25", "wtp")
    refused(ann, {"wtp:wtp": bid("2")}, "must be a number", "wtp")
    refused(ann, {"wtp:wtp": bid(2, price=0)}, "drawn by the server", "wtp")
    refused(ann, {"wtp:wtp": json.dumps({"offer": 2})}, "unknown key 'offer'", "wtp")


def test_the_bdm_rule():
    """Becker, DeGroot & Marschak (1964): the respondent buys whenever the random price is
    at or below the bid, and pays the price, not the bid, so bidding one's true value is
    optimal. Bid 4.50 against price 3.25: buys, pays 3.25; against 4.75: does not buy."""
    assert bdm_outcome(4.5, 3.25) == {"price": 3.25, "buys": True, "pays": 3.25}
    assert bdm_outcome(4.5, 4.75) == {"price": 4.75, "buys": False, "pays": 0}
    assert bdm_outcome(4.5, 4.5)["buys"] is True


def test_prices_cover_the_grid_uniformly(make_project):
    app = make_project(schemes=[{**BDM, "step": 1}])
    scheme = app.extensions["potato_like"].config.scheme("wtp")
    draws = [scheme.draw_price() for _ in range(3000)]
    assert set(draws) == {0, 1, 2, 3, 4, 5}
    assert all(abs(draws.count(x) / 3000 - 1 / 6) < 0.04 for x in set(draws))


def test_questions_page_shows_bids_and_outcomes(make_project):
    app = make_project(schemes=[BDM], max_annotations_per_item=5)
    iid, recs = None, []
    for i, x in enumerate([1, 2, 5]):
        client = annotator(app, f"r{i}")
        iid, r = send(client, {"wtp:wtp": bid(x)}, draft=False, iid=iid)
        assert r.status_code == 200, r.json
        recs.append(json.loads(stored(client, iid, "wtp")["wtp"]))
    body = app.test_client().get("/admin/api/questions?fresh=1", headers=ADMIN).json
    model = next(q for q in body["questions"] if q["name"] == "wtp")["model"]
    assert model["bids"] == 3 and model["mean_bid"] == pytest.approx(8 / 3, abs=1e-4)
    assert model["share_buying"] == round(sum(r["buys"] for r in recs) / 3, 4)


def test_config_problems(make_project):
    for bad, words in [
        ({**BDM, "max": None}, "max: is required"),
        ({**BDM, "max": 0}, "must be above min"),
        ({**BDM, "step": 10}, "no larger than max - min"),
        ({**BDM, "input": "dial"}, "'dial' is not one of"),
    ]:
        with pytest.raises(ConfigError) as err:
            make_project(schemes=[bad])
        assert words in str(err.value), err.value
