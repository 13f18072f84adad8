"""The seed-004 resources on PostgreSQL: datasets, uploads, annotation sets, Idempotency-Key
and a job run by the worker, against a throwaway cluster."""

from __future__ import annotations

import pytest

from potato_like.jobs.worker import Worker
from tests.api_v1.audio_util import click_wav, upload
from tests.conftest import ADMIN

pytestmark = pytest.mark.postgres


def test_the_resources_work_on_postgresql(make_project, pg_url):
    app = make_project(database_url=pg_url)
    client = app.test_client()
    headers = {**ADMIN, "Idempotency-Key": "pg-1"}
    first = client.post("/api/v1/datasets", json={"name": "pg"}, headers=headers)
    assert client.post("/api/v1/datasets", json={"name": "pg"}, headers=headers).json == first.json
    assert client.post("/api/v1/datasets", json={"name": "x"}, headers=headers).status_code == 422
    ds = first.json["id"]
    audio_id = upload(client, ADMIN, ds, click_wav(1.0, [0.5], seed=1))
    made = client.post(
        "/api/v1/annotation-sets", json={"dataset_id": ds, "name": "s"}, headers=ADMIN
    )
    set_id = made.json["id"]
    note = {"audio_id": audio_id, "start_seconds": 0.5, "end_seconds": 0.51, "label": "click"}
    path = f"/api/v1/annotation-sets/{set_id}/annotations"
    assert client.post(path, json=note, headers=ADMIN).status_code == 201
    assert (
        client.post(f"/api/v1/annotation-sets/{set_id}/publish", headers=ADMIN).status_code == 200
    )
    assert client.post(path, json=note, headers=ADMIN).status_code == 409
    export = client.post(
        "/api/v1/exports", json={"project": "default", "format": "csv"}, headers=ADMIN
    )
    ended = Worker(app.extensions["potato_like"]).run_once()
    assert ended.id == export.json["id"] and ended.status == "completed", ended.error
    assert client.get(f"/api/v1/exports/{ended.id}/download", headers=ADMIN).status_code == 200
    assert client.delete(f"/api/v1/datasets/{ds}", headers=ADMIN).status_code == 204
    assert client.get(path, headers=ADMIN).status_code == 404
