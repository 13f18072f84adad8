"""Datasets and projects in a workspace: a dataset's audio attached to a project becomes items
annotators are served (and that survive a restart); an inference job's detections pushed to
the project pre-fill the annotators' forms; a set created `from_project` holds the project's
human segments. Unknown ids, other keys' projects, read-only keys, archived projects,
unfinished jobs and retries are checked too."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from potato_like import create_workspace_app
from potato_like.jobs.worker import Worker
from tests.api_v1.audio_util import click_wav, new_dataset, upload
from tests.workspaces import A_KEY, READ_KEY, ROOT_ADMIN, write_project, write_workspace

UNKNOWN = "7a1c6a2e-0000-4000-8000-000000000000"
AUDIO_SCHEME = {
    "annotation_type": "audio_annotation",
    "name": "artifacts",
    "description": "Mark the artifacts",
    "mode": "label",
    "labels": ["click", "hum"],
    "source_field": "audio",
}
PRE = {"enabled": True, "field": "predictions"}


@pytest.fixture
def workspace(tmp_path: Path):
    apps = []
    root = write_workspace(tmp_path / "ws", ("alpha",))
    write_project(root, "sounds", annotation_schemes=[AUDIO_SCHEME], pre_annotation=PRE)

    def open_():
        app = create_workspace_app(root)
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield open_
    for app in apps:
        app.extensions["potato_like"].close()


def attach(client, dataset_id, project="sounds", headers=ROOT_ADMIN, **extra):
    return client.post(
        f"/api/v1/datasets/{dataset_id}/attach", json={"project": project, **extra}, headers=headers
    )


def annotator(app, slug="sounds", name="ann1"):
    client = app.test_client()
    r = client.post(f"/p/{slug}/register", data={"username": name, "password": "pw-123456"})
    assert r.status_code in (201, 302)
    return client


def reach(ann, item_id, slug="sounds"):
    """Walk the annotator's queue (next_instance) until `item_id` is the current item."""
    for _ in range(12):
        current = ann.get(f"/p/{slug}/api/current_instance").json["instance_id"]
        if current == item_id:
            return
        moved = ann.post(f"/p/{slug}/annotate", json={"action": "next_instance"})
        assert moved.status_code in (200, 302), moved.data
    raise AssertionError(f"{item_id} was never served")


def finished_inference(app, client, audio_ids, detections):
    """An inference job made through the API, ended with these results by the job table
    the way a worker ends it (the real model is exercised in test_pipeline_to_project)."""
    store = app.extensions["potato_like"].store
    job = store.jobs.create("inference", "workspace", {"model_id": UNKNOWN, "audio_ids": audio_ids})
    claimed = store.jobs.claim("w", 60, ("inference",))
    assert claimed.id == job.id
    results = [{"audio_id": a, "detections": detections.get(a, [])} for a in audio_ids]
    assert store.jobs.finish(job.id, "w", "completed", {"results": results})
    return job.id


def test_attached_audio_becomes_served_items_and_survives_a_restart(workspace) -> None:
    app = workspace()
    client = app.test_client()
    ds = new_dataset(client, ROOT_ADMIN)
    first = upload(client, ROOT_ADMIN, ds, click_wav(1.0, [0.5], seed=1))
    r = attach(client, ds)
    assert r.status_code == 200, r.json
    assert r.json == {
        "dataset_id": ds,
        "project": "sounds",
        "field": "audio",  # the question's source_field
        "items_added": 1,
        "items_total": 1,
        "pending": 0,
    }
    # A second file, and a retry: only the new file is added, nothing twice.
    second = upload(client, ROOT_ADMIN, ds, click_wav(1.0, [], seed=2))
    assert attach(client, ds).json["items_added"] == 1
    again = attach(client, ds).json
    assert again["items_added"] == 0 and again["items_total"] == 2
    summary = client.get("/api/v1/projects/sounds", headers=ROOT_ADMIN).json
    assert summary["items"] == 3 + 2  # the project's own three and the two recordings

    # An annotator reaches the recordings, and the media route serves their bytes.
    ann = annotator(app)
    reach(ann, first)
    reach(ann, second)
    page = ann.get("/p/sounds/annotate")
    assert page.status_code == 200
    media = f"/p/sounds/project_files/media/datasets/{ds}/{second}.wav"
    assert media.encode() in page.data
    served = ann.get(media)
    assert served.status_code == 200 and served.data[:4] == b"RIFF"
    app.extensions["potato_like"].close()

    reopened = workspace()
    summary = reopened.test_client().get("/api/v1/projects/sounds", headers=ROOT_ADMIN).json
    assert summary["items"] == 5


