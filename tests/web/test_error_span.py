"""error_span (MQM): typed error spans with severities on the wire as Potato's record, the
score recomputed, offsets checked against the item text, agreement, export, dashboard."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import ADMIN, current_id, login
from tests.web.text_work_util import send, stored, text_work_app

TEXT = "The Eiffel Tower was completed in 1889 and is about 330 metres tall."


def error(start, end, kind="Fluency", severity="Minor", subtype="", text=None):
    return {
        "start": start,
        "end": end,
        "text": TEXT[start:end] if text is None else text,
        "type": kind,
        "subtype": subtype,
        "severity": severity,
    }


@pytest.fixture
def app(tmp_path, open_app):
    return text_work_app(tmp_path, open_app, "mqm")


def test_page_offers_types_with_subtypes_and_severities(app):
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    assert 'data-type="error_span"' in page and "js/error-span.js" in page
    assert '<option value="Accuracy::Omission">Accuracy / Omission</option>' in page
    assert '<option value="Terminology">Terminology</option>' in page
    assert 'value="Critical"' in page and "/ 100" in page
    assert "js/text-edit.js" not in page


def test_errors_are_stored_with_the_score_the_server_computes(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    errors = [
        error(51, 61, "Accuracy", "Major", "Mistranslation"),  # "330 metres"
        error(17, 20, "Fluency", "Minor", "Grammar"),  # "was"
        error(62, 67, "Terminology", "Critical"),
    ]
    r = send(ann, iid, "mqm", {"errors": errors, "score": 100})
    assert r.status_code == 200, r.json
    got = stored(ann, iid, "mqm")
    assert got["score"] == 100 - 5 - 1 - 10
    assert [e["start"] for e in got["errors"]] == [17, 51, 62]  # sorted by position
    assert got["errors"][0] == error(17, 20, "Fluency", "Minor", "Grammar")


def test_no_errors_is_an_answer_with_the_full_score(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    assert send(ann, iid, "mqm", {"errors": []}).status_code == 200
    assert stored(ann, iid, "mqm") == {"errors": [], "score": 100}


def test_the_score_never_goes_below_zero(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    errors = [error(i * 4, i * 4 + 3, severity="Critical") for i in range(12)]
    errors = [dict(e, text="") for e in errors]
    assert send(ann, iid, "mqm", {"errors": errors}).status_code == 200
    assert stored(ann, iid, "mqm")["score"] == 0


@pytest.mark.parametrize(
    ("errors", "problem"),
    [
        ([error(0, 3, "Style")], "unknown error type 'Style'"),
        ([error(0, 3, "Fluency", subtype="Omission")], "'Omission' is not a subtype of 'Fluency'"),
        ([error(0, 3, severity="Huge")], "unknown severity 'Huge'"),
        ([error(5, 5)], "must be greater than start"),
        ([error(0, 3, text="Eif")], "does not match the item text"),
        ([error(60, 99, text="")], "out of range; the text has 68 characters"),
        ([{"start": "a", "end": 3, "type": "Fluency", "severity": "Minor"}], "whole numbers"),
        (["oops"], "must be an object"),
        ("not a list", "'errors' must be a list"),
    ],
)
def test_bad_errors_are_refused_and_nothing_is_written(app, errors, problem):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, "mqm", {"errors": errors})
    assert r.status_code == 400 and problem in r.json["error"], r.json
    assert stored(ann, iid, "mqm") is None


def test_a_bad_config_names_the_key(tmp_path, open_app):
    def edit(config):
        config["annotation_schemes"][0]["error_types"] = []
        config["annotation_schemes"][0]["severities"] = [{"name": "Minor", "weight": "heavy"}]

    with pytest.raises(Exception) as info:
        text_work_app(tmp_path, open_app, "mqm", edit=edit)
    assert "error_types" in str(info.value) and "weight" in str(info.value)


def test_agreement_export_and_dashboard(app):
    answers = {
        "ann": [error(17, 20, severity="Minor"), error(51, 61, "Accuracy", "Major")],
        "bob": [error(17, 20, severity="Major")],
    }
    for name, errors in answers.items():
        client = login(app.test_client(), name)
        for _ in range(2):
            iid = current_id(client)
            mine = errors if iid == "tw01" else []
            assert send(client, iid, "mqm", {"errors": mine}).status_code == 200
            client.post("/go_to", json={"action": "next_instance"})
    admin = app.test_client()
    report = admin.get("/admin/api/agreement", headers=ADMIN).json["by_schema"]["mqm"]
    # tw01: ann marked 3 + 10 characters, bob 3 (the same 3): span F1 = 2*3/(13+3) = 0.375;
    # typed by type/severity: Minor vs Major on those 3, so 0; scores 94 vs 95.
    # tw02: neither marked anything: 1, 1, 0.
    assert report["pairwise_scores"] == {
        "span_f1": round((0.375 + 1) / 2, 4),
        "typed_span_f1": 0.5,
        "score_difference": 0.5,
    }
    table = admin.post("/admin/api/export", json={"format": "csv"}, headers=ADMIN).data.decode()
    scores = sorted(
        json.loads(r["answer:mqm"])["score"] for r in csv.DictReader(io.StringIO(table))
    )
    assert scores == [94, 95, 100, 100]
    questions = admin.get("/admin/api/questions", headers=ADMIN).json["questions"]
    assert questions[0]["total_answers"] == 4
    assert questions[0]["summary"] == {
        "mean_score": round((94 + 95 + 100 + 100) / 4, 2),
        "items_without_errors": 2,
        "errors_by_type": {"Fluency": 2, "Accuracy": 1},
        "errors_by_severity": {"Major": 2, "Minor": 1},
    }
