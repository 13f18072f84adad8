"""ego_network: Potato's stage config and wire format (`schema:schema` = JSON alters,
attributes, ties, census, ...), bad networks refused with the problem named, and network
measures (density, dyad census) on the dashboard."""

import json

import pytest

from potato_like.errors import ConfigError
from potato_like.schemes.ego_network import network_measures
from tests.web.scale_util import annotator, page, question, refused, send, stored, wide_rows

EGO = {
    "annotation_type": "ego_network",
    "name": "net",
    "description": "Your discussion network",
    "stages": [
        {
            "type": "name_generator",
            "id": "discuss",
            "prompt": "Who do you talk to?",
            "min_alters": 2,
            "max_alters": 4,
        },
        {
            "type": "name_interpreter",
            "id": "about",
            "required": True,
            "questions": [
                {"name": "closeness", "type": "radio", "labels": ["close", "not close"]},
                {"name": "years", "type": "number", "min": 0, "max": 80, "required": False},
            ],
        },
        {"type": "dyad_census", "id": "knows", "strength_labels": ["Weak", "Strong"]},
        {"type": "sociogram", "id": "draw"},
    ],
}


def net(**parts):
    base = {
        "alters": [
            {"id": "a1", "name": "Ann", "named_in": ["discuss"]},
            {"id": "a2", "name": "Bo", "named_in": ["discuss"]},
            {"id": "a3", "name": "Cy", "named_in": ["discuss"]},
        ],
        "attributes": {
            "a1": {"closeness": "close", "years": 12},
            "a2": {"closeness": "close"},
            "a3": {"closeness": "not close"},
        },
        "ties": [["a1", "a2"]],
        "positions": {"a1": [0.2, 0.3]},
        "census": {"a1|a2": True, "a1|a3": False, "a2|a3": False},
        "tie_attributes": {"a1|a2": {"strength": "Strong"}},
    }
    base.update(parts)
    return json.dumps(base)


def test_density_and_dyad_census_worked_example():
    """Wasserman & Faust (1994), Social Network Analysis, 4.2: density of an undirected
    graph = L / (g(g-1)/2). Worked by hand: 4 alters, ties a-b, b-c, a-c -> 3 / 6 = 0.5;
    dyad census: 3 connected (mutual) pairs, 3 unconnected (null); d is an isolate; two
    components ({a, b, c} and {d})."""
    m = network_measures(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("a", "c"), ("b", "a")])
    assert m["density"] == 0.5 and m["ties"] == 3
    assert (m["connected_pairs"], m["unconnected_pairs"]) == (3, 3)
    assert m["isolates"] == 1 and m["components"] == 2
    assert network_measures(["a"], [])["density"] is None


def test_ego_network_wire_format_and_bad_networks(make_project):
    app = make_project(items=2, schemes=[EGO])
    ann = annotator(app)
    html = page(ann)
    assert "js/ego-network.js" in html and 'data-stage="knows"' in html
    assert '"strength_labels": ["Weak", "Strong"]' in html  # the stage list for the page script
    iid, r = send(ann, {"net:net": net()}, draft=False)
    assert r.status_code == 200, r.json
    value = json.loads(stored(ann, iid, "net")["net"])
    assert value["ties"] == [["a1", "a2"]] and value["attributes"]["a1"]["years"] == 12
    refused(
        ann,
        {"net:net": net(ties=[["a1", "a3"]])},
        "'Ann' and 'Cy' are tied, but the census says they do not know each other",
        "net",
    )
    refused(
        ann,
        {"net:net": net(ties=[["a1", "zz"]])},
        "'a1|zz' must be 'a|b' with two alter ids",
        "net",
    )
    refused(
        ann,
        {"net:net": net(attributes={"a1": {"closeness": "best"}})},
        "'closeness' for 'Ann': 'best' is not one of close, not close",
        "net",
    )
    refused(
        ann,
        {"net:net": net(attributes={"a2": {"years": 99}}, census={})},
        "'years' for 'Bo': 99 is outside 0..80",
        "net",
    )
    refused(
        ann, {"net:net": net(attributes={"a2": {"mood": "x"}})}, "unknown question 'mood'", "net"
    )
    five = [{"id": f"p{i}", "name": f"P{i}", "named_in": ["discuss"]} for i in range(5)]
    refused(
        ann,
        {
            "net:net": net(
                alters=five, attributes={}, ties=[], census={}, positions={}, tie_attributes={}
            )
        },
        "at most 4",
        "net",
    )
    dup = [{"id": "a1", "name": "Ann"}, {"id": "a1", "name": "Bo"}]
    refused(ann, {"net:net": net(alters=dup)}, "id 'a1' is used twice", "net")
    refused(
        ann,
        {"net:net": net(tie_attributes={"a1|a2": {"strength": "Huge"}})},
        "'strength'='Huge' of 'a1|a2' is not one of the strength_labels",
        "net",
    )
    refused(ann, {"net:net": net(positions={"a1": [2, 0]})}, "must be [x, y] in 0..1", "net")
    refused(ann, {"net:net": "nope"}, "not valid JSON", "net")


