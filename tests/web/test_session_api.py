"""Seed 003 session API: shapes, formats, navigation and every bad input (nothing written)."""

from __future__ import annotations

import pytest

from tests.conftest import (
    BOSS_PASSWORD,
    BOSS_USERS,
    answer,
    csrf_headers,
    current_id,
    login,
    with_csrf,
)


def _annotations(client, iid):
    r = client.get(f"/get_annotations?instance_id={iid}")
    assert r.status_code == 200
    return r.json["label_annotations"]


def test_complete_annotation_flow_from_the_seed(make_project):
    app = make_project(items=3)
    session = app.test_client()
    session.post("/auth", data={"username": "annotator1", "password": "password123"})
    info = session.get("/api/current_instance").json
    assert info == {
        "instance_id": "item_001",
        "current_index": 0,
        "total_instances": 3,
        "data": {"id": "item_001", "text": "Text number 1."},  # Potato's key: the item's row
    }
    content = session.get(f"/api/spans/{info['instance_id']}").json
    assert content == {"instance_id": "item_001", "text": "Text number 1.", "spans": []}
    result = session.post(
        "/updateinstance",
        json={"instance_id": info["instance_id"], "annotations": {"sentiment:positive": "1"}},
    ).json
    assert result["status"] == "success"
    assert isinstance(result["processing_time_ms"], (int, float))
    assert result["performance_metrics"]["total_annotations"] == 1
    assert "session_duration" in result["performance_metrics"]
    r = session.post("/go_to", json={"action": "next_instance"})
    assert r.status_code == 200
    assert session.get("/api/current_instance").json["instance_id"] == "item_002"
    assert _annotations(session, "item_001") == {"sentiment": {"positive": "1"}}


def test_backend_format_and_nested_format(make_project):
    app = make_project()
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    r = c.post(
        "/updateinstance",
        json={
            "instance_id": iid,
            "schema": "sentiment",
            "type": "label",
            "state": [{"name": "positive", "value": "0"}, {"name": "negative", "value": "1"}],
        },
    )
    assert r.status_code == 200, r.json
    assert _annotations(c, iid) == {"sentiment": {"negative": "1"}}
    r = c.post(
        "/updateinstance",
        json={"instance_id": iid, "label_annotations": {"sentiment": {"neutral": "true"}}},
    )
    assert r.status_code == 200
    assert _annotations(c, iid) == {"sentiment": {"neutral": "1"}}


def test_radio_choice_replaces_previous_choice_and_zero_deselects(make_project):
    app = make_project()
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    answer(c, iid, **{"sentiment:positive": "1"})
    answer(c, iid, **{"sentiment:negative": "0"})  # deselecting another label changes nothing
    assert _annotations(c, iid) == {"sentiment": {"positive": "1"}}
    answer(c, iid, **{"sentiment:negative": "1"})
    assert _annotations(c, iid) == {"sentiment": {"negative": "1"}}
    r = answer(c, iid, **{"sentiment:negative": "0"})
    assert r.status_code == 200
    assert _annotations(c, iid) == {}


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        (
            {"instance_id": "item_001", "annotations": {"sentimnt:positive": "1"}},
            400,
            "did you mean 'sentiment'",
        ),
        ({"instance_id": "item_001", "annotations": {"sentiment:great": "1"}}, 400, "great"),
        (
            {
                "instance_id": "item_001",
                "annotations": {"sentiment:positive": "1", "sentiment:negative": "1"},
            },
            400,
            "choose one",
        ),
        (
            {"instance_id": "item_001", "annotations": {"sentiment:positive": {"x": 1}}},
            400,
            "value must be",
        ),
        ({"instance_id": "item_001", "annotations": {"nocolon": "1"}}, 400, "schema:label"),
        ({"instance_id": "item_001", "annotations": "positive"}, 400, "annotations"),
        ({"instance_id": "item_001"}, 400, "nothing to save"),
        ({"annotations": {"sentiment:positive": "1"}}, 400, "instance_id"),
        ({"instance_id": ["x"], "annotations": {}}, 400, "instance_id"),
        (
            {"instance_id": "no_such_item", "annotations": {"sentiment:positive": "1"}},
            404,
            "does not exist",
        ),
        (
            {"instance_id": "item_003", "annotations": {"sentiment:positive": "1"}},
            403,
            "not assigned",
        ),
        ({"instance_id": "item_001", "schema": "sentiment", "state": "bad"}, 400, "state"),
        (
            {"instance_id": "item_001", "schema": "entities", "type": "span", "state": []},
            400,
            "span",
        ),
        (
            {"instance_id": "item_001", "annotations": {}, "span_annotations": [{"schema": "e"}]},
            400,
            "span",
        ),
        ({"instance_id": "item_001", "annotations": {}, "draft": "yes"}, 400, "draft"),
        ([1, 2, 3], 400, "JSON object"),
    ],
)
def test_bad_updates_are_refused_and_nothing_is_written(make_project, body, status, needle):
    app = make_project()
    c = login(app.test_client(), "ann")
    assert current_id(c) == "item_001"
    r = c.post("/updateinstance", json=body)
    assert r.status_code == status, r.json
    assert needle in r.json["error"]
    assert _annotations(c, "item_001") == {}
    project = app.extensions["potato_like"]
    assert project.store.users.by_name("ann").done_count == 0