def test_attach_refuses_unknown_ids_other_keys_readers_and_archived_projects(workspace) -> None:
    app = workspace()
    client = app.test_client()
    ds = new_dataset(client, ROOT_ADMIN)
    upload(client, ROOT_ADMIN, ds, click_wav(1.0, [], seed=3))
    assert attach(client, UNKNOWN).status_code == 404
    assert attach(client, "not-a-uuid").status_code == 404
    missing = attach(client, ds, project="nope")
    assert missing.status_code == 404 and "nope" in missing.json["detail"]
    assert attach(client, ds, headers={"X-API-Key": READ_KEY}).status_code == 403
    assert attach(client, ds, headers={}).status_code == 401
    # A key restricted to alpha sees neither the workspace's dataset nor another project.
    alpha = {"X-API-Key": A_KEY}
    assert attach(client, ds, headers=alpha).status_code == 404
    own = new_dataset(client, alpha, "alpha's")
    assert attach(client, own, headers=alpha).status_code == 404
    assert attach(client, own, project="alpha", headers=alpha).status_code == 200
    bad = attach(client, ds, field="no spaces")
    assert bad.status_code == 422 and bad.json["detail"][0]["loc"] == ["body", "field"]
    assert attach(client, ds, field="id").status_code == 422
    assert attach(client, ds, extra_key=1).status_code == 422
    client.patch("/api/v1/projects/sounds", json={"status": "archived"}, headers=ROOT_ADMIN)
    archived = attach(client, ds)
    assert archived.status_code == 409 and "archived" in archived.json["detail"]
    assert client.get("/api/v1/projects/sounds", headers=ROOT_ADMIN).json["items"] == 3


def test_pushed_detections_prefill_the_form_and_retries_change_nothing(workspace) -> None:
    app = workspace()
    client = app.test_client()
    ds = new_dataset(client, ROOT_ADMIN)
    audio = upload(client, ROOT_ADMIN, ds, click_wav(1.0, [0.5], seed=4))
    outside = upload(client, ROOT_ADMIN, ds, click_wav(1.0, [], seed=5))
    attach(client, ds)
    third = upload(client, ROOT_ADMIN, ds, click_wav(1.0, [], seed=6))  # not attached
    detections = {
        audio: [
            {"start_seconds": 0.5, "end_seconds": 0.52, "label": "click", "confidence": 0.9},
            {"start_seconds": 0.1, "end_seconds": 0.2, "label": "click", "confidence": 0.2},
            {"start_seconds": 0.3, "end_seconds": 0.4, "label": "clipping", "confidence": 0.8},
        ]
    }
    job = finished_inference(app, client, [audio, outside, third], detections)
    url = f"/api/v1/inference-jobs/{job}/push"
    r = client.post(url, json={"project": "sounds", "min_confidence": 0.5}, headers=ROOT_ADMIN)
    assert r.status_code == 200, r.json
    assert r.json == {
        "job_id": job,
        "project": "sounds",
        "schema": "artifacts",
        "items_updated": 2,
        "detections": 1,
        "not_in_project": [third],
        "skipped": 2,  # below min_confidence; a label the question does not have
    }
    ann = annotator(app)
    reach(ann, audio)
    page = ann.get("/p/sounds/annotate").data.decode()
    assert 'data-testid="prefilled"' in page  # the form says the answer is a model's
    shown = re.search(
        r'name="artifacts:_data"\s+data-scheme="artifacts" data-label="_data" '
        r'value="([^"]*)"',
        page,
    )
    prefilled = json.loads(html.unescape(shown.group(1)))["segments"]
    assert [(s["start_time"], s["end_time"], s["label"]) for s in prefilled] == [
        (0.5, 0.52, "click")
    ]
    items = app.extensions["potato_like"].projects()["sounds"].store.items
    fields = items.by_id(audio).fields
    assert fields["predictions"]["artifacts"]["segments"][0]["label"] == "click"
    assert fields["predictions"]["confidence"] == 0.9
    before = Path(app.extensions["potato_like"].projects()["sounds"].config.output_dir)
    stamp = (before / "dataset_items.jsonl").stat().st_mtime_ns
    retry = client.post(url, json={"project": "sounds", "min_confidence": 0.5}, headers=ROOT_ADMIN)
    assert retry.status_code == 200 and retry.json == r.json
    assert (before / "dataset_items.jsonl").stat().st_mtime_ns == stamp  # nothing rewritten


