"""extractive_qa: SQuAD-style answer spans (or unanswerable) as Potato's record, checked
against the passage, with SQuAD's exact match and token F1 as agreement."""

from __future__ import annotations

import csv
import io
import json

import pytest

from potato_like.quality.text_measures import exact_match, normalize_answer, token_f1
from tests.conftest import ADMIN, current_id, login
from tests.web.text_work_util import send, stored, text_work_app

TEXT = "The Eiffel Tower was completed in 1889 and is about 330 metres tall."


def span(text):
    start = TEXT.index(text)
    return {"answer_text": text, "start": start, "end": start + len(text), "unanswerable": False}


@pytest.fixture
def app(tmp_path, open_app):
    return text_work_app(tmp_path, open_app, "answer")


def test_squad_normalisation_exact_match_and_f1_by_hand():
    assert normalize_answer("The  Eiffel-Tower!") == "eiffeltower"
    assert exact_match("in 1889.", "In 1889") == 1.0
    assert exact_match("1889", "in 1889") == 0.0
    # "in 1889" vs "1889": 1 common token; precision 1/1, recall 1/2 -> F1 2/3
    assert token_f1("in 1889", "1889") == pytest.approx(2 / 3)
    assert token_f1("a", "the") == 1.0  # both empty after normalisation
    assert token_f1("tower", "") == 0.0


def test_page_shows_the_question_and_loads_its_module(app):
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    assert "When was the Eiffel Tower completed?" in page
    assert 'data-type="extractive_qa"' in page and "js/extractive-qa.js" in page
    assert 'data-role="unanswerable"' in page


def test_an_answer_span_and_unanswerable_are_stored(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    assert send(ann, iid, "answer", span("in 1889")).status_code == 200
    assert stored(ann, iid, "answer") == span("in 1889")
    r = send(ann, iid, "answer", {"unanswerable": True, "answer_text": "", "start": -1, "end": -1})
    assert r.status_code == 200
    assert stored(ann, iid, "answer") == {
        "answer_text": "",
        "start": -1,
        "end": -1,
        "unanswerable": True,
    }


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({**span("1889"), "start": 0, "end": 4}, "is not the passage text at 0:4"),
        ({**span("1889"), "end": 99}, "has 4 characters but"),
        ({**span("1889"), "answer_text": ""}, "'answer_text' must be the marked text"),
        ({"answer_text": "x", "start": None, "end": 1}, "whole numbers"),
        ({"answer_text": "Tall", "start": 63, "end": 67}, "is not the passage text"),
        ({"answer_text": "x", "start": 68, "end": 69}, "is not the passage text"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_written(app, record, problem):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, "answer", record)
    assert r.status_code == 400 and problem in r.json["error"], r.json
    assert stored(ann, iid, "answer") is None


def test_unanswerable_is_refused_when_the_config_forbids_it(tmp_path, open_app):
    def edit(config):
        config["annotation_schemes"][0]["allow_unanswerable"] = False

    app = text_work_app(tmp_path, open_app, "answer", edit=edit)
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    assert 'data-role="unanswerable"' not in ann.get("/annotate").data.decode()
    r = send(ann, iid, "answer", {"unanswerable": True})
    assert r.status_code == 400 and "must be answered with a span" in r.json["error"]


def test_a_passage_field_other_than_the_text(tmp_path, open_app):
    def edit(config):
        config["annotation_schemes"][0]["passage_field"] = "source"

    app = text_work_app(tmp_path, open_app, "answer", edit=edit)
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    source = "Der Eiffelturm wurde 1889 fertiggestellt und ist etwa 330 Meter hoch."
    assert json.dumps(source) in ann.get("/annotate").data.decode()  # the passage it marks
    at = source.index("1889")
    good = {"answer_text": "1889", "start": at, "end": at + 4}
    assert send(ann, iid, "answer", good).status_code == 200
    wrong = {"answer_text": "Tower", "start": 11, "end": 16}  # offsets of the item text
    assert send(ann, iid, "answer", wrong).status_code == 400


def test_agreement_is_squad_exact_match_and_f1(app):
    answers = {
        "ann": {"tw01": span("in 1889"), "tw02": {"unanswerable": True}},
        "bob": {"tw01": span("1889"), "tw02": {"unanswerable": True}},
    }
    cpython = "CPython is written in C and Python and compiles source code into bytecode."
    for name, mine in answers.items():
        client = login(app.test_client(), name)
        for _ in range(2):
            iid = current_id(client)
            record = mine[iid]
            if iid == "tw02" and not record.get("unanswerable"):
                at = cpython.index(record["answer_text"])
                record = {**record, "start": at, "end": at + len(record["answer_text"])}
            assert send(client, iid, "answer", record).status_code == 200
            client.post("/go_to", json={"action": "next_instance"})
    admin = app.test_client()
    report = admin.get("/admin/api/agreement", headers=ADMIN).json["by_schema"]["answer"]
    # tw01: EM 0, F1 2/3; tw02: both unanswerable, EM 1, F1 1
    assert report["pairwise_scores"] == {"exact_match": 0.5, "f1": round((2 / 3 + 1) / 2, 4)}
    table = admin.post("/admin/api/export", json={"format": "csv"}, headers=ADMIN).data.decode()
    texts = sorted(
        json.loads(r["answer:answer"])["answer_text"] for r in csv.DictReader(io.StringIO(table))
    )
    assert texts == ["", "", "1889", "in 1889"]
