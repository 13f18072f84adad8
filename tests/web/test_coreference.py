"""coreference: chains over spans of a span scheme, sent as Potato's link entries; mentions
exist, belong to one chain, entity types are known; deleting a span prunes its chain; MUC,
B³, CEAF-e agreement over mention offsets."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ADMIN, base_config, current_id, login, write_config

TEXT = "John Smith went to the store. He bought some milk. The CEO said he was pleased."
SCHEMES = [
    {"annotation_type": "span", "name": "mentions", "labels": ["PERSON", "ORG"]},
    {
        "annotation_type": "coreference",
        "name": "coref",
        "description": "Group mentions of one entity",
        "span_schema": "mentions",
        "entity_types": ["PERSON", "ORG"],
        "allow_singletons": False,
    },
]


def span(text: str, nth: int = 0, label: str = "PERSON") -> dict:
    at = -1
    for _ in range(nth + 1):
        at = TEXT.index(text, at + 1)
    return {"id": f"m_{at}", "label": label, "start": at, "end": at + len(text)}


JOHN, HE, CEO, HE2 = span("John Smith"), span("He"), span("The CEO"), span("he", 0)


@pytest.fixture
def app(tmp_path, open_app):
    with (tmp_path / "data.jsonl").open("w") as fh:
        for i in (1, 2):
            fh.write(json.dumps({"id": f"c{i}", "text": TEXT}) + "\n")
    config = base_config(annotation_schemes=SCHEMES, assignment_strategy="fixed_order")
    return open_app(write_config(tmp_path, config))


def save(client, iid, spans, chains):
    body = {
        "instance_id": iid,
        "span_annotations": {"mentions": spans},
        "link_annotations": {"coref": chains},
    }
    return client.post("/updateinstance", json=body)


def chain(*spans, kind="PERSON", **extra):
    # Potato's coreference page: link entries with link_type = entity type
    return {"schema": "coref", "link_type": kind, "span_ids": [s["id"] for s in spans], **extra}


def stored(client, iid):
    got = client.get(f"/get_annotations?instance_id={iid}").json
    return [e for e in got.get("link_annotations", []) if e["schema"] == "coref"]


def test_page_loads_the_chain_module_after_the_span_script(app):
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    assert 'data-type="coreference"' in page
    assert page.index("js/spans.js") < page.index("js/coreference.js")


def test_a_chain_is_stored_with_its_mentions_offsets(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = save(ann, iid, [JOHN, HE, CEO], [chain(HE, JOHN)])
    assert r.status_code == 200, r.json
    [got] = stored(ann, iid)
    assert got["span_ids"] == [JOHN["id"], HE["id"]]  # in text order
    assert got["mentions"] == [[0, 10], [HE["start"], HE["end"]]]
    assert got["link_type"] == "PERSON" and got["direction"] == "undirected"


@pytest.mark.parametrize(
    ("chains", "problem"),
    [
        ([chain(JOHN)], "at least 2 mentions (allow_singletons is false)"),
        ([chain(JOHN, HE, kind="LOC")], "unknown entity type 'LOC'"),
        ([chain(JOHN, {"id": "nope"})], "span 'nope' does not exist"),
        ([chain(JOHN, HE), chain(HE, CEO)], "already in chain"),
        ([chain(JOHN, JOHN)], "appears twice"),
        ([{"schema": "coref", "span_ids": "m_0"}], "'span_ids' must be a list"),
    ],
)
def test_bad_chains_are_refused_and_nothing_is_written(app, chains, problem):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = save(ann, iid, [JOHN, HE, CEO], chains)
    assert r.status_code == 400 and problem in r.json["error"], r.json
    got = ann.get(f"/get_annotations?instance_id={iid}").json
    assert not got.get("span_annotations") and not stored(ann, iid)


def test_deleting_a_mention_prunes_its_chain(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    assert save(ann, iid, [JOHN, HE, CEO], [chain(JOHN, HE, CEO)]).status_code == 200
    r = ann.post(
        "/updateinstance", json={"instance_id": iid, "span_annotations": {"mentions": [JOHN, HE]}}
    )
    assert r.status_code == 200
    assert stored(ann, iid)[0]["span_ids"] == [JOHN["id"], HE["id"]]
    r = ann.post(
        "/updateinstance", json={"instance_id": iid, "span_annotations": {"mentions": [JOHN]}}
    )
    assert r.status_code == 200 and stored(ann, iid) == []  # one mention left: no chain


def test_agreement_is_muc_b_cubed_and_ceaf_over_mention_offsets(app):
    # Both annotators mark the same mentions (with their own span ids) and group them
    # differently on c1; on c2 they agree. c1: ann {John, He, he}, {CEO}... as two chains.
    answers = {
        "ann": ([JOHN, HE, CEO, HE2], [chain(JOHN, HE), chain(CEO, HE2)]),
        "bob": (
            [dict(s, id=f"b{i}") for i, s in enumerate([JOHN, HE, CEO, HE2])],
            [{"schema": "coref", "link_type": "PERSON", "span_ids": ["b0", "b1", "b3"]}],
        ),
    }
    for name, (spans, chains) in answers.items():
        client = login(app.test_client(), name)
        for _ in range(2):
            iid = current_id(client)
            assert save(client, iid, spans, chains).status_code == 200
            client.post("/go_to", json={"action": "next_instance"})
    report = app.test_client().get("/admin/api/agreement", headers=ADMIN).json
    entry = report["by_schema"]["coref"]
    # key (ann) {J,H},{C,h}; response (bob) {J,H,h}: MUC recall (1 + 1) / 2 = 1...
    # computed by coref_scores (tested by hand in tests/unit/test_coref_scores.py)
    from potato_like.quality.coref_scores import scores

    expected = scores([{"J", "H"}, {"C", "h"}], [{"J", "H", "h"}])
    assert entry["pairwise_scores"] == {k: round(v, 4) for k, v in expected.items()}
    assert entry["annotator_pairs"] == 2 and entry["metric_type"] == "pair_scores"