def test_push_refuses_unfinished_jobs_unknown_ids_and_projects_without_preannotation(
    workspace, tmp_path
) -> None:
    app = workspace()
    client = app.test_client()
    ds = new_dataset(client, ROOT_ADMIN)
    audio = upload(client, ROOT_ADMIN, ds, click_wav(1.0, [], seed=7))
    attach(client, ds)
    done = finished_inference(app, client, [audio], {})
    store = app.extensions["potato_like"].store
    queued = store.jobs.create(
        "inference", "workspace", {"model_id": UNKNOWN, "audio_ids": [audio]}
    )
    body = {"project": "sounds"}
    r = client.post(f"/api/v1/inference-jobs/{queued.id}/push", json=body, headers=ROOT_ADMIN)
    assert r.status_code == 409 and "queued" in r.json["detail"]
    url = f"/api/v1/inference-jobs/{done}/push"
    assert (
        client.post(
            f"/api/v1/inference-jobs/{UNKNOWN}/push", json=body, headers=ROOT_ADMIN
        ).status_code
        == 404
    )
    assert client.post(url, json={"project": "nope"}, headers=ROOT_ADMIN).status_code == 404
    assert client.post(url, json=body, headers={"X-API-Key": READ_KEY}).status_code == 403
    assert client.post(url, json=body, headers={"X-API-Key": A_KEY}).status_code == 404
    # alpha has no pre_annotation and no time-segment question.
    no_pre = client.post(url, json={"project": "alpha"}, headers=ROOT_ADMIN)
    assert no_pre.status_code == 409 and "pre_annotation" in no_pre.json["detail"]
    wrong = client.post(url, json={**body, "schema": "sentiment"}, headers=ROOT_ADMIN)
    assert wrong.status_code == 422 and wrong.json["detail"][0]["loc"] == ["body", "schema"]
    assert (
        client.post(url, json={**body, "min_confidence": 2}, headers=ROOT_ADMIN).status_code == 422
    )
    client.patch("/api/v1/projects/sounds", json={"status": "archived"}, headers=ROOT_ADMIN)
    assert client.post(url, json=body, headers=ROOT_ADMIN).status_code == 409


def test_a_set_from_project_holds_the_human_segments(workspace) -> None:
    app = workspace()
    client = app.test_client()
    ds = new_dataset(client, ROOT_ADMIN)
    audio = upload(client, ROOT_ADMIN, ds, click_wav(1.0, [0.5], seed=8))
    attach(client, ds)
    segments = {
        "segments": [
            {"id": "s1", "start_time": 0.5, "end_time": 0.53, "label": "click"},
            {"id": "s2", "start_time": 0.7, "end_time": 0.8, "label": "hum"},
        ]
    }
    for name in ("ann1", "ann2"):  # the same click twice: copied once
        ann = annotator(app, name=name)
        reach(ann, audio)
        saved = ann.post(
            "/p/sounds/updateinstance",
            json={"instance_id": audio, "annotations": {"artifacts:_data": json.dumps(segments)}},
        )
        assert saved.status_code == 200, saved.json
        segments["segments"] = segments["segments"][:1]
    body = {"dataset_id": ds, "name": "from people", "from_project": {"project": "sounds"}}
    made = client.post(
        "/api/v1/annotation-sets", json=body, headers={**ROOT_ADMIN, "Idempotency-Key": "k1"}
    )
    assert made.status_code == 201, made.json
    assert made.json["status"] == "draft"
    assert made.json["from_project"] == {
        "project": "sounds",
        "schema": "artifacts",
        "added": 2,
        "skipped": 0,
    }
    notes = client.get(f"/api/v1/annotation-sets/{made.json['id']}/annotations", headers=ROOT_ADMIN)
    got = sorted((n["audio_id"], n["start_seconds"], n["label"]) for n in notes.json["items"])
    assert got == [(audio, 0.5, "click"), (audio, 0.7, "hum")]
    # A retry with the same Idempotency-Key makes no second set.
    again = client.post(
        "/api/v1/annotation-sets", json=body, headers={**ROOT_ADMIN, "Idempotency-Key": "k1"}
    )
    assert again.json["id"] == made.json["id"]
    assert client.get("/api/v1/annotation-sets", headers=ROOT_ADMIN).json["total"] == 1


def test_from_project_refuses_unknown_projects_and_questions(workspace) -> None:
    app = workspace()
    client = app.test_client()
    ds = new_dataset(client, ROOT_ADMIN)

    def create(from_project, headers=ROOT_ADMIN):
        body = {"dataset_id": ds, "name": "x", "from_project": from_project}
        return client.post("/api/v1/annotation-sets", json=body, headers=headers)

    assert create({"project": "nope"}).status_code == 404
    no_timeline = create({"project": "alpha"})
    assert no_timeline.status_code == 422
    assert no_timeline.json["detail"][0]["loc"] == ["body", "from_project", "schema"]
    assert create({"project": "sounds", "schema": "other"}).status_code == 422
    assert create({"project": "sounds", "extra": 1}).status_code == 422
    assert create({"project": "sounds"}, headers={"X-API-Key": READ_KEY}).status_code == 403
    assert client.get("/api/v1/annotation-sets", headers=ROOT_ADMIN).json["total"] == 0


