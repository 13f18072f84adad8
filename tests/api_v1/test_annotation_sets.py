"""Annotation sets (seed 004): a draft takes validated annotations of its dataset's audio;
publish locks it (409 for every later change); training needs a published, non-empty set;
inference needs a known model and ready audio; unknown and other owners' ids are 404."""

from __future__ import annotations

import pytest

from tests.api_v1.audio_util import click_wav, new_dataset, upload
from tests.conftest import ADMIN

UNKNOWN = "7a1c6a2e-0000-4000-8000-000000000000"


@pytest.fixture
def client(make_project):
    return make_project().test_client()


@pytest.fixture
def draft(client):
    ds = new_dataset(client, ADMIN)
    audio_id = upload(client, ADMIN, ds, click_wav(2.0, [0.5], seed=1))
    made = client.post(
        "/api/v1/annotation-sets", json={"dataset_id": ds, "name": "v1"}, headers=ADMIN
    )
    assert made.status_code == 201 and made.json["status"] == "draft"
    return {"dataset": ds, "audio": audio_id, "set": made.json["id"]}


def add(client, set_id, audio_id, start=0.5, end=0.51, label="click", headers=ADMIN):
    return client.post(
        f"/api/v1/annotation-sets/{set_id}/annotations",
        json={"audio_id": audio_id, "start_seconds": start, "end_seconds": end, "label": label},
        headers=headers,
    )


def test_annotations_are_added_listed_got_and_deleted(client, draft):
    made = add(client, draft["set"], draft["audio"])
    assert made.status_code == 201
    note = made.json
    assert note["label"] == "click" and note["set_id"] == draft["set"]
    base = f"/api/v1/annotation-sets/{draft['set']}/annotations"
    listed = client.get(base, headers=ADMIN).json
    assert listed["total"] == 1 and listed["items"][0] == note
    assert client.get(f"{base}/{note['id']}", headers=ADMIN).json == note
    assert client.delete(f"{base}/{note['id']}", headers=ADMIN).status_code == 204
    assert client.get(f"{base}/{note['id']}", headers=ADMIN).status_code == 404
    assert client.delete(f"{base}/{note['id']}", headers=ADMIN).status_code == 404


def test_annotations_are_validated(client, draft):
    backwards = add(client, draft["set"], draft["audio"], start=1.0, end=0.5)
    assert backwards.status_code == 422
    negative = add(client, draft["set"], draft["audio"], start=-1, end=0.5)
    assert negative.json["detail"][0]["loc"] == ["body", "start_seconds"]
    past_end = add(client, draft["set"], draft["audio"], start=1.0, end=9.0)
    assert past_end.status_code == 422 and past_end.json["detail"][0]["loc"] == [
        "body",
        "end_seconds",
    ]
    assert add(client, draft["set"], draft["audio"], label="no spaces").status_code == 422
    assert add(client, draft["set"], UNKNOWN).status_code == 404
    # Audio of another dataset is not this set's.
    other_ds = new_dataset(client, ADMIN, "other")
    other_audio = upload(client, ADMIN, other_ds, click_wav(1.0, [], seed=2))
    assert add(client, draft["set"], other_audio).status_code == 404
    assert add(client, UNKNOWN, draft["audio"]).status_code == 404
    missing_dataset = client.post(
        "/api/v1/annotation-sets", json={"dataset_id": UNKNOWN, "name": "x"}, headers=ADMIN
    )
    assert missing_dataset.status_code == 404


def test_a_published_set_is_locked(client, draft):
    note = add(client, draft["set"], draft["audio"]).json
    base = f"/api/v1/annotation-sets/{draft['set']}"
    published = client.post(f"{base}/publish", headers=ADMIN)
    assert published.status_code == 200 and published.json["status"] == "published"
    assert published.json["published_at"] is not None
    assert add(client, draft["set"], draft["audio"]).status_code == 409
    assert client.delete(f"{base}/annotations/{note['id']}", headers=ADMIN).status_code == 409
    assert client.post(f"{base}/publish", headers=ADMIN).status_code == 409
    assert client.delete(base, headers=ADMIN).status_code == 409
    assert client.get(f"{base}/annotations", headers=ADMIN).json["total"] == 1
    # Its audio cannot go either; the whole dataset can.
    assert client.delete(f"/api/v1/audio/{draft['audio']}", headers=ADMIN).status_code == 409
    assert client.delete(f"/api/v1/datasets/{draft['dataset']}", headers=ADMIN).status_code == 204
    assert client.get(base, headers=ADMIN).status_code == 404


