"""The same project on PostgreSQL: store, leasing, overlap under concurrency, import."""

from __future__ import annotations

import pytest

from tests.conftest import annotate_concurrently, answer, current_id, login

pytestmark = pytest.mark.postgres


def test_seed_flow_on_postgres(make_project, pg_url):
    app = make_project(items=3, database_url=pg_url)
    assert app.extensions["potato_like"].store.engine.dialect.name == "postgresql"
    c = login(app.test_client(), "annotator1")
    iid = current_id(c)
    assert answer(c, iid, **{"sentiment:positive": "1"}).json["status"] == "success"
    c.post("/go_to", json={"action": "next_instance"})
    assert current_id(c) == "item_002"
    got = c.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    assert got == {"sentiment": {"positive": "1"}}


def test_overlap_holds_under_concurrency_on_postgres(make_project, pg_url):
    app = make_project(items=20, max_annotations_per_item=2, database_url=pg_url)
    counts, errors = annotate_concurrently(app, users=6)
    assert errors == []
    assert max(counts.values()) == 2 and sum(counts.values()) == 40


def test_export_and_reimport_on_postgres(make_project, pg_url, tmp_path):
    app = make_project(items=4, database_url=pg_url)
    project = app.extensions["potato_like"]
    c = login(app.test_client(), "ann")
    answer(c, current_id(c), **{"sentiment:negative": "1"})
    rows = list(project.store.annotations.iter_annotated())
    assert [(r.item_id, r.user) for r in rows] == [("item_001", "ann")]
    project.close()
    from potato_like import create_app
    from tests.conftest import base_config, write_config, write_items

    write_items(tmp_path / "data.jsonl", 6)
    app2 = create_app(write_config(tmp_path, base_config(database_url=pg_url), "again.yaml"))
    try:
        report = app2.extensions["potato_like"].import_report
        assert report.changed and report.added == 2
        assert app2.extensions["potato_like"].store.items.count() == 6
    finally:
        app2.extensions["potato_like"].close()


def test_crowd_arrival_return_and_code_on_postgres(make_project, pg_url):
    app = make_project(
        items=1,
        database_url=pg_url,
        login={"type": "prolific"},
        completion_code="PGCODE",
        crowdsourcing={"provider": "prolific", "time_limit_minutes": 10},
    )
    project = app.extensions["potato_like"]
    c = app.test_client()
    assert c.get("/?PROLIFIC_PID=PG1&STUDY_ID=S&SESSION_ID=X1").status_code == 302
    assert c.get("/?PROLIFIC_PID=PG1&SESSION_ID=X2").status_code == 302
    uid = project.store.users.by_name("PG1").id
    s = project.store.crowd.get(uid)
    assert (s.study_id, s.session_id, s.visits) == ("S", "X2", 2) and s.deadline
    answer(c, current_id(c), **{"sentiment:positive": "1"})
    c.post("/go_to", json={"action": "next_instance"})
    assert b"PGCODE" in c.get("/done").data
    assert project.store.crowd.get(uid).code == "PGCODE"
