"""GET /admin/api/annotators carries Potato's suspicion score and level per annotator and
its `summary`, computed from the stored submits."""

from __future__ import annotations

import itertools

from tests.conftest import ADMIN, answer, current_id, login


def submit_all(c, n):
    for _ in range(n):
        iid = current_id(c)
        assert answer(c, iid, **{"sentiment:positive": "1"}).status_code == 200
        c.post("/go_to", json={"action": "next_instance"})


def test_fast_and_paced_annotators_get_potatos_levels(make_project, monkeypatch):
    app = make_project(items=6)
    fast = login(app.test_client(), "fast")
    submit_all(fast, 5)  # the test client submits well under half a second apart
    clock = itertools.count(1_900_000_000, 30)  # a submit every 30 s
    monkeypatch.setattr("potato_like.store.annotations.time.time", lambda: float(next(clock)))
    paced = login(app.test_client(), "paced")
    submit_all(paced, 4)
    monkeypatch.undo()
    login(app.test_client(), "idle")

    body = app.test_client().get("/admin/api/annotators", headers=ADMIN).json
    by_name = {a["user_id"]: a for a in body["annotators"]}
    assert by_name["fast"]["total_actions"] == 5
    assert by_name["fast"]["suspicious_level"] in ("High", "Very High")
    assert by_name["fast"]["suspicious_score"] >= 60
    assert by_name["paced"]["suspicious_score"] == 0
    assert by_name["paced"]["suspicious_level"] == "Normal"
    assert 0 < by_name["paced"]["actions_per_minute"] < 2
    assert by_name["idle"]["total_actions"] == 0 and by_name["idle"]["suspicious_level"] == "Normal"
    summary = body["summary"]
    assert summary["high_suspicious_count"] == 1 and summary["normal_count"] == 2
    assert summary["medium_suspicious_count"] == summary["low_suspicious_count"] == 0
    assert summary["average_suspicious_score"] == round(by_name["fast"]["suspicious_score"] / 3, 2)
    # our keys stay
    assert by_name["fast"]["annotations_count"] == 5 and "seconds_per_item" in by_name["fast"]