def test_training_needs_a_published_set_with_annotations(client, draft):
    create = lambda set_id, **extra: client.post(  # noqa: E731
        "/api/v1/training-jobs", json={"annotation_set_id": set_id, **extra}, headers=ADMIN
    )
    assert create(draft["set"]).status_code == 409  # a draft
    client.post(f"/api/v1/annotation-sets/{draft['set']}/publish", headers=ADMIN)
    empty = create(draft["set"])
    assert empty.status_code == 422 and "no annotations" in empty.json["detail"][0]["msg"]
    assert create(UNKNOWN).status_code == 404
    assert create("nonsense").status_code == 404
    bad_params = create(draft["set"], params={"n_estimators": 1})
    assert bad_params.status_code == 422


def test_training_jobs_are_queued_and_cancelled_never_run_in_the_request(client, draft):
    add(client, draft["set"], draft["audio"])
    client.post(f"/api/v1/annotation-sets/{draft['set']}/publish", headers=ADMIN)
    made = client.post(
        "/api/v1/training-jobs",
        json={"annotation_set_id": draft["set"], "params": {"n_estimators": 20}},
        headers=ADMIN,
    )
    assert made.status_code == 201
    job = made.json
    assert job["status"] == "queued" and job["progress"] == 0 and job["model_id"] is None
    assert job["params"] == {"n_estimators": 20, "threshold": 0.5}
    listed = client.get("/api/v1/training-jobs", headers=ADMIN).json
    assert [j["id"] for j in listed["items"]] == [job["id"]]
    cancelled = client.post(f"/api/v1/training-jobs/{job['id']}/cancel", headers=ADMIN)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    again = client.post(f"/api/v1/training-jobs/{job['id']}/cancel", headers=ADMIN)
    assert again.status_code == 409
    # A training job id is not an inference job id.
    assert client.get(f"/api/v1/inference-jobs/{job['id']}", headers=ADMIN).status_code == 404
    assert client.get(f"/api/v1/training-jobs/{UNKNOWN}", headers=ADMIN).status_code == 404


def test_inference_needs_a_known_model_and_ready_audio(client, draft):
    answer = client.post(
        "/api/v1/inference-jobs",
        json={"model_id": UNKNOWN, "audio_ids": [draft["audio"]]},
        headers=ADMIN,
    )
    assert answer.status_code == 404
    empty = client.post(
        "/api/v1/inference-jobs", json={"model_id": UNKNOWN, "audio_ids": []}, headers=ADMIN
    )
    assert empty.status_code == 422
    assert client.get(f"/api/v1/models/{UNKNOWN}", headers=ADMIN).status_code == 404


def test_other_owners_sets_are_404(client, draft):
    made = client.post(
        "/api/v1/api-keys",
        json={"name": "p", "scopes": ["read", "write"], "project": "elsewhere"},
        headers=ADMIN,
    )
    scoped = {"X-API-Key": made.json["key"]}
    base = f"/api/v1/annotation-sets/{draft['set']}"
    assert client.get(base, headers=scoped).status_code == 404
    assert client.get(f"{base}/annotations", headers=scoped).status_code == 404
    assert add(client, draft["set"], draft["audio"], headers=scoped).status_code == 404
    assert client.post(f"{base}/publish", headers=scoped).status_code == 404
    theirs = client.post(
        "/api/v1/annotation-sets",
        json={"dataset_id": draft["dataset"], "name": "x"},
        headers=scoped,
    )
    assert theirs.status_code == 404
    assert client.get("/api/v1/annotation-sets", headers=scoped).json["total"] == 0
    assert client.get("/api/v1/annotation-sets", headers=ADMIN).json["total"] == 1