def test_broken_json_and_wrong_content_type(make_project):
    app = make_project()
    c = login(app.test_client(), "ann")
    r = c.post("/updateinstance", data="{not json", content_type="application/json")
    assert r.status_code == 400 and "error" in r.json
    r = c.post("/updateinstance", data={"instance_id": "item_001"})
    assert r.status_code == 400


def test_huge_body_is_refused(make_project):
    app = make_project()
    c = login(app.test_client(), "ann")
    current_id(c)
    big = "x" * (3 * 1024 * 1024)
    r = c.post(
        "/updateinstance",
        json={"instance_id": "item_001", "annotations": {"sentiment:positive": big}},
    )
    assert r.status_code == 413
    assert r.json["error"] == "request body too large"


def test_required_scheme_blocks_submit_but_not_draft(make_project):
    app = make_project(
        schemes=[
            {
                "annotation_type": "radio",
                "name": "sentiment",
                "description": "s",
                "labels": ["positive", "negative"],
                "label_requirement": {"required": True},
            },
            {"annotation_type": "text", "name": "why", "description": "why?"},
        ]
    )
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    r = c.post("/updateinstance", json={"instance_id": iid, "annotations": {"why:text_box": "hmm"}})
    assert r.status_code == 400 and "sentiment: an answer is required" in r.json["error"]
    assert r.json["missing"] == ["s (an answer is required)"]
    assert r.json["missing_schemas"] == ["sentiment"]
    assert _annotations(c, iid) == {}
    r = c.post(
        "/updateinstance",
        json={"instance_id": iid, "annotations": {"why:text_box": "hmm"}, "draft": True},
    )
    assert r.status_code == 200 and r.json["instance_status"] == "in_progress"
    r = c.post(
        "/updateinstance", json={"instance_id": iid, "annotations": {"sentiment:positive": "1"}}
    )
    assert r.status_code == 200 and r.json["instance_status"] == "completed"
    assert _annotations(c, iid) == {"sentiment": {"positive": "1"}, "why": {"text_box": "hmm"}}


def test_users_cannot_read_items_not_assigned_to_them(make_project):
    app = make_project(items=4)
    a = login(app.test_client(), "a")
    b = login(app.test_client(), "b")
    current_id(a)
    assert b.get("/api/spans/item_002").status_code == 403
    assert b.get("/get_annotations?instance_id=item_002").status_code == 403
    assert b.get("/get_annotations").status_code == 400
    assert b.get("/api/spans/nope").status_code == 404


def test_users_see_only_their_own_annotations(make_project):
    app = make_project(items=2)
    a = login(app.test_client(), "a")
    b = login(app.test_client(), "b")
    answer(a, current_id(a), **{"sentiment:positive": "1"})
    assert current_id(b) == "item_001"  # unlimited overlap: b gets the same first item
    assert _annotations(b, "item_001") == {}


