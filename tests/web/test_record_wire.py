"""What the record types share on the wire: Potato's backend format, the no-JavaScript form,
`required`, clearing, and refusals that name the scheme."""

from __future__ import annotations

import json

from tests.conftest import current_id, login
from tests.web.text_work_util import send, stored, text_work_app

TEXT = "The Eiffel Tower was completed in 1889 and is about 330 metres tall."


def test_backend_format_with_the_type_name(tmp_path, open_app):
    app = text_work_app(tmp_path, open_app, "mqm")
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    record = {
        "errors": [
            {"start": 0, "end": 3, "text": "The", "type": "Terminology", "severity": "Minor"}
        ]
    }
    body = {
        "instance_id": iid,
        "schema": "mqm",
        "type": "error_span",
        "state": [{"name": "mqm", "value": json.dumps(record)}],
    }
    r = ann.post("/updateinstance", json=body)
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "mqm")["score"] == 99


def test_the_no_javascript_form_saves_the_record(tmp_path, open_app):
    app = text_work_app(tmp_path, open_app, "answer")
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    page = ann.get("/annotate").data.decode()
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    record = {"answer_text": "in 1889", "start": 31, "end": 38}
    form = {"csrf_token": token, "instance_id": iid, "action": "next_instance"}
    r = ann.post("/annotate", data={**form, "answer:answer": json.dumps(record)})
    assert r.status_code in (200, 302)
    assert stored(ann, iid, "answer")["answer_text"] == "in 1889"


def test_required_record_types_block_submit_until_answered(tmp_path, open_app):
    def edit(config):
        config["annotation_schemes"][0]["required"] = True

    app = text_work_app(tmp_path, open_app, "mqm", edit=edit)
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = ann.post("/updateinstance", json={"instance_id": iid, "annotations": {"mqm:mqm": ""}})
    assert r.status_code == 400 and "mark the errors, or confirm there are none" in r.json["error"]
    assert send(ann, iid, "mqm", {"errors": []}).status_code == 200  # "no errors" is an answer


def test_an_empty_value_clears_the_answer(tmp_path, open_app):
    app = text_work_app(tmp_path, open_app, "post_edit")
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    mt = "The Eiffel Tower were completed in 1889 and is about 330 meter high."
    assert (
        send(ann, iid, "post_edit", {"edited_text": TEXT, "original_text": mt}).status_code == 200
    )
    body = {"instance_id": iid, "annotations": {"post_edit:post_edit": ""}, "draft": True}
    assert ann.post("/updateinstance", json=body).status_code == 200
    assert stored(ann, iid, "post_edit") is None


def test_refusals_name_the_scheme_and_keep_other_answers(tmp_path, open_app):
    app = text_work_app(tmp_path, open_app, "post_edit", "answer")
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    good = {"answer_text": "in 1889", "start": 31, "end": 38}
    assert send(ann, iid, "answer", good).status_code == 200
    body = {
        "instance_id": iid,
        "annotations": {
            "answer:answer": json.dumps({**good, "end": 39}),
            "post_edit:post_edit": "{",
        },
    }
    r = ann.post("/updateinstance", json=body)
    assert r.status_code == 400
    assert stored(ann, iid, "answer") == {**good, "unanswerable": False}  # the old answer stays
