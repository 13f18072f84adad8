"""Per-project caches live in one place, `Project.cache(name, factory)`: built once, shared by
concurrent first callers, separate per project, and used by every per-project cache."""

from __future__ import annotations

import dataclasses
import threading
import time

from potato_like.web import admin_state, tracking
from tests.conftest import ADMIN, answer, current_id, login


def test_cache_builds_once_and_returns_the_same_object(make_project):
    project = make_project(items=1).extensions["potato_like"]
    built = []

    def factory():
        built.append(1)
        return object()

    first = project.cache("thing", factory)
    assert project.cache("thing", factory) is first
    assert built == [1]
    assert project.cache("other", factory) is not first


def test_concurrent_first_callers_share_one_object(make_project):
    project = make_project(items=1).extensions["potato_like"]

    def slow_factory():
        time.sleep(0.05)
        return object()

    got = []
    threads = [
        threading.Thread(target=lambda: got.append(project.cache("slow", slow_factory)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8
    assert len({id(x) for x in got}) == 1


def test_two_projects_never_share_a_cache(make_project):
    a = make_project(items=1).extensions["potato_like"]
    b = dataclasses.replace(a, _caches={})
    assert a.cache("agreement", dict) is not b.cache("agreement", dict)


def test_agreement_behaviour_and_questions_caches_go_through_project_cache(make_project):
    app = make_project(items=2)
    for bp in (tracking.bp, admin_state.bp):
        if bp.name not in app.blueprints:
            app.register_blueprint(bp)
    project = app.extensions["potato_like"]
    fields_before = set(vars(project))
    client = login(app.test_client(), "ann1")
    iid = current_id(client)
    assert answer(client, iid, **{"sentiment:positive": "1"}).status_code == 200
    assert (
        client.post(
            "/api/track_interactions",
            json={"instance_id": iid, "events": [{"type": "focus", "t": 1}]},
        ).status_code
        == 200
    )
    admin = app.test_client()
    assert admin.get("/admin/api/agreement", headers=ADMIN).status_code == 200
    assert admin.get("/admin/api/questions", headers=ADMIN).status_code == 200
    assert {"agreement", "behavior", "admin_state_reports"} <= set(project._caches)
    # nothing was hung on the project or the app ad hoc
    assert set(vars(project)) == fields_before
    assert not [k for k in app.extensions if k.endswith("_cache")]
