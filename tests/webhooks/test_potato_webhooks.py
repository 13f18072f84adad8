"""Potato's `webhooks:` config: events from the save path, quality checks, phases and the
end of a user's task go through the project's outbox to a real local receiver; the admin
API `GET /admin/api/webhooks` and `POST /admin/api/webhooks/test`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest

from potato_like.config.validate import build_config
from potato_like.errors import ConfigError
from potato_like.webhooks import outbox, signing
from tests.conftest import ADMIN, base_config, login
from tests.web.test_quality_control import annotate, qc_only
from tests.web.test_study_flow import CONSENT_OK, phase, study, submit  # noqa: F401
from tests.webhook_receiver import receive_webhooks

LOCAL = {"allow_fetch_hosts": ["127.0.0.1"]}


def hooks(url: str, events=("*",), secret: str = "s3cret", **extra) -> dict:
    endpoint = {"name": "pipeline", "url": url, "secret": secret, "events": list(events), **extra}
    return {"enabled": True, "endpoints": [endpoint]}


def potato_verify(secret: str, headers: dict, body: bytes) -> bool:
    """The receiver code from Potato's webhook docs (secret used as UTF-8 bytes)."""
    to_sign = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return hmac.compare_digest(
        "v1," + base64.b64encode(expected).decode(), headers["webhook-signature"]
    )


def rows(app) -> list[dict]:
    return list(reversed(app.extensions["potato_like"].store.outbox.recent(100)))


def save(client, iid: str, label: str):
    r = client.post(
        "/updateinstance", json={"instance_id": iid, "annotations": {f"sentiment:{label}": "1"}}
    )
    assert r.status_code == 200, r.json
    return r.json


def test_saves_send_created_updated_and_fully_annotated_signed_like_potato(make_project):
    with receive_webhooks() as hook:
        app = make_project(items=2, webhooks=hooks(hook.url), media=LOCAL)
        c = login(app.test_client(), "ann1")
        iid = c.get("/api/current_instance").json["instance_id"]
        save(c, iid, "positive")
        save(c, iid, "negative")
        save(c, iid, "negative")  # nothing changed: no event
        assert [r["event"] for r in rows(app)] == [
            "annotation.created",
            "item.fully_annotated",
            "annotation.updated",
        ]
        store = app.extensions["potato_like"].store
        assert outbox.deliver_due(store) == 3
        got = hook.wait(3)
    created, full, updated = (r.json for r in got)
    assert created["event"] == "annotation.created" and created["timestamp"].endswith("Z")
    assert created["data"] == {
        "user_id": "ann1",
        "instance_id": iid,
        "annotations": {"sentiment": {"positive": "1"}} | created["data"]["annotations"],
        "schema_name": None,
    }
    assert "sentiment" in created["data"]["annotations"]
    assert full["data"] == {"instance_id": iid, "annotator_count": 1, "required_count": 1}
    assert updated["event"] == "annotation.updated"
    for request in got:  # the endpoint's own secret, used as Potato uses it
        assert potato_verify("s3cret", request.headers, request.body)
        signing.verify("s3cret", request.headers, request.body, now=time.time())


def test_a_project_without_webhooks_writes_nothing_and_builds_no_hook(make_project):
    app = make_project(items=2)
    project = app.extensions["potato_like"]
    assert project.config.webhooks is None
    c = login(app.test_client(), "ann1")
    save(c, c.get("/api/current_instance").json["instance_id"], "positive")
    assert project.store.outbox.recent() == []
    assert c.get("/admin/api/webhooks", headers=ADMIN).json == {
        "enabled": False,
        "endpoints": [],
        "stats": {},
    }
    r = c.post("/admin/api/webhooks/test", headers=ADMIN)
    assert r.status_code == 400 and r.json["error"] == "Webhooks not enabled"


def test_only_subscribed_events_are_queued_and_task_completed_is_sent_once(make_project):
    app = make_project(
        items=2,
        webhooks=hooks("https://hooks.example.org/p", events=["task.completed"]),
        media=LOCAL,
    )
    c = login(app.test_client(), "ann1")
    for _ in range(2):
        save(c, c.get("/api/current_instance").json["instance_id"], "positive")
        c.post("/go_to", json={"action": "next_instance"})
    assert c.get("/api/current_instance").json.get("finished") is True
    c.get("/api/current_instance")
    c.get("/annotate")
    (row,) = rows(app)
    assert row["event"] == "task.completed"
    assert '"total_annotations":2' in row["payload"] and '"user_id":"ann1"' in row["payload"]


