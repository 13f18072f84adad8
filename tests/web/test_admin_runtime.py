"""Run-time admin endpoints: GET/POST /admin/api/config and /admin/api/suspicious_activity."""

from __future__ import annotations

import time

import pytest

from potato_like import create_app
from potato_like.web import admin_runtime
from tests.conftest import ADMIN, answer, current_id, login, register


def make(make_project, **overrides):
    app = make_project(**overrides)
    if "admin_runtime" not in app.blueprints:
        app.register_blueprint(admin_runtime.bp)
    return app


def get_config(app):
    response = app.test_client().get("/admin/api/config", headers=ADMIN)
    assert response.status_code == 200, response.json
    return response.json


def post_config(app, body):
    return app.test_client().post("/admin/api/config", json=body, headers=ADMIN)


def total_for_new_user(app, name):
    client = login(app.test_client(), name)
    return client.get("/api/current_instance").json["total_instances"]


# -- GET /admin/api/config ----------------------------------------------------------------------
def test_config_shape(make_project):
    app = make(make_project, items=7, max_annotations_per_user=4, instructions="<b>Read</b>")
    body = get_config(app)
    assert body["annotation_task_name"] == "Test task"
    assert [s["name"] for s in body["annotation_schemes"]] == ["sentiment"]
    assert body["total_items"] == 7
    assert body["output_format"] == "jsonl"
    assert body["max_annotations_per_user"] == 4
    assert body["assignment_timeout_minutes"] == 60.0
    assert body["jumping_to_id_disabled"] is False
    assert body["instructions"] == "<b>Read</b>"
    assert body["annotation_codebook_url"] is None
    assert body["suspicious_activity"] == {
        "rapid_submissions_per_minute": 20,
        "min_seconds_per_item": 3.0,
        "same_answer_streak": 15,
    }
    assert "jumping_to_id_disabled" in body["runtime_settings"]


def test_config_needs_admin(make_project):
    app = make(make_project)
    for method in ("get", "post"):
        anonymous = getattr(app.test_client(), method)("/admin/api/config", json={})
        assert anonymous.status_code == 403
        user = login(app.test_client(), "ann")
        assert getattr(user, method)("/admin/api/config", json={}).status_code == 403
        wrong = getattr(app.test_client(), method)(
            "/admin/api/config", json={}, headers={"X-API-Key": "wrong-key-000000"}
        )
        assert wrong.status_code == 403
    assert app.test_client().get("/admin/api/suspicious_activity").status_code == 403
    user = login(app.test_client(), "ann2")
    assert user.get("/admin/api/suspicious_activity").status_code == 403


# -- POST /admin/api/config ---------------------------------------------------------------------
def test_max_annotations_per_user_changes_new_users_total(make_project):
    app = make(make_project, items=8)
    assert total_for_new_user(app, "before") == 8
    response = post_config(app, {"max_annotations_per_user": 3})
    assert response.status_code == 200, response.json
    assert response.json["updated"] == ["max_annotations_per_user"]
    assert response.json["max_annotations_per_user"] == 3
    assert total_for_new_user(app, "after") == 3
    assert get_config(app)["max_annotations_per_user"] == 3
    # -1 (Potato's convention) and null both mean "no limit".
    for unlimited in (-1, None):
        assert post_config(app, {"max_annotations_per_user": 3}).status_code == 200
        assert post_config(app, {"max_annotations_per_user": unlimited}).status_code == 200
        assert get_config(app)["max_annotations_per_user"] is None
    assert total_for_new_user(app, "later") == 8


def test_jumping_to_id_disabled_refuses_go_to_by_id(make_project):
    app = make(make_project, items=5)
    client = login(app.test_client(), "ann")
    assert current_id(client) == "item_001"
    assert client.post("/go_to", json={"go_to": "item_001"}).status_code == 200
    assert post_config(app, {"jumping_to_id_disabled": True}).status_code == 200
    refused = client.post("/go_to", json={"go_to": "item_004"})
    assert refused.status_code == 403
    assert "disabled" in refused.json["error"]
    # (finished first: a jump may add only one open item to the one being worked on)
    assert answer(client, "item_001", **{"sentiment:positive": "1"}).status_code == 200
    assert client.post("/go_to", json={"action": "next_instance"}).status_code == 200
    assert post_config(app, {"jumping_to_id_disabled": False}).status_code == 200
    assert client.post("/go_to", json={"go_to": "item_004"}).status_code == 200


