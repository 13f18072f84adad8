"""CoNLL-2003, CoNLL-U and span JSONL exports, and the tokenisation behind them."""

from __future__ import annotations

import json
import re

from potato_like.spans.conll import bio_tags, cut_points, tokenize
from tests.conftest import ADMIN
from tests.web.test_spans import TEXTS, client_for, go_to, save, span_app  # noqa: F401


def test_tokens_split_at_whitespace_and_span_edges():
    text = "😀 Obama's visit"
    spans = [{"label": "PER", "start": 2, "end": 7}]
    tokens = tokenize(text, cut_points(spans))
    assert [t.text for t in tokens] == ["😀", "Obama", "'s", "visit"]
    assert [t.space_after for t in tokens] == [True, False, True, False]
    assert bio_tags(tokens, spans) == ["O", "B-PER", "O", "O"]


def test_bio_overlap_keeps_the_first_longest_span():
    text = "New York City council"
    spans = [
        {"label": "LOC", "start": 0, "end": 13},
        {"label": "ORG", "start": 4, "end": 21},
        {"label": "X", "start": 14, "end": 21},
    ]
    tokens = tokenize(text, cut_points(spans))
    assert bio_tags(tokens, spans) == ["B-LOC", "I-LOC", "I-LOC", "B-X"]


def test_discontinuous_spans_tag_each_segment():
    text = "ten or twelve apples"
    spans = [{"label": "N", "start": 0, "end": 20, "segments": [[0, 3], [14, 20]]}]
    tokens = tokenize(text, cut_points(spans))
    assert bio_tags(tokens, spans) == ["B-N", "O", "O", "I-N"]


def export(c, fmt):
    r = c.post("/admin/api/export", json={"format": fmt}, headers=ADMIN)
    assert r.status_code == 200, r.data
    return r.get_data(as_text=True)


def annotated(span_app):  # noqa: F811
    c = client_for(span_app())
    save(
        c,
        "t1",
        [{"label": "PERSON", "start": 0, "end": 12}, {"label": "LOCATION", "start": 21, "end": 26}],
    )
    go_to(c, "t2")
    text = TEXTS["t2"]
    save(
        c, "t2", [{"label": "LOCATION", "start": text.index("東京"), "end": text.index("東京") + 2}]
    )
    return c


def test_conll_export(span_app):  # noqa: F811
    out = export(annotated(span_app), "conll")
    docs = out.split("\n\n")
    assert docs[0] == "-DOCSTART- -X- -X- O"
    first = docs[1].splitlines()
    assert first[:2] == ["# instance_id = t1", "# annotator = ann1"]
    assert first[2:] == [
        "Barack -X- _ B-PERSON",
        "Obama -X- _ I-PERSON",
        "visited -X- _ O",
        "Paris -X- _ B-LOCATION",
        ". -X- _ O",
    ]
    second = docs[2].splitlines()
    assert "東京 -X- _ B-LOCATION" in second
    assert second[2] == "😀 -X- _ O"


def test_conllu_export(span_app):  # noqa: F811
    out = export(annotated(span_app), "conllu")
    sentence = out.split("\n\n")[0].splitlines()
    assert sentence[0] == "# sent_id = t1/ann1"
    assert sentence[3] == "# text = Barack Obama visited Paris."
    rows = [line.split("\t") for line in sentence[4:]]
    assert all(len(r) == 10 for r in rows)
    assert [r[1] for r in rows] == ["Barack", "Obama", "visited", "Paris", "."]
    assert rows[0][9] == "entities=B-PERSON"
    assert rows[3][9] == "entities=B-LOCATION|SpaceAfter=No"
    assert rows[4][0] == "5"


def test_span_jsonl_export_has_code_point_offsets(span_app):  # noqa: F811
    lines = [json.loads(x) for x in export(annotated(span_app), "spans_jsonl").splitlines()]
    assert [x["id"] for x in lines] == ["t1", "t2"]
    t2 = lines[1]
    span = t2["spans"][0]
    assert t2["text"][span["start"] : span["end"]] == "東京" == span["text"]
    assert t2["offsets"] == "unicode_code_points"
    assert lines[0]["links"] == [] and lines[0]["events"] == []


def test_span_formats_are_listed(span_app):  # noqa: F811
    c = span_app().test_client()
    names = [f["name"] for f in c.get("/admin/api/export/formats", headers=ADMIN).json["formats"]]
    assert {"conll", "conllu", "spans_jsonl"} <= set(names)


def test_csv_export_of_a_span_project(span_app):  # noqa: F811
    out = export(annotated(span_app), "csv")
    header = out.splitlines()[0].split(",")
    assert "answer:entities" in header
    assert not any(col.startswith("entities:::") for col in header)


def spaced_labels_project(span_app):  # noqa: F811
    """Labels and a scheme name with spaces and a pipe, a user name with a space, and items
    whose text has no tokens (answered through a radio scheme)."""
    schemes = [
        {
            "annotation_type": "span",
            "name": "ner spans",
            "description": "Entities",
            "labels": ["Named Entity", "A|B"],
        },
        {"annotation_type": "radio", "name": "ok", "description": "OK?", "labels": ["yes"]},
    ]
    texts = {"t1": "We are # 1 in New York", "t2": "", "t3": " \t\r\n "}
    c = client_for(span_app(schemes=schemes, texts=texts), "ann one")
    spans = [
        {"schema": "ner spans", "label": "A|B", "start": 7, "end": 10},
        {"schema": "ner spans", "label": "Named Entity", "start": 14, "end": 22},
    ]
    assert save(c, "t1", spans).status_code == 200
    for iid in ("t2", "t3"):
        go_to(c, iid)
        r = c.post("/updateinstance", json={"instance_id": iid, "annotations": {"ok:yes": "1"}})
        assert r.status_code == 200, r.json
    return c


def test_conll_columns_stay_whole_with_spaces_in_labels(span_app):  # noqa: F811
    out = export(spaced_labels_project(span_app), "conll")
    docs = [d for d in out.split("\n\n")[1:] if d.strip()]
    assert len(docs) == 1  # items without tokens are left out
    # The documented way to drop the comments keeps the token "#".
    lines = [line for line in docs[0].splitlines() if not re.match(r"# \w+ = ", line)]
    rows = [line.split(" ") for line in lines]
    assert all(len(r) == 4 for r in rows), rows
    assert [r[3] for r in rows] == [
        "O",
        "O",
        "B-A|B",
        "I-A|B",
        "O",
        "B-Named_Entity",
        "I-Named_Entity",
    ]


def test_conllu_is_valid_with_spaces_and_pipes_in_names(span_app):  # noqa: F811
    out = export(spaced_labels_project(span_app), "conllu")
    sentences = [s for s in out.split("\n\n") if s.strip()]
    assert len(sentences) == 1  # a sentence needs at least one token
    lines = sentences[0].splitlines()
    assert lines[0] == "# sent_id = t1/ann_one"
    rows = [line.split("\t") for line in lines if not line.startswith("#")]
    assert rows and all(len(r) == 10 for r in rows)
    for row in rows:
        assert all(" " not in col for col in row[2:]), row  # only FORM may hold a space
        misc = dict(attr.split("=", 1) for attr in row[9].split("|"))
        assert set(misc) <= {"ner_spans", "SpaceAfter"}, row
    assert [r[9].split("|")[0] for r in rows[2:4]] == ["ner_spans=B-A\\pB", "ner_spans=I-A\\pB"]
    assert rows[5][9] == "ner_spans=B-Named_Entity"