def test_admin_api_lists_endpoints_and_sends_a_test_event(make_project):
    config = hooks("https://hooks.example.org/a", events=["*"])
    config["endpoints"].append(
        {"name": "quiet", "url": "https://hooks.example.org/b", "events": ["task.completed"]}
    )
    config["endpoints"].append(
        {"name": "off", "url": "https://hooks.example.org/c", "active": False}
    )
    app = make_project(items=1, webhooks=config)
    c = app.test_client()
    assert c.get("/admin/api/webhooks").status_code == 403
    assert c.post("/admin/api/webhooks/test").status_code == 403
    body = c.get("/admin/api/webhooks", headers=ADMIN).json
    assert body["enabled"] is True
    assert [(e["name"], e["active"], e["has_secret"]) for e in body["endpoints"]] == [
        ("pipeline", True, True),
        ("quiet", True, False),
        ("off", False, False),
    ]
    assert "secret" not in body["endpoints"][0]
    project_secret = outbox.secret(app.extensions["potato_like"].store)
    assert body["signing_secret"] == project_secret and project_secret.startswith("whsec_")
    assert body["stats"]["endpoints"] == 3 and body["stats"]["active_endpoints"] == 2
    r = c.post("/admin/api/webhooks/test", headers=ADMIN)
    assert r.json == {"status": "sent", "endpoints_matched": 1}  # only the "*" endpoint
    (row,) = rows(app)
    assert row["event"] == "webhook.test" and row["target"] == "https://hooks.example.org/a"
    assert c.get("/admin/api/webhooks", headers=ADMIN).json["stats"]["total_emitted"] == 1
    listed = c.get("/admin/api/webhooks/deliveries", headers=ADMIN).json["deliveries"]
    assert [d["id"] for d in listed] == [row["id"]] and listed[0]["status"] == "pending"
    assert c.get("/admin/api/webhooks/deliveries?status=nope", headers=ADMIN).status_code == 400
    resent = c.post(f"/admin/api/webhooks/deliveries/{row['id']}/resend", headers=ADMIN)
    assert resent.json["status"] == "queued"
    assert c.post("/admin/api/webhooks/deliveries/msg_x/resend", headers=ADMIN).status_code == 404


def test_failed_attention_check_is_announced_in_the_answers_transaction(study):  # noqa: F811
    app = study(
        edit=qc_only(
            gold_standards={"enabled": False},
            attention_checks={
                "frequency": 1,
                "failure_handling": {"warn_threshold": 1, "block_threshold": 2},
            },
            webhooks=hooks(
                "https://hooks.example.org/q", events=["quality.attention_check_failed"]
            ),
        )
    )
    c = login(app.test_client(), "clicker")
    annotate(c)
    annotate(c, "positive")  # attn_1 wants negative: failed, warned
    annotate(c)
    annotate(c, "negative")  # attn_2 wants positive: failed, blocked
    import json

    sent = [json.loads(r["payload"]) for r in rows(app)]
    assert [s["event"] for s in sent] == ["quality.attention_check_failed"] * 2
    assert [(s["data"]["instance_id"], s["data"]["blocked"]) for s in sent] == [
        ("attn_1", False),
        ("attn_2", True),
    ]
    assert sent[1]["data"]["user_id"] == "clicker"
    assert "too many incorrect responses" in sent[1]["data"]["message"]


def test_phase_completion_is_announced(study):  # noqa: F811
    app = study(webhooks=hooks("https://hooks.example.org/f", events=["user.phase_completed"]))
    c = login(app.test_client(), "ann")
    assert submit(c, "consent", CONSENT_OK).json["phase"] == "prestudy"
    import json

    (row,) = rows(app)
    assert json.loads(row["payload"])["data"] == {
        "user_id": "ann",
        "completed_phase": "consent",
        "next_phase": "prestudy",
    }


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ({"enabled": True, "endpoints": [{"name": "a", "url": "ftp://x"}]}, "not an http(s) URL"),
        (
            {"enabled": True, "endpoints": [{"name": "a", "url": "https://x.org"}] * 2},
            "names two endpoints",
        ),
        ({"enabled": True, "endpoints": "https://x.org"}, "must be a mapping"),
        (
            {"enabled": True, "endpoints": [{"url": "https://x.org", "timeout_seconds": 0}]},
            "at least",
        ),
    ],
)
def test_bad_webhook_configs_are_refused_with_their_key_path(tmp_path, section, problem):
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "x"}\n')
    with pytest.raises(ConfigError) as err:
        build_config(base_config(webhooks=section), tmp_path)
    assert any(p.startswith("webhooks.endpoints") and problem in p for p in err.value.problems)


def test_disabled_or_unknown_events_are_accepted_with_warnings(tmp_path):
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "x"}\n')
    off = build_config(base_config(webhooks={"enabled": False, "endpoints": []}), tmp_path)
    assert off.webhooks is None
    cfg = build_config(
        base_config(webhooks=hooks("https://x.org/h", events=["annotation.craeted"])), tmp_path
    )
    assert cfg.webhooks is not None
    assert any("annotation.craeted" in w and "annotation.created" in w for w in cfg.warnings)