def test_timeout_instructions_codebook_and_thresholds(make_project):
    app = make(make_project)
    project = app.extensions["potato_like"]
    response = post_config(
        app,
        {
            "assignment_timeout_minutes": 5,
            "instructions": '<p onclick="x()">Be <em>careful</em><script>alert(1)</script></p>',
            "annotation_codebook_url": "https://example.org/codebook",
            "suspicious_activity": {"same_answer_streak": 4},
        },
    )
    assert response.status_code == 200, response.json
    assert project.policy.timeout_seconds == 300
    body = get_config(app)
    assert body["assignment_timeout_minutes"] == 5
    assert body["instructions"] == "<p>Be <em>careful</em></p>"
    assert body["annotation_codebook_url"] == "https://example.org/codebook"
    # A partial mapping changes only the threshold it names.
    assert body["suspicious_activity"] == {
        "rapid_submissions_per_minute": 20,
        "min_seconds_per_item": 3.0,
        "same_answer_streak": 4,
    }
    page = login(app.test_client(), "ann").get("/annotate")
    assert b"careful" in page.data and b"alert(1)" not in page.data
    assert b"https://example.org/codebook" in page.data
    assert post_config(app, {"assignment_timeout_minutes": None}).status_code == 200
    assert project.policy.timeout_seconds is None
    assert get_config(app)["assignment_timeout_minutes"] is None
    # Potato's alias for instructions is accepted too.
    assert post_config(app, {"annotation_instructions": "Hello"}).status_code == 200
    assert get_config(app)["instructions"] == "Hello"


@pytest.mark.parametrize("key", ["annotation_schemes", "data_files", "database_url", "phases"])
def test_unsafe_keys_are_refused_and_nothing_changes(make_project, key):
    app = make(make_project)
    before = get_config(app)
    response = post_config(app, {key: [], "jumping_to_id_disabled": True})
    assert response.status_code == 400
    assert any(
        p.startswith(f"{key}:") and "edit the config file and restart" in p
        for p in response.json["problems"]
    )
    assert key in " ".join(response.json["problems"])
    assert get_config(app) == before


def test_typo_gets_a_did_you_mean_hint(make_project):
    app = make(make_project)
    response = post_config(app, {"max_annotation_per_user": 3})
    assert response.status_code == 400
    (problem,) = response.json["problems"]
    assert "did you mean 'max_annotations_per_user'" in problem


def test_every_problem_is_listed_at_once(make_project):
    app = make(make_project)
    before = get_config(app)
    response = post_config(
        app,
        {
            "max_annotations_per_user": "many",
            "assignment_timeout_minutes": -5,
            "jumping_to_id_disabled": "perhaps",
            "annotation_codebook_url": "ftp://x",
            "suspicious_activity": {"same_answer_streak": 1, "rapid_per_minute": 3},
        },
    )
    assert response.status_code == 400
    problems = response.json["problems"]
    assert "error" in response.json
    for where in (
        "max_annotations_per_user:",
        "assignment_timeout_minutes:",
        "jumping_to_id_disabled:",
        "annotation_codebook_url:",
        "suspicious_activity.same_answer_streak:",
        "suspicious_activity.rapid_per_minute:",
    ):
        assert any(p.startswith(where) for p in problems), (where, problems)
    assert get_config(app) == before


def test_bad_bodies(make_project):
    app = make(make_project)
    client = app.test_client()
    for body in ({}, [], "x"):
        assert client.post("/admin/api/config", json=body, headers=ADMIN).status_code == 400
    assert client.post("/admin/api/config", data="not json", headers=ADMIN).status_code == 400


def test_settings_survive_a_restart_and_log_an_event(make_project, tmp_path):
    app = make(make_project, items=6)
    assert post_config(app, {"max_annotations_per_user": 2}).status_code == 200
    assert post_config(app, {"jumping_to_id_disabled": True}).status_code == 200
    project = app.extensions["potato_like"]
    with project.store.read() as conn:
        from sqlalchemy import select

        from potato_like.store.tables import events

        kinds = conn.execute(
            select(events.c.kind, events.c.data).where(events.c.kind == "config_change")
        ).all()
    assert [row.data for row in kinds] == [
        '{"max_annotations_per_user": 2}',
        '{"jumping_to_id_disabled": true}',
    ]
    project.close()
    again = create_app(tmp_path / "config.yaml")
    try:
        again.config["TESTING"] = True
        restarted = again.extensions["potato_like"]
        assert restarted.config.max_annotations_per_user == 2
        assert restarted.policy.per_user_cap == 2
        assert restarted.policy.allow_jump is False
        assert total_for_new_user(again, "fresh") == 2
    finally:
        again.extensions["potato_like"].close()