def test_go_to_by_id_index_form_and_actions(make_project):
    app = make_project(items=5)
    c = login(app.test_client(), "ann")
    assert current_id(c) == "item_001"
    r = c.post("/go_to", json={"go_to": "item_004"})
    assert r.json["instance_id"] == "item_004"
    assert r.json["current_index"] == 1  # appended to the user's list
    r = c.post("/go_to", json={"go_to": 0})
    assert r.json["instance_id"] == "item_001"
    r = c.post("/go_to", json={"action": "next_instance"})
    assert r.json["instance_id"] == "item_004"
    r = c.post("/go_to", json={"action": "next_instance"})
    assert r.json["instance_id"] == "item_002"  # past the end: the next item in order
    r = c.post(
        "/go_to", data={"go_to": "0"}, headers=csrf_headers(c)
    )  # Potato's form: an index, redirects to the page
    assert r.status_code == 302
    assert current_id(c) == "item_001"
    r = c.post("/go_to", json={"action": "prev_instance"})
    assert r.json["instance_id"] == "item_001"  # already first: stays
    assert c.post("/go_to", json={"go_to": 99}).status_code == 400
    assert c.post("/go_to", json={"go_to": "nope"}).status_code == 404
    assert c.post("/go_to", json={"action": "sideways"}).status_code == 400
    assert c.post("/go_to", json={}).status_code == 400
    assert c.post("/go_to", json=[1]).status_code == 400


def test_jumping_disabled(make_project):
    app = make_project(items=5, jumping_to_id_disabled=True)
    c = login(app.test_client(), "ann")
    current_id(c)
    r = c.post("/go_to", json={"go_to": "item_004"})
    assert r.status_code == 403 and "disabled" in r.json["error"]
    assert c.post("/go_to", json={"action": "next_instance"}).json["instance_id"] == "item_002"
    assert c.post("/go_to", json={"action": "prev_instance"}).json["instance_id"] == "item_001"
    page = c.get("/annotate").data
    assert b'id="goto-form"' not in page


def test_annotate_post_action_saves_and_navigates(make_project):
    app = make_project(items=3)
    c = with_csrf(login(app.test_client(), "ann"))  # the page's form carries the token
    iid = current_id(c)
    r = c.post(
        "/annotate",
        json={
            "action": "next_instance",
            "instance_id": iid,
            "annotations": {"sentiment:neutral": "1"},
        },
    )
    assert r.status_code == 200 and r.json["instance_id"] == "item_002"
    assert r.json["save"]["status"] == "success"
    assert _annotations(c, iid) == {"sentiment": {"neutral": "1"}}
    r = c.post("/annotate", json={"action": "go_to", "go_to": "item_001"})
    assert r.json["instance_id"] == "item_001"


def test_finished_user_sees_finished_state(make_project):
    app = make_project(items=2)
    c = login(app.test_client(), "ann")
    for _ in range(2):
        iid = current_id(c)
        assert answer(c, iid, **{"sentiment:positive": "1"}).status_code == 200
        c.post("/go_to", json={"action": "next_instance"})
    info = c.get("/api/current_instance").json
    assert info == {"instance_id": None, "current_index": 2, "total_instances": 2, "finished": True}
    r = c.get("/annotate")
    assert r.status_code == 302 and r.headers["Location"].endswith("/done")
    page = c.get("/done").data.decode()
    assert "All done" in page and "<strong>2</strong>" in page
    r = c.post("/go_to", json={"action": "prev_instance"})
    assert r.json["instance_id"] == "item_002"  # can still go back and review


def test_schemas_colors_and_health(make_project):
    app = make_project(
        schemes=[
            {
                "annotation_type": "radio",
                "name": "sentiment",
                "description": "How?",
                "labels": [{"name": "pos", "color": "#22c55e", "key_value": "p"}, "neg"],
            },
            {
                "annotation_type": "slider",
                "name": "intensity",
                "description": "How much?",
                "min_value": 0,
                "max_value": 10,
                "starting_value": 5,
            },
        ]
    )
    c = app.test_client()
    schemas = c.get("/api/schemas").json
    assert schemas["sentiment"]["labels"] == ["pos", "neg"]
    assert schemas["sentiment"]["type"] == "radio"
    assert schemas["sentiment"]["keys"]["p"] == "pos"
    assert schemas["intensity"]["type"] == "slider" and schemas["intensity"]["max_value"] == 10
    colors = c.get("/api/colors").json  # every scheme, every label (as Potato)
    assert colors["sentiment"]["pos"] == "#22c55e" and colors["sentiment"]["neg"].startswith("#")
    assert colors["intensity"] == {}
    assert c.get("/health").json == {"status": "healthy"}


