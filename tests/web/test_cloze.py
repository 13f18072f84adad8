"""cloze: `schema:blank_<n>` text per blank; the answer key stays on the server; exact and
normalised scoring on the questions dashboard."""

import json

from tests.conftest import ADMIN, current_id
from tests.web.scale_util import annotator, page, refused, send, stored, wide_rows

FIXED = {
    "annotation_type": "cloze",
    "name": "fill",
    "description": "Fill in the missing words.",
    "text": "The [[Café|coffee shop]] opens at [[nine]]; ask for [[]].",
    "scoring": "exact",
}
ITEMS = [
    {
        "id": "c1",
        "text": "one",
        "passage": "Der Hund [[]] im Garten [[]].",
        "key": ["spielt", "heute|jetzt"],
    },
    {"id": "c2", "text": "two", "passage": "Es [[]] kalt.", "key": "ist"},
]
BY_ITEM = {
    "annotation_type": "cloze",
    "name": "ctest",
    "description": "Complete the words.",
    "source_field": "passage",
    "answer_field": "key",
}


def _items(tmp_path):
    (tmp_path / "cloze.jsonl").write_text("\n".join(json.dumps(i) for i in ITEMS) + "\n")
    return ["cloze.jsonl"]


def test_blanks_are_stored_and_bad_blanks_refused(make_project):
    app = make_project(schemes=[FIXED])
    ann = annotator(app)
    iid, r = send(ann, {"fill:blank_1": "cafe", "fill:blank_2": " Nine "}, draft=False)
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "fill") == {"blank_1": "cafe", "blank_2": " Nine "}
    refused(
        ann, {"fill:blank_4": "x"}, "unknown blank 'blank_4'; expected blank_1..blank_3", "fill"
    )
    refused(ann, {"fill:answer": "x"}, "unknown blank 'answer'", "fill")
    refused(ann, {"fill:blank_1": 3}, "blank_1 must be text", "fill")
    refused(ann, {"fill:blank_1": "x" * 501}, "longer than 500", "fill")
    rows = wide_rows(app)
    assert rows[0]["fill:::blank_1"] == "cafe"


def test_the_key_never_reaches_the_annotator(make_project, tmp_path):
    app = make_project(schemes=[FIXED, BY_ITEM], data_files=_items(tmp_path))
    ann = annotator(app)
    iid = current_id(ann)
    html = page(ann)
    assert 'name="fill:blank_3"' in html and 'name="ctest:blank_2"' in html
    assert "Der Hund " in html and "opens at " in html
    responses = [
        html,
        json.dumps(ann.get("/api/current_instance").json),
        json.dumps(ann.get("/api/schemas").json),
        json.dumps(ann.get(f"/get_annotations?instance_id={iid}").json),
        ann.get(f"/api/spans/{iid}").data.decode(),
    ]
    for body in responses:
        for secret in ("spielt", "jetzt", "Café", "coffee shop", "nine"):
            assert secret not in body, (secret, body[:300])
    assert ann.get("/api/current_instance").json["data"]["passage"].startswith("Der Hund")


def test_item_passages_number_their_own_blanks(make_project, tmp_path):
    app = make_project(schemes=[BY_ITEM], data_files=_items(tmp_path))
    ann = annotator(app)
    refused(ann, {"ctest:blank_3": "x"}, "this item's passage has 2", "ctest")
    _iid, r = send(ann, {"ctest:blank_1": "spielt", "ctest:blank_2": "Jetzt"}, draft=False)
    assert r.status_code == 200, r.json


def test_scores_exact_and_normalised_per_blank_and_answer(make_project):
    """Worked example: key "Café|coffee shop", "nine" (Potato's three scoring modes). "cafe"
    is wrong as typed but right once case and diacritics are ignored; " Nine " is right
    normalised only (exact keeps case); "coffee  shop!" is right normalised (punctuation, runs of spaces)."""
    app = make_project(schemes=[FIXED], max_annotations_per_item=3)
    answers = {
        "ann": {"fill:blank_1": "cafe", "fill:blank_2": " Nine "},
        "bob": {"fill:blank_1": "Café", "fill:blank_2": "nine"},
        "cy": {"fill:blank_1": "coffee  shop!", "fill:blank_2": "ten"},
    }
    iid = None
    for name, given in answers.items():
        client = annotator(app, name)
        iid, r = send(client, given, draft=False, iid=iid)
        assert r.status_code == 200, r.json
    body = app.test_client().get("/admin/api/questions?fresh=1", headers=ADMIN).json
    model = next(q for q in body["questions"] if q["name"] == "fill")["model"]
    assert model["blanks"] == {
        "blank_1": {"answers": 3, "exact": round(1 / 3, 4), "normalized": 1.0},
        "blank_2": {"answers": 3, "exact": round(1 / 3, 4), "normalized": round(2 / 3, 4)},
    }
    per = {r["annotator"]: r for r in model["answers"]}
    assert per["ann"] == {
        "item": iid,
        "annotator": "ann",
        "scored_blanks": 2,
        "exact": 0,
        "normalized": 2,
        "score": 0,
    }
    assert (per["bob"]["exact"], per["cy"]["exact"], per["cy"]["normalized"]) == (2, 0, 1)
    assert model["respondents"]["cy"] == {
        "items": 1,
        "scored_blanks": 2,
        "exact": 0,
        "normalized": 1,
    }
    assert model["mean_exact"] == round(2 / 6, 4)
    assert model["mean_normalized"] == round(5 / 6, 4)
    admin = app.test_client()
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"]})
    html = admin.get("/admin/questions/").data.decode()
    figures = html.split('data-testid="model-fill"')[1].split("</dl>")[0]
    assert "blank_1: answers 3, exact 0.3333, normalized 1.0" in figures
    assert "3 rows (in /admin/api/questions)" in figures


def test_config_problems(make_project):
    import pytest

    from potato_like.errors import ConfigError

    for bad, words in [
        ({"text": "no blanks"}, "at least one [[blank]]"),
        ({"scoring": "fuzzy"}, "'fuzzy' is not one of"),
        ({"answer_field": "k"}, "applies with source_field only"),
    ]:
        with pytest.raises(ConfigError) as err:
            make_project(schemes=[{**FIXED, **bad}])
        assert words in str(err.value), err.value