def test_config_file_edit_wins_over_an_older_runtime_change(make_project, tmp_path):
    import yaml

    app = make(make_project, items=6)
    assert post_config(app, {"max_annotations_per_user": 2}).status_code == 200
    app.extensions["potato_like"].close()
    path = tmp_path / "config.yaml"
    raw = yaml.safe_load(path.read_text())
    raw["max_annotations_per_user"] = 4
    path.write_text(yaml.safe_dump(raw))
    again = create_app(path)
    try:
        assert again.extensions["potato_like"].config.max_annotations_per_user == 4
    finally:
        again.extensions["potato_like"].close()


# -- GET /admin/api/suspicious_activity ---------------------------------------------------------
def script_submits(app, username, times, labels):
    """Record submit events for `username` at the given times with the given labels."""
    project = app.extensions["potato_like"]
    client = app.test_client()
    register(client, username)
    user = project.store.users.by_name(username)
    with project.store.write() as conn:
        for i, (ts, label) in enumerate(zip(times, labels, strict=True)):
            project.store.events.append(
                conn,
                "submit",
                user_id=user.id,
                item_seq=1 + i % 5,
                data={"changes": {"sentiment": {label: "1"}}},
                ts=ts,
            )


def get_suspicious(app, query=""):
    response = app.test_client().get(f"/admin/api/suspicious_activity{query}", headers=ADMIN)
    assert response.status_code == 200, response.json
    return response.json


def test_fast_annotator_is_flagged_and_normal_one_is_not(make_project):
    app = make(make_project)
    start = time.time() - 3600
    script_submits(app, "bot", [start + i * 1.0 for i in range(30)], ["positive"] * 30)
    labels = ["positive", "negative", "neutral"]
    script_submits(
        app, "human", [start + i * 20.0 for i in range(30)], [labels[i % 3] for i in range(30)]
    )
    body = get_suspicious(app)
    assert [u["user_id"] for u in body["suspicious_users"]] == ["bot"]
    bot = body["suspicious_users"][0]
    assert bot["flags"] == ["rapid_submissions", "low_time_per_item", "same_answer_streak"]
    assert bot["annotations_count"] == 30
    assert bot["avg_time_per_item"] == 1.0
    assert bot["max_submissions_per_minute"] == 30
    assert bot["longest_same_answer_streak"] == 30
    assert body["thresholds"]["rapid_submissions_per_minute"] == 20
    assert body["users_checked"] == 2


def test_each_flag_on_its_own(make_project):
    app = make(make_project)
    start = time.time() - 7200
    labels = ["positive", "negative", "neutral"]
    # 12 submits 2 s apart: too fast per item, but not more than 20 a minute.
    script_submits(
        app, "quick", [start + i * 2.0 for i in range(12)], [labels[i % 3] for i in range(12)]
    )
    # 16 identical answers at a calm pace.
    script_submits(app, "samey", [start + i * 30.0 for i in range(16)], ["neutral"] * 16)
    # 9 submits 1 s apart: too few to judge speed; a burst of 25 in a minute after a break.
    burst = [start + 3000 + i * 2.4 for i in range(25)]
    script_submits(app, "bursty", burst, [labels[i % 3] for i in range(25)])
    flags = {u["user_id"]: u["flags"] for u in get_suspicious(app)["suspicious_users"]}
    assert flags == {
        "quick": ["low_time_per_item"],
        "samey": ["same_answer_streak"],
        "bursty": ["rapid_submissions", "low_time_per_item"],
    }


def test_too_few_submits_are_not_judged_for_speed(make_project):
    app = make(make_project)
    start = time.time() - 600
    labels = ["positive", "negative", "neutral"]
    script_submits(app, "short", [start + i for i in range(9)], [labels[i % 3] for i in range(9)])
    assert get_suspicious(app)["suspicious_users"] == []


def test_thresholds_from_config_are_respected(make_project):
    app = make(
        make_project,
        suspicious_activity={
            "rapid_submissions_per_minute": 100,
            "min_seconds_per_item": 0.5,
            "same_answer_streak": 40,
        },
    )
    start = time.time() - 3600
    script_submits(app, "bot", [start + i * 1.0 for i in range(30)], ["positive"] * 30)
    body = get_suspicious(app)
    assert body["suspicious_users"] == []
    assert body["thresholds"]["same_answer_streak"] == 40
    # Changed at run time, the new thresholds apply at once.
    assert post_config(app, {"suspicious_activity": {"same_answer_streak": 10}}).status_code == 200
    (bot,) = get_suspicious(app)["suspicious_users"]
    assert bot["flags"] == ["same_answer_streak"]