def test_unknown_routes_and_methods_answer_json(make_project):
    app = make_project()
    c = app.test_client()
    r = c.get("/api/nope")
    assert r.status_code == 404
    assert r.json == {"status": "error", "message": "not found", "error": "not found"}
    r = c.get("/updateinstance")
    assert r.status_code == 405 and "not allowed" in r.json["error"]


def test_annotation_page_escapes_data_and_shows_progress(make_project, tmp_path):
    app = make_project(items=3)
    c = login(app.test_client(), "ann")
    page = c.get("/annotate").data.decode()
    assert 'data-testid="progress">1 of 3' in page
    assert "Text number 1." in page
    assert 'data-key="1"' in page  # single radio scheme: 1..9 bound automatically


def test_form_post_without_javascript_saves_answers(make_project):
    app = make_project(
        items=3,
        schemes=[
            {
                "annotation_type": "radio",
                "name": "sentiment",
                "description": "s",
                "labels": ["positive", "negative"],
            },
            {
                "annotation_type": "multiselect",
                "name": "topics",
                "description": "t",
                "labels": ["a", "b"],
            },
            {"annotation_type": "text", "name": "note", "description": "n"},
        ],
    )
    c = with_csrf(login(app.test_client(), "ann"))  # the page's form carries the token
    iid = current_id(c)
    r = c.post(
        "/annotate",
        data={
            "instance_id": iid,
            "action": "next_instance",
            "sentiment": "negative",
            "topics:b": "1",
            "note:text_box": "hi",
        },
    )
    assert r.status_code == 302
    assert _annotations(c, iid) == {
        "sentiment": {"negative": "1"},
        "topics": {"b": "1"},
        "note": {"text_box": "hi"},
    }
    assert current_id(c) == "item_002"


def test_annotate_refuses_bad_navigation_before_saving(make_project):
    app = make_project()
    c = with_csrf(login(app.test_client(), "ann"))  # the page's form carries the token
    iid = current_id(c)
    r = c.post(
        "/annotate",
        json={"action": "sideways", "instance_id": iid, "annotations": {"sentiment:positive": "1"}},
    )
    assert r.status_code == 400
    assert _annotations(c, iid) == {}


def test_go_to_form_post_with_index(make_project):
    app = make_project(items=3)
    c = login(app.test_client(), "ann")
    current_id(c)
    c.post("/go_to", json={"action": "next_instance"})
    assert c.post("/go_to", data={"go_to": "0"}, headers=csrf_headers(c)).status_code == 302
    assert current_id(c) == "item_001"


def test_hide_navbar_and_label_text(make_project):
    app = make_project(hide_navbar=True, schemes=[radio_with_text()])
    c = login(app.test_client(), "ann")
    page = c.get("/annotate").data.decode()
    assert "Log out" not in page and 'class="brand"' not in page
    assert "Very good" in page and 'value="pos"' in page


def radio_with_text():
    return {
        "annotation_type": "radio",
        "name": "q",
        "description": "q",
        "labels": [{"name": "pos", "text": "Very good"}, {"name": "neg", "text": "Bad"}],
    }


def test_removing_an_admin_from_the_config_revokes_rights(make_project, tmp_path):
    app = make_project(admin_users=["boss"], user_config=BOSS_USERS)
    assert login(app.test_client(), "boss", BOSS_PASSWORD).get("/admin/health").status_code == 200
    project = app.extensions["potato_like"]
    project.close()
    from potato_like import create_app
    from tests.conftest import base_config, write_config

    app2 = create_app(write_config(tmp_path, base_config(admin_users=[]), "demoted.yaml"))
    try:
        assert (
            login(app2.test_client(), "boss", BOSS_PASSWORD).get("/admin/health").status_code == 403
        )
        assert app2.extensions["potato_like"].store.users.by_name("boss") is not None
    finally:
        app2.extensions["potato_like"].close()