@pytest.mark.slow
def test_pipeline_to_project(workspace) -> None:
    """Train on a published set, infer with the real worker, push: the found click is a
    pre-annotated segment of the project's item within 0.15 s."""
    app = workspace()
    client = app.test_client()
    ds = new_dataset(client, ROOT_ADMIN)
    train = [upload(client, ROOT_ADMIN, ds, click_wav(2.0, [0.5, 1.3], seed=s)) for s in (10, 11)]
    made = client.post(
        "/api/v1/annotation-sets", json={"dataset_id": ds, "name": "v1"}, headers=ROOT_ADMIN
    ).json
    for audio_id in train:
        for at in (0.5, 1.3):
            client.post(
                f"/api/v1/annotation-sets/{made['id']}/annotations",
                json={
                    "audio_id": audio_id,
                    "start_seconds": at,
                    "end_seconds": at + 0.01,
                    "label": "click",
                },
                headers=ROOT_ADMIN,
            )
    client.post(f"/api/v1/annotation-sets/{made['id']}/publish", headers=ROOT_ADMIN)
    worker = Worker(app.extensions["potato_like"])
    job = client.post(
        "/api/v1/training-jobs", json={"annotation_set_id": made["id"]}, headers=ROOT_ADMIN
    ).json
    assert worker.run_once().status == "completed"
    model = client.get(f"/api/v1/training-jobs/{job['id']}", headers=ROOT_ADMIN).json["model_id"]
    new = upload(client, ROOT_ADMIN, ds, click_wav(2.0, [0.9], seed=12))
    attach(client, ds)
    infer = client.post(
        "/api/v1/inference-jobs", json={"model_id": model, "audio_ids": [new]}, headers=ROOT_ADMIN
    ).json
    assert worker.run_once().status == "completed"
    pushed = client.post(
        f"/api/v1/inference-jobs/{infer['id']}/push", json={"project": "sounds"}, headers=ROOT_ADMIN
    )
    assert pushed.status_code == 200 and pushed.json["detections"] >= 1, pushed.json
    items = app.extensions["potato_like"].projects()["sounds"].store.items
    segments = items.by_id(new).fields["predictions"]["artifacts"]["segments"]
    assert any(abs(s["start_time"] - 0.9) <= 0.15 for s in segments), segments


def test_a_single_project_server_attaches_to_its_own_project(make_project) -> None:
    from tests.conftest import ADMIN

    app = make_project(items=2, schemes=[AUDIO_SCHEME], pre_annotation=PRE)
    client = app.test_client()
    ds = new_dataset(client, ADMIN)
    upload(client, ADMIN, ds, click_wav(1.0, [], seed=9))
    assert attach(client, ds, project="other", headers=ADMIN).status_code == 404
    r = attach(client, ds, project="default", headers=ADMIN)
    assert r.status_code == 200 and r.json["items_added"] == 1, r.json
    assert app.extensions["potato_like"].store.items.count() == 3


@pytest.mark.postgres
def test_attach_annotate_and_from_project_on_postgresql(make_project, pg_url) -> None:
    from tests.conftest import ADMIN, register

    app = make_project(items=1, schemes=[AUDIO_SCHEME], pre_annotation=PRE, database_url=pg_url)
    client = app.test_client()
    ds = new_dataset(client, ADMIN)
    audio = upload(client, ADMIN, ds, click_wav(1.0, [0.5], seed=13))
    assert attach(client, ds, project="default", headers=ADMIN).json["items_added"] == 1
    ann = register(app.test_client(), "ann1")
    for _ in range(3):
        if ann.get("/api/current_instance").json["instance_id"] == audio:
            break
        ann.post("/annotate", json={"action": "next_instance"})
    segments = {"segments": [{"id": "a", "start_time": 0.5, "end_time": 0.52, "label": "click"}]}
    saved = ann.post(
        "/updateinstance",
        json={"instance_id": audio, "annotations": {"artifacts:_data": json.dumps(segments)}},
    )
    assert saved.status_code == 200, saved.json
    body = {"dataset_id": ds, "name": "pg", "from_project": {"project": "default"}}
    made = client.post("/api/v1/annotation-sets", json=body, headers=ADMIN)
    assert made.status_code == 201 and made.json["from_project"]["added"] == 1, made.json