def test_hours_window_bounds_the_events(make_project):
    app = make(make_project)
    old = time.time() - 48 * 3600
    script_submits(app, "bot", [old + i * 1.0 for i in range(30)], ["positive"] * 30)
    assert get_suspicious(app)["suspicious_users"] == []
    assert get_suspicious(app, "?hours=24")["suspicious_users"] == []
    (bot,) = get_suspicious(app, "?hours=72")["suspicious_users"]
    assert bot["user_id"] == "bot"


def test_real_quick_annotations_are_seen(make_project):
    app = make(make_project, items=25)
    client = login(app.test_client(), "clicker")
    for _ in range(22):
        iid = current_id(client)
        response = client.post(
            "/updateinstance",
            json={"instance_id": iid, "annotations": {"sentiment:positive": "1"}},
        )
        assert response.status_code == 200
        client.post("/go_to", json={"action": "next_instance"})
    (user,) = get_suspicious(app)["suspicious_users"]
    assert user["user_id"] == "clicker"
    assert {"rapid_submissions", "low_time_per_item", "same_answer_streak"} <= set(user["flags"])
    assert user["annotations_count"] == 22


@pytest.mark.parametrize("hours", ["0", "-1", "721", "abc", "nan", "inf"])
def test_bad_hours(make_project, hours):
    app = make(make_project)
    response = app.test_client().get(f"/admin/api/suspicious_activity?hours={hours}", headers=ADMIN)
    assert response.status_code == 400
    assert "hours" in response.json["error"]


def test_bad_suspicious_activity_config_is_reported(tmp_path):
    from potato_like.config.validate import load_config
    from potato_like.errors import ConfigError
    from tests.conftest import base_config, write_config, write_items

    write_items(tmp_path / "data.jsonl", 3)
    config = base_config(
        suspicious_activity={"min_seconds_per_item": "slow", "same_answer_streak": 0}
    )
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path, config))
    text = "\n".join(err.value.problems)
    assert "suspicious_activity.min_seconds_per_item:" in text
    assert "suspicious_activity.same_answer_streak:" in text


# -- several processes on one store ---------------------------------------------------------------
def two_servers(make_project, tmp_path, **overrides):
    """Two apps on one config and one database, as two server processes would be."""
    first = make(make_project, items=6, **overrides)
    second = create_app(tmp_path / "config.yaml")
    second.config["TESTING"] = True
    return first, second


def check_other_process_follows(first, second, monkeypatch):
    import potato_like.project as project_module

    other = second.extensions["potato_like"]
    monkeypatch.setattr(project_module, "RUNTIME_REFRESH_SECONDS", 3600.0)
    assert get_config(second)["max_annotations_per_user"] is None
    assert post_config(first, {"max_annotations_per_user": 2}).status_code == 200
    assert post_config(first, {"jumping_to_id_disabled": True}).status_code == 200
    # Within the refresh interval the other process still serves what it had...
    assert other.config.max_annotations_per_user is None
    assert get_config(second)["max_annotations_per_user"] is None
    # ...and once it has passed, its next request applies the persisted settings.
    monkeypatch.setattr(project_module, "RUNTIME_REFRESH_SECONDS", 0.0)
    body = get_config(second)
    assert body["max_annotations_per_user"] == 2 and body["jumping_to_id_disabled"] is True
    assert other.policy.per_user_cap == 2 and other.policy.allow_jump is False
    assert total_for_new_user(second, "fresh") == 2
    # A later change (the file's value back) reaches it too, without a re-read in between.
    assert post_config(first, {"max_annotations_per_user": None}).status_code == 200
    assert get_config(second)["max_annotations_per_user"] is None
    assert other.policy.per_user_cap is None and other.policy.allow_jump is False


def test_a_change_reaches_another_process_on_sqlite(make_project, tmp_path, monkeypatch):
    first, second = two_servers(make_project, tmp_path)
    try:
        check_other_process_follows(first, second, monkeypatch)
    finally:
        second.extensions["potato_like"].close()


@pytest.mark.postgres
def test_a_change_reaches_another_process_on_postgres(make_project, tmp_path, monkeypatch, pg_url):
    first, second = two_servers(make_project, tmp_path, database_url=pg_url)
    try:
        check_other_process_follows(first, second, monkeypatch)
    finally:
        second.extensions["potato_like"].close()


def test_refresh_reads_the_store_at_most_once_per_interval(make_project, monkeypatch):
    app = make(make_project)
    project = app.extensions["potato_like"]
    reads = []
    real = project.store.get_meta
    monkeypatch.setattr(
        project.store, "get_meta", lambda key, conn=None: reads.append(key) or real(key, conn)
    )
    project._settings_checked = 0.0  # as if the interval had passed
    for _ in range(5):
        project.refresh_runtime_settings()
    assert reads == ["runtime_settings"]
