"""Wire behaviour Potato's own clients and tests rely on (issue 15 part 5): backend-format
type names, error bodies both kinds of client read, admin 403s, form posts without
`action`, logout on GET, register conflicts, skipped keys, and Potato's response keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import (
    ADMIN,
    REPO,
    base_config,
    current_id,
    radio,
    register,
    with_csrf,
    write_config,
)


def user(app, name="ann"):
    return register(app.test_client(), name)


@pytest.mark.parametrize("kind", ["radio", "likert", "slider", "text", "multiselect"])
def test_backend_format_takes_potato_type_names(make_project, kind):
    app = make_project()
    c = user(app)
    iid = current_id(c)
    body = {
        "instance_id": iid,
        "type": kind,
        "schema": "sentiment",
        "state": [{"name": "positive", "value": "positive"}],
    }
    r = c.post("/updateinstance", json=body)
    assert r.status_code == 200, r.json
    got = c.get("/get_annotations", query_string={"instance_id": iid}).json
    assert got["label_annotations"]["sentiment"] == {"positive": "1"}


def test_an_unknown_backend_type_is_still_refused(make_project):
    c = user(make_project())
    body = {"instance_id": current_id(c), "type": "bbox", "schema": "sentiment", "state": []}
    r = c.post("/updateinstance", json=body)
    assert r.status_code == 400 and "type 'bbox' is not supported" in r.json["error"]


def test_json_errors_carry_potato_status_and_message(make_project):
    app = make_project()
    r = app.test_client().get("/api/current_instance")
    assert r.status_code == 401
    assert r.json["status"] == "error" and r.json["message"] == r.json["error"]
    c = user(app)
    r = c.post("/updateinstance", json={"annotations": {}})
    assert r.status_code == 400
    assert r.json["status"] == "error" and "instance_id" in r.json["message"]
    r = c.get("/admin/user_state/nobody", headers=ADMIN)
    assert r.status_code == 404 and r.json["status"] == "error" and r.json["message"]


def test_errors_with_a_status_of_their_own_keep_it(make_project):
    app = make_project()
    app.config["WTF_CSRF_ENABLED"] = True
    c = user(app)
    r = c.post("/go_to", data={"action": "next_instance"}, headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert r.json["status"] == "csrf" and r.json["message"] == r.json["error"]


@pytest.mark.parametrize("path", ["/admin/api/overview", "/admin/health", "/admin/user_state/a"])
def test_admin_endpoints_answer_403_without_the_right_key(make_project, path):
    app = make_project()
    r = app.test_client().get(path)
    assert r.status_code == 403 and "Admin API key required" in r.json["message"]
    r = app.test_client().get(path, headers={"X-API-Key": "wrong-key-0000000"})
    assert r.status_code == 403 and r.json["error"] == "invalid API key"


def test_wrong_admin_keys_still_hit_the_rate_limit(make_project):
    app = make_project(admin_key_rate_limit="2 per 10 minutes")
    c = app.test_client()
    for i in range(2):
        assert c.get("/admin/api/overview", headers={"X-API-Key": f"w{i:020d}"}).status_code == 403
    assert c.get("/admin/api/overview", headers=ADMIN).status_code == 429


def test_a_form_post_without_action_shows_the_current_page(make_project):
    app = make_project()
    c = with_csrf(user(app))
    iid = current_id(c)
    r = c.post("/annotate", data={}, follow_redirects=True)
    assert r.status_code == 200 and iid.encode() in r.data
    assert current_id(c) == iid
    r = c.post("/annotate", json={})
    assert r.status_code == 200 and r.json["instance_id"] == iid


def test_a_json_post_without_action_still_saves_what_it_carries(make_project):
    c = user(make_project())
    iid = current_id(c)
    body = {"instance_id": iid, "annotations": {"sentiment:negative": "1"}}
    r = c.post("/annotate", json=body)
    assert r.status_code == 200 and r.json["save"]["status"] == "success"
    assert r.json["instance_id"] == iid


def test_potato_phase_pages_post_to_annotate(example_project):
    app = example_project(REPO / "example_projects" / "study_flow", require_password=False)
    c = app.test_client()
    c.post("/auth", data={"username": "formuser"})
    with_csrf(c)
    r = c.post("/annotate", data={"adult": "Yes", "agree": "I agree"})
    assert r.status_code == 302, r.data
    assert c.get("/api/phase").json["phase"] == "prestudy"
    r = c.post("/annotate", data={"english": "Yes"})  # refused: the page again, naming it
    assert r.status_code == 400 and b"shopping" in r.data


def test_logout_works_on_get_and_post(make_project):
    app = make_project()
    c = user(app)
    r = c.get("/logout")
    assert r.status_code == 302
    assert c.get("/api/current_instance").status_code == 401
    c = with_csrf(user(app, "bob"))
    assert c.post("/logout", headers={"Accept": "application/json"}).json["status"] == "success"
    assert c.get("/api/current_instance").status_code == 401


def test_registering_a_taken_name(make_project):
    app = make_project(require_password=True)
    register(app.test_client(), "ann", "first-pw-123")
    # Potato's form fields, as its page and tests send them: the page, with the message
    r = app.test_client().post("/register", data={"email": "ann", "pass": "other-pw-123"})
    assert r.status_code == 200 and b"already taken" in r.data
    r = app.test_client().post(
        "/register",
        data={"username": "ann", "password": "other-pw-123"},
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 409 and "already taken" in r.json["message"]
    r = app.test_client().post("/register", json={"username": "ann", "password": "x-pw-12345"})
    assert r.status_code == 409 and r.json["status"] == "error"
    # other refusals keep their status on the page
    r = app.test_client().post("/register", data={"username": "bad/name", "password": "pw-12345"})
    assert r.status_code == 400


def test_annotation_keys_without_a_colon_are_skipped_with_a_warning(make_project):
    app = make_project()
    c = user(app)
    iid = current_id(c)
    # only skipped keys: nothing would be saved, so that is refused, naming them
    r = c.post("/updateinstance", json={"instance_id": iid, "annotations": {"nocolon": "1"}})
    assert r.status_code == 400 and "skipped annotation key 'nocolon'" in r.json["message"]
    assert (
        c.get("/get_annotations", query_string={"instance_id": iid}).json["label_annotations"] == {}
    )
    assert app.extensions["potato_like"].store.users.by_name("ann").done_count == 0
    body = {"instance_id": iid, "annotations": {"oops": "1", "sentiment:positive": "1"}}
    r = c.post("/updateinstance", json=body)
    assert r.status_code == 200, r.json
    assert r.json["warnings"] == ["skipped annotation key 'oops': it must look like 'schema:label'"]
    got = c.get("/get_annotations", query_string={"instance_id": iid}).json
    assert got["label_annotations"] == {"sentiment": {"positive": "1"}}
    r = c.post(
        "/updateinstance", json={"instance_id": iid, "annotations": {"sentiment:neutral": "1"}}
    )
    assert "warnings" not in r.json


def test_next_with_required_questions_unanswered_is_a_validation_error(make_project):
    app = make_project(schemes=[radio("sentiment", ["positive", "negative"], required=True)])
    c = user(app)
    iid = current_id(c)
    r = c.post("/annotate", json={"action": "next_instance"})
    assert r.status_code == 400
    assert r.json["status"] == "validation_error"
    assert r.json["message"] == "Required annotation(s) not completed: sentiment"
    assert r.json["unsatisfied_schemas"] == ["sentiment"]
    assert current_id(c) == iid
    # /go_to is not checked, as in Potato (our page's Skip button uses it)
    assert c.post("/go_to", json={"action": "next_instance"}).json["instance_id"] != iid
    assert c.post("/go_to", json={"action": "prev_instance"}).json["instance_id"] == iid
    body = {"instance_id": iid, "annotations": {"sentiment:negative": "1"}}
    assert c.post("/updateinstance", json=body).status_code == 200
    r = c.post("/annotate", json={"action": "next_instance"})
    assert r.status_code == 200 and r.json["instance_id"] != iid
    # going back is never blocked
    assert c.post("/annotate", json={"action": "prev_instance"}).json["instance_id"] == iid


def test_next_without_requirements_is_not_blocked(make_project):
    c = user(make_project())
    iid = current_id(c)
    r = c.post("/annotate", json={"action": "next_instance"})
    assert r.status_code == 200 and r.json["instance_id"] != iid


def _one_answer(app):
    c = user(app)
    iid = current_id(c)
    body = {"instance_id": iid, "annotations": {"sentiment:positive": "1"}}
    assert c.post("/updateinstance", json=body).status_code == 200
    return iid


def test_admin_responses_carry_potato_keys_next_to_ours(make_project):
    app = make_project(items=3)
    iid = _one_answer(app)
    a = app.test_client()
    o = a.get("/admin/api/overview", headers=ADMIN).json
    assert o["total_items"] == 3 and o["overview"]["total_items"] == 3  # seed and Potato
    assert o["overview"]["total_users"] == 1 and o["overview"]["completion_percentage"] == 33.3
    assert o["config"]["annotation_task_name"] == "Test task"
    ann = a.get("/admin/api/annotators", headers=ADMIN).json
    assert ann["total_count"] == ann["total_annotators"] == 1
    row = ann["annotators"][0]
    assert row["annotations_count"] == row["total_annotations"] == 1 and row["phase"]
    inst = a.get("/admin/api/instances", headers=ADMIN, query_string={"page": 2, "page_size": 2})
    assert inst.json["pagination"] == {
        "page": 2,
        "page_size": 2,
        "total_instances": 3,
        "total_pages": 2,
        "has_next": False,
        "has_prev": True,
    }
    assert [i["id"] for i in inst.json["instances"]] == ["item_003"]
    first = a.get("/admin/api/instances", headers=ADMIN).json["instances"][0]
    assert first["id"] == iid and first["annotation_count"] == first["annotations_count"] == 1
    q = a.get("/admin/api/questions", headers=ADMIN).json
    sentiment = q["questions"][0]
    assert sentiment["total_answers"] == sentiment["total_annotations"] == 1
    assert sentiment["analysis"]["data"] == {
        "labels": ["positive", "negative", "neutral"],
        "counts": [1, 0, 0],
    }
    assert q["summary"]["total_annotations"] == 1
    fmt = a.get("/admin/api/export/formats", headers=ADMIN).json["formats"][0]
    assert fmt["format_name"] == fmt["name"] and fmt["file_extensions"] == [f".{fmt['extension']}"]
    b = a.get("/admin/api/behavioral_analytics", headers=ADMIN).json
    assert b["users"] == [] and b["annotators"] == [] and b["aggregate_stats"]["total_users"] == 0


def test_admin_user_state_has_potato_keys(make_project):
    app = make_project(items=3)
    iid = _one_answer(app)
    s = app.test_client().get("/admin/user_state/ann", headers=ADMIN).json
    assert s["user_id"] == s["username"] == "ann" and s["completed_count"] == 1
    assert s["current_instance"] == {
        "id": iid,
        "text": "Text number 1.",
        "displayed_text": "Text number 1.",
    }
    assert s["annotated"] == 1 and s["assignments"] == {"total": 1, "annotated": 1, "remaining": 0}
    assert s["annotations"] == {"total_count": 1, "by_instance": {iid: {"sentiment:positive": "1"}}}
    assert s["phase"] == s["current_phase"]


def test_export_for_potato_clients_is_written_on_the_server(make_project, tmp_path):
    app = make_project(items=3)
    _one_answer(app)
    a = app.test_client()
    r = a.post("/admin/api/export", json={"format": "csv"}, headers=ADMIN)
    assert r.status_code == 200 and r.mimetype == "text/csv"  # ours: a download
    elsewhere = tmp_path / "elsewhere"
    r = a.post(
        "/admin/api/export", json={"format": "jsonl", "output": str(elsewhere)}, headers=ADMIN
    )
    assert r.status_code == 200 and r.json["success"] is True and r.json["format"] == "jsonl"
    (written,) = r.json["files_written"]
    assert written.startswith(str(tmp_path / "out" / "exports" / "jsonl"))
    assert "sentiment" in Path(written).read_text(encoding="utf-8")
    assert not elsewhere.exists() and "'output' is ignored" in r.json["warnings"][0]
    r = a.post(
        "/admin/api/export", json={"format": "csv"}, headers={**ADMIN, "Accept": "application/json"}
    )
    assert r.json["success"] is True and r.json["files_written"][0].endswith(".csv")
    r = a.post("/admin/api/export", json={}, headers=ADMIN)
    assert r.status_code == 400 and "format" in r.json["error"]


def test_current_instance_carries_the_item_row(tmp_path, open_app):
    rows = [{"id": "a1", "text": "First.", "audio_url": "a.mp3"}, {"id": "a2", "text": "Two."}]
    (tmp_path / "data.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    app = open_app(write_config(tmp_path, base_config()))
    c = user(app)
    body = c.get("/api/current_instance").json
    assert body["instance_id"] == "a1" and body["data"] == rows[0]


def test_colors_list_every_scheme_with_its_labels(make_project):
    app = make_project(
        schemes=[
            radio("sentiment", ["positive", {"name": "negative", "color": "#ff0000"}]),
            {"annotation_type": "text", "name": "note"},
        ]
    )
    colors = app.test_client().get("/api/colors").json
    assert set(colors) == {"sentiment", "note"}
    assert colors["sentiment"]["negative"] == "#ff0000"
    assert colors["sentiment"]["positive"].startswith("#")
    assert colors["note"] == {}


def _span_project(make_project):
    schemes = [{"annotation_type": "span", "name": "ner", "labels": ["PER", "LOC"]}]
    return make_project(schemes=schemes)


def _backend_span(c, iid, label, start, end, value="true"):
    state = [{"name": label, "start": start, "end": end, "value": value}]
    body = {"instance_id": iid, "schema": "ner", "type": "span", "state": state}
    r = c.post("/updateinstance", json=body)
    assert r.status_code == 200, r.json
    return sorted(
        c.get("/get_annotations", query_string={"instance_id": iid}).json["span_annotations"]
    )


def test_backend_span_updates_add_one_span_each(make_project):
    c = user(_span_project(make_project))
    iid = current_id(c)  # "Text number 1."
    assert _backend_span(c, iid, "PER", 0, 4) == ["ner:PER:0:4"]
    assert _backend_span(c, iid, "LOC", 5, 11) == ["ner:LOC:5:11", "ner:PER:0:4"]
    # the same span again changes nothing; a null value removes that one span
    assert _backend_span(c, iid, "LOC", 5, 11) == ["ner:LOC:5:11", "ner:PER:0:4"]
    assert _backend_span(c, iid, "PER", 0, 4, value=None) == ["ner:LOC:5:11"]
    # the frontend format still replaces the scheme's spans
    body = {
        "instance_id": iid,
        "span_annotations": [{"schema": "ner", "label": "PER", "start": 0, "end": 4}],
    }
    assert c.post("/updateinstance", json=body).status_code == 200
    got = c.get("/get_annotations", query_string={"instance_id": iid}).json["span_annotations"]
    assert list(got) == ["ner:PER:0:4"]