def test_submit_needs_every_stage_done(make_project):
    app = make_project(items=1, schemes=[EGO])
    ann = annotator(app)
    one = [{"id": "a1", "name": "Ann", "named_in": ["discuss"]}]
    refused(
        ann,
        {
            "net:net": net(
                alters=one, attributes={}, ties=[], census={}, positions={}, tie_attributes={}
            )
        },
        "Name people: name at least 2 people (1 so far)",
        "net",
        draft=False,
    )
    refused(
        ann,
        {"net:net": net(attributes={"a1": {"closeness": "close"}})},
        "'closeness' is not answered for Bo, Cy",
        "net",
        draft=False,
    )
    refused(
        ann,
        {"net:net": net(census={"a1|a2": True})},
        "Who knows whom: 1 of 3 pairs answered",
        "net",
        draft=False,
    )


def test_bad_stage_config_is_named(tmp_path):
    from potato_like.config import load_config
    from tests.conftest import base_config, write_config, write_items

    write_items(tmp_path / "data.jsonl", 1)
    bad = {
        **EGO,
        "stages": [
            {"type": "dyad_census"},
            {"type": "name_generator", "min_alters": 3, "max_alters": 2},
            {"type": "party"},
        ],
    }
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path, base_config(annotation_schemes=[bad])))
    text = "\n".join(err.value.problems)
    assert "dyad_census comes before any name_generator stage" in text
    assert "max_alters: is less than min_alters" in text
    assert "stages[2].type" in text


def test_networks_on_dashboard_and_export(make_project):
    app = make_project(items=1, schemes=[EGO])
    for name, ties in (("r1", [["a1", "a2"]]), ("r2", [])):
        ann = annotator(app, name)
        census = {"a1|a2": bool(ties), "a1|a3": False, "a2|a3": False}
        _, r = send(ann, {"net:net": net(ties=ties, census=census)}, draft=False)
        assert r.status_code == 200, r.json
    q = question(app, "net")
    assert q["summary"]["networks"] == 2 and q["summary"]["mean_density"] == pytest.approx(0.167)
    assert q["summary"]["connected_pairs"] == 1 and q["summary"]["unconnected_pairs"] == 5
    rows = q["model"]["tables"][0]["rows"]
    assert sorted(r[3] for r in rows) == [0.0, 0.333]
    assert json.loads(wide_rows(app)[0]["answer:net"])["census"]["a1|a3"] is False


def test_roster_from_the_item(tmp_path):
    from potato_like import create_app
    from tests.conftest import base_config, write_config

    row = {"id": "i1", "text": "t", "staff": ["Dana", "Eli"]}
    (tmp_path / "r.jsonl").write_text(json.dumps(row) + "\n")
    stages = [{"type": "name_generator", "id": "work", "roster_field": "staff"}]
    scheme = {**EGO, "stages": stages}
    app = create_app(write_config(tmp_path, base_config("r.jsonl", annotation_schemes=[scheme])))
    app.config["TESTING"] = True
    ann = annotator(app)
    assert '"roster": ["Dana", "Eli"]' in page(ann)
    ok = {"alters": [{"id": "a1", "name": "Dana", "named_in": ["work"]}]}
    _, r = send(ann, {"net:net": json.dumps(ok)})
    assert r.status_code == 200, r.json
    bad = {"alters": [{"id": "a1", "name": "Zed", "named_in": ["work"]}]}
    refused(ann, {"net:net": json.dumps(bad)}, "'Zed' is not on the roster of 'work'", "net")
