"""interlinear_gloss: Potato's wire format (`schema:schema` = JSON words + translation), the
Leipzig Glossing Rules checked on the server (rule 2 alignment per word, category labels
from the abbreviations), bad glosses refused naming the word, and the dashboard counts."""

import json

import pytest

from potato_like.errors import ConfigError
from potato_like.schemes.interlinear_gloss import LEIPZIG, alignment_problems, unknown_labels
from tests.web.scale_util import annotator, page, question, refused, send, stored, wide_rows

IGT = {
    "annotation_type": "interlinear_gloss",
    "name": "igt",
    "description": "Gloss the sentence",
    "tiers": ["pos"],
    "translation_field": "free",
}
# Leipzig Glossing Rules (Comrie, Haspelmath & Bickel 2015), rule 2's Turkish example:
#   Odada     çocuklar  var.
#   oda-da    çocuk-lar var
#   room-LOC  child-PL  existent
#   'There are children in the room.'
ROWS = [{"id": "t1", "text": "Odada çocuklar var.", "free": "There are children in the room."}]


def words(*triples, pos=""):
    return [{"word": w, "morphemes": m, "gloss": g, "pos": pos} for w, m, g in triples]


GOOD = words(
    ("Odada", "oda-da", "room-LOC"),
    ("çocuklar", "çocuk-lar", "child-PL"),
    ("var", "var", "existent"),
)


def test_leipzig_rules():
    """The LGR's own examples are aligned; the checks name what breaks rule 2."""
    assert alignment_problems("oda-da", "room-LOC") == []
    assert alignment_problems("çocuk-lar", "child-PL") == []
    assert alignment_problems("s<um>ulat", "<AV>write") == []  # rule 9: infix
    assert alignment_problems("git-ti=m", "go-PST=1SG") == []
    assert alignment_problems("ev-ler-de", "house-PL") == [
        "segmentation has 2 boundaries (- -), gloss has 1 boundary (-)"
    ]
    assert alignment_problems("ev-ler", "house=PL") == [
        "segmentation has 1 boundary (-), gloss has 1 boundary (=)"
    ]
    assert alignment_problems("ev-", "house-PL") == ["empty morpheme at position 2"]
    assert "holds a space" in alignment_problems("ev-ler", "house -PL")[0]
    # rule 4 (.), person + number (3SG), the non- prefix (NPST), and an unknown label
    assert unknown_labels("come.PST-3SG.NPST", LEIPZIG) == []
    assert unknown_labels("house-PLUR-LOC", LEIPZIG) == ["PLUR"]
    assert unknown_labels("house-PLUR", None) == []


def app_for(tmp_path, **scheme):
    from potato_like import create_app
    from tests.conftest import base_config, write_config

    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "s.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    cfg = base_config("s.jsonl", annotation_schemes=[{**IGT, **scheme}])
    app = create_app(write_config(tmp_path, cfg))
    app.config["TESTING"] = True
    return app


def test_gloss_wire_format_and_bad_glosses(tmp_path):
    app = app_for(tmp_path)
    ann = annotator(app)
    html = page(ann)
    assert 'data-word="çocuklar"' in html and "js/interlinear-gloss.js" in html
    assert 'value="There are children in the room."' in html  # pre-filled translation
    body = {"words": GOOD, "translation": "There are children in the room."}
    iid, r = send(ann, {"igt:igt": json.dumps(body)}, draft=False)
    assert r.status_code == 200, r.json
    assert json.loads(stored(ann, iid, "igt")["igt"])["words"][1]["gloss"] == "child-PL"
    bad = [GOOD[0], {**GOOD[1], "gloss": "child-PL-LOC"}, GOOD[2]]
    refused(
        ann,
        {"igt:igt": json.dumps({"words": bad})},
        "word 2 'çocuklar': segmentation has 1 boundary (-), gloss has 2 boundaries (- -)",
        "igt",
    )
    caps = [{**GOOD[0], "gloss": "room-LOCA"}, *GOOD[1:]]
    refused(
        ann,
        {"igt:igt": json.dumps({"words": caps})},
        "word 1 'Odada': unknown category label LOCA",
        "igt",
    )
    wrong = [GOOD[0], {**GOOD[1], "word": "kediler"}, GOOD[2]]
    refused(
        ann,
        {"igt:igt": json.dumps({"words": wrong})},
        "word 2 is 'kediler', but the item has 'çocuklar' there",
        "igt",
    )
    refused(
        ann,
        {"igt:igt": json.dumps({"words": GOOD[:2]})},
        "word 3 is nothing, but the item has 'var' there",
        "igt",
    )
    extra = [{**GOOD[0], "notes": "x"}, *GOOD[1:]]
    refused(ann, {"igt:igt": json.dumps({"words": extra})}, "unknown tier 'notes'", "igt")
    half = [GOOD[0], {**GOOD[1], "gloss": ""}, GOOD[2]]
    refused(
        ann,
        {"igt:igt": json.dumps({"words": half})},
        "word 2 'çocuklar' has no gloss yet",
        "igt",
        draft=False,
    )
    refused(ann, {"igt:igt": "{"}, "not valid JSON", "igt")


def test_own_abbreviations_and_no_check(tmp_path):
    ann = annotator(app_for(tmp_path / "a", abbreviations=["leipzig", "EXIST"]))
    body = [*GOOD[:2], {**GOOD[2], "gloss": "EXIST"}]
    _, r = send(ann, {"igt:igt": json.dumps({"words": body})})
    assert r.status_code == 200, r.json
    ann = annotator(app_for(tmp_path / "b", abbreviations=False))
    body = [{**GOOD[0], "gloss": "room-LOCATIVE"}, *GOOD[1:]]
    _, r = send(ann, {"igt:igt": json.dumps({"words": body})})
    assert r.status_code == 200, r.json


def test_bad_config_is_named(tmp_path):
    from potato_like.config import load_config
    from tests.conftest import base_config, write_config, write_items

    write_items(tmp_path / "data.jsonl", 1)
    bad = {**IGT, "tiers": ["gloss"], "abbreviations": 7}
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path, base_config(annotation_schemes=[bad])))
    text = "\n".join(err.value.problems)
    assert "tiers: may not be named gloss" in text and "abbreviations: must be leipzig" in text


def test_dashboard_and_export(tmp_path):
    app = app_for(tmp_path)
    for name in ("r1", "r2"):
        _, r = send(annotator(app, name), {"igt:igt": json.dumps({"words": GOOD})}, draft=False)
        assert r.status_code == 200, r.json
    q = question(app, "igt")
    assert q["summary"]["words"] == 6 and q["summary"]["morphemes_per_word"] == pytest.approx(1.67)
    assert q["model"]["tables"][0]["rows"] == [["LOC", 2], ["PL", 2]]
    assert json.loads(wide_rows(app)[0]["answer:igt"])["words"][0]["morphemes"] == "oda-da"
