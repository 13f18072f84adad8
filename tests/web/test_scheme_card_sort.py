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
