"""CoNLL-2003, CoNLL-U and span JSONL exports, and the tokenisation behind them."""

from __future__ import annotations

import json

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
