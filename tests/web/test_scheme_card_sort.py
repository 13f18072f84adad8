"""card_sort: `schema:schema` = JSON {group: [cards]} over the item's cards."""

import json

from tests.web.scale_util import annotator, page, refused, send, stored

SORT = {
    "annotation_type": "card_sort",
    "name": "groups",
    "description": "Sort",
    "groups": ["Science", "Health"],
    "items_field": "cards",
    "allow_empty_groups": False,
}


def test_card_sort_wire_and_rules(make_project, tmp_path):
    from tests.conftest import base_config, write_config

    lines = [
        json.dumps({"id": f"c{i}", "text": "t", "cards": ["Mars ice", "Flu shot"]})
        for i in range(3)
    ]
    (tmp_path / "cards.jsonl").write_text("\n".join(lines) + "\n")
    from potato_like import create_app

    app = create_app(write_config(tmp_path, base_config("cards.jsonl", annotation_schemes=[SORT])))
    app.config["TESTING"] = True
    ann = annotator(app)
    html = page(ann)
    assert 'data-card="Mars ice"' in html and "js/card-sort.js" in html
    good = json.dumps({"Health": ["Flu shot"], "Science": ["Mars ice"]})
    iid, r = send(ann, {"groups:groups": good}, draft=False)
    assert r.status_code == 200, r.json
    assert json.loads(stored(ann, iid, "groups")["groups"]) == {
        "Science": ["Mars ice"],
        "Health": ["Flu shot"],
    }
    refused(
        ann, {"groups:groups": '{"Sport": ["x"]}'}, "'Sport' is not one of the groups", "groups"
    )
    twice = json.dumps({"Science": ["Mars ice"], "Health": ["Mars ice"]})
    refused(ann, {"groups:groups": twice}, "in more than one group", "groups")
    refused(ann, {"groups:groups": "{oops"}, "must be JSON", "groups")
    one = json.dumps({"Science": ["Mars ice", "Flu shot"]})
    refused(
        ann,
        {"groups:groups": one},
        "every group needs a card (empty: Health)",
        "groups",
        draft=False,
    )


def _sort_app(tmp_path, **options):
    from potato_like import create_app
    from tests.conftest import base_config, write_config

    cards = ["Mars ice", "Flu shot", "Comet tail", "Vaccine"]
    rows = [json.dumps({"id": f"c{i}", "text": "t", "cards": cards}) for i in range(2)]
    (tmp_path / "cards.jsonl").write_text("\n".join(rows) + "\n")
    scheme = {**SORT, "allow_empty_groups": True, **options}
    app = create_app(
        write_config(tmp_path, base_config("cards.jsonl", annotation_schemes=[scheme]))
    )
    app.config["TESTING"] = True
    return app


def _sort_both(client, groups):
    """The same sort on both items (agreement needs two items with two annotators)."""
    for _ in range(2):
        _, r = send(client, {"groups:groups": json.dumps(groups)}, draft=False)
        assert r.status_code == 200, r.json
        client.post("/go_to", json={"action": "next_instance"})


def test_card_sort_agreement_is_adjusted_rand_and_cooccurrence(tmp_path):
    from tests.web.scale_util import agreement_of

    app = _sort_app(tmp_path, mode="open", groups=[])
    sorts = {
        # same grouping under other names: ARI 1 with the first, co-occurrence 1
        "ann": {"Space": ["Mars ice", "Comet tail"], "Medicine": ["Flu shot", "Vaccine"]},
        "bob": {"A": ["Mars ice", "Comet tail"], "B": ["Flu shot", "Vaccine"]},
        # crossed: {Mars, Flu} {Comet, Vaccine}: ARI -0.5, 2 of 6 pairs agree
        "cat": {"X": ["Mars ice", "Flu shot"], "Y": ["Comet tail", "Vaccine"]},
    }
    for name, groups in sorts.items():
        _sort_both(annotator(app, name), groups)
    entry = agreement_of(app, "groups")
    assert entry["annotator_pairs"] == 6  # 3 pairs on each of 2 items
    # pairs: ann-bob (1, 1), ann-cat (-0.5, 1/3), bob-cat (-0.5, 1/3)
    assert entry["pairwise_scores"] == {
        "adjusted_rand": round((1 - 0.5 - 0.5) / 3, 4),
        "cooccurrence_agreement": round((1 + 2 / 6 + 2 / 6) / 3, 4),
    }


def test_card_sort_overlapping_groups_have_only_cooccurrence(tmp_path):
    from tests.web.scale_util import agreement_of

    app = _sort_app(tmp_path, allow_multiple=True)
    both = {"Science": ["Mars ice", "Vaccine"], "Health": ["Vaccine", "Flu shot"]}
    apart = {"Science": ["Mars ice"], "Health": ["Vaccine", "Flu shot"]}
    for name, groups in (("ann", both), ("bob", apart)):
        _sort_both(annotator(app, name), groups)
    entry = agreement_of(app, "groups")
    # shared cards Mars, Vaccine, Flu: pairs Mars-Vaccine differ, the other two agree
    assert entry["pairwise_scores"] == {
        "adjusted_rand": None,
        "cooccurrence_agreement": round(2 / 3, 4),
    }
