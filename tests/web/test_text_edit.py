"""text_edit: Potato's post-editing record on the wire, distances and diff recomputed by the
server, bad records refused with nothing written, agreement, export and dashboard."""

from __future__ import annotations

import csv
import io
import json

import pytest

from potato_like.quality.text_measures import levenshtein, word_diff, words
from tests.conftest import ADMIN, current_id, login
from tests.web.text_work_util import send, stored, text_work_app

MT = "The Eiffel Tower were completed in 1889 and is about 330 meter high."
FIXED = "The Eiffel Tower was completed in 1889 and is about 330 metres tall."


@pytest.fixture
def app(tmp_path, open_app):
    return text_work_app(tmp_path, open_app, "post_edit")


def test_levenshtein_matches_hand_computed_distances():
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("flaw", "lawn") == 2
    assert levenshtein("", "abc") == 3 and levenshtein("abc", "") == 3
    assert levenshtein("same", "same") == 0
    assert levenshtein("aaa", "aaaa") == 1
    assert levenshtein(words("a b c"), words("a c d")) == 2
    assert levenshtein("ça va", "ca va") == 1  # code points, not bytes


def test_word_diff_lists_the_word_operations():
    assert word_diff("the cat sat", "the dog sat down") == [
        {"op": "equal", "from": "the"},
        {"op": "replace", "from": "cat", "to": "dog"},
        {"op": "equal", "from": "sat"},
        {"op": "insert", "to": "down"},
    ]


def test_page_shows_the_text_to_edit_and_loads_only_its_module(app):
    ann = login(app.test_client(), "ann")
    page = ann.get("/annotate").data.decode()
    assert 'data-type="text_edit"' in page
    assert f">{MT}</textarea>" in page  # the editor starts with the source_field text
    assert "js/text-edit.js" in page
    assert "js/error-span.js" not in page and "js/extractive-qa.js" not in page
    assert 'name="post_edit:post_edit"' in page


def test_a_post_edit_is_stored_with_recomputed_distances_and_diff(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    record = {
        "edited_text": FIXED,
        "original_text": MT,
        "edit_distance_chars": 999,  # a client's numbers are not trusted
        "edit_distance_words": 999,
    }
    r = send(ann, iid, "post_edit", record)
    assert r.status_code == 200, r.json
    got = stored(ann, iid, "post_edit")
    assert got["edited_text"] == FIXED and got["original_text"] == MT
    assert got["edit_distance_chars"] == levenshtein(MT, FIXED)
    assert got["edit_distance_words"] == 3  # were->was, meter->metres, high.->tall.
    assert {"op": "replace", "from": "were", "to": "was"} in got["diff"]
    # the page after a reload shows the edit, not the machine translation
    assert f">{FIXED}</textarea>" in ann.get("/annotate").data.decode()


def test_the_record_may_come_as_an_object_or_in_the_backend_format(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = ann.post(
        "/updateinstance",
        json={
            "instance_id": iid,
            "schema": "post_edit",
            "type": "text_edit",
            "state": [
                {"name": "post_edit", "value": json.dumps({"edited_text": MT, "original_text": MT})}
            ],
        },
    )
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "post_edit")["edit_distance_chars"] == 0
    r = send(ann, iid, "post_edit", {"edited_text": FIXED, "original_text": MT})
    assert r.status_code == 200 and stored(ann, iid, "post_edit")["edited_text"] == FIXED


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        (json.dumps({"original_text": MT}), "'edited_text' must be a string"),
        (json.dumps({"edited_text": 5, "original_text": MT}), "'edited_text' must be a string"),
        (json.dumps({"edited_text": "x" * 10_001, "original_text": MT}), "longer than"),
        (json.dumps({"edited_text": FIXED, "original_text": "something else"}), "not the item's"),
    ],
)
def test_bad_records_are_refused_and_nothing_is_written(app, record, problem):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, "post_edit", record)
    assert r.status_code == 400 and problem in r.json["error"], r.json
    assert r.json["error"].startswith("post_edit")
    assert stored(ann, iid, "post_edit") is None


def test_a_label_other_than_the_scheme_name_is_refused(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = ann.post(
        "/updateinstance", json={"instance_id": iid, "annotations": {"post_edit:edited": "x"}}
    )
    assert r.status_code == 400 and "post_edit:post_edit" in r.json["error"]


SOURCES = {
    "tw01": MT,
    "tw02": "CPython is wrote in C and Python and compile source code to bytecode.",
}


def test_agreement_export_and_dashboard(app):
    edits = {
        "ann": {"tw01": FIXED, "tw02": "CPython is written in C."},
        "bob": {"tw01": FIXED, "tw02": "CPython is written in C!"},
    }
    for name, answers in edits.items():
        client = login(app.test_client(), name)
        for _ in answers:
            iid = current_id(client)
            r = send(
                client,
                iid,
                "post_edit",
                {"edited_text": answers[iid], "original_text": SOURCES[iid]},
            )
            assert r.status_code == 200, r.json
            client.post("/go_to", json={"action": "next_instance"})
    admin = app.test_client()
    report = admin.get("/admin/api/agreement", headers=ADMIN).json["by_schema"]["post_edit"]
    assert report["metric_type"] == "pair_scores"
    # tw01 the same edit; tw02 one character of 24 differs: similarity (1 + 23/24) / 2
    assert report["pairwise_scores"] == {
        "exact_match": 0.5,
        "similarity": round((1 + 23 / 24) / 2, 4),
    }
    assert report["annotator_pairs"] == 2 and report["items_evaluated"] == 2
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"]})
    assert 'data-testid="pairwise-post_edit"' in admin.get("/admin/agreement/").data.decode()
    table = admin.post("/admin/api/export", json={"format": "csv"}, headers=ADMIN).data.decode()
    rows = list(csv.DictReader(io.StringIO(table)))
    assert len(rows) == 4
    first = json.loads(rows[0]["answer:post_edit"])
    assert first["edit_distance_words"] >= 1 and "diff" in first
    assert json.loads(rows[0]["post_edit:::post_edit"]) == first
    questions = admin.get("/admin/api/questions", headers=ADMIN).json["questions"]
    assert questions[0]["name"] == "post_edit" and questions[0]["total_answers"] == 4
    summary = questions[0]["summary"]
    assert summary["left_unchanged"] == 0 and summary["mean_edit_distance_words"] > 0
    page = admin.get("/admin/questions/").data.decode()
    assert 'data-testid="summary-post_edit"' in page and "mean edit distance chars" in page
