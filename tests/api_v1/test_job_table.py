"""The durable job table and its worker (potato_like/jobs): atomic claims on SQLite and
PostgreSQL, leases that expire back to the queue (a worker restart resumes the job),
cancel, failures recorded, and jobs run only by the worker, never by the request."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from potato_like.jobs.registry import Cancelled
from potato_like.jobs.worker import Worker
from potato_like.store import Store
from tests.conftest import ADMIN


class Service:
    """The least a worker needs: a store and a files_dir (and projects for exports)."""

    def __init__(self, store: Store, files_dir: Path) -> None:
        self.store = store
        self.files_dir = files_dir

    def projects(self) -> dict:
        return {}


def claims_each_job_once(store: Store) -> None:
    ids = {store.jobs.create("export", "workspace", {"n": i}).id for i in range(30)}
    claimed: list[str] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        while True:
            job = store.jobs.claim(name, 30.0, ("export",))
            if job is None:
                return
            with lock:
                claimed.append(job.id)
            assert job.status == "running" and job.lease_owner == name

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(ids)  # every job once, none twice


def test_claims_are_atomic_on_sqlite(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    try:
        claims_each_job_once(store)
    finally:
        store.close()


@pytest.mark.postgres
def test_claims_are_atomic_on_postgresql(pg_url):
    store = Store.open(pg_url)
    try:
        claims_each_job_once(store)
        job = store.jobs.create("export", "workspace", {})
        claimed = store.jobs.claim("a", 0.05, ("export",))
        assert claimed is not None and claimed.id == job.id
        time.sleep(0.1)
        assert store.jobs.requeue_expired() == 1
        assert store.jobs.get(job.id).status == "queued"
    finally:
        store.close()


def test_an_expired_lease_puts_the_job_back_and_another_worker_finishes_it(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    try:
        job = store.jobs.create("training", "workspace", {"annotation_set_id": "x"})
        # A worker claims it and dies (no heartbeat, no finish).
        assert store.jobs.claim("dead-worker", 0.05, ("training",)).id == job.id
        time.sleep(0.1)
        worker = Worker(Service(store, tmp_path / "files"), name="new-worker")
        worker.handlers = {"training": lambda service, j, ctx: {"done": j.params}}
        ended = worker.run_once()  # requeues the expired job, claims it, runs it
        assert ended.id == job.id and ended.status == "completed"
        assert ended.result == {"done": {"annotation_set_id": "x"}} and ended.attempts == 2
        # The dead worker's late finish is ignored: the job is no longer its own.
        assert not store.jobs.finish(job.id, "dead-worker", "failed", error="late")
        assert store.jobs.get(job.id).status == "completed"
    finally:
        store.close()


def test_cancel_stops_queued_and_running_jobs(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    try:
        queued = store.jobs.create("inference", "workspace", {})
        assert store.jobs.cancel(queued.id).status == "cancelled"
        running = store.jobs.create("inference", "workspace", {})
        worker = Worker(Service(store, tmp_path / "files"), name="w")
        seen = []

        def slow(service, job, ctx):
            store.jobs.cancel(job.id)  # the client cancels while it runs
            for step in range(100):
                ctx.progress(step / 100)  # raises Cancelled at the next report
                seen.append(step)
            return {}

        worker.handlers = {"inference": slow}
        ended = worker.run_once()
        assert ended.id == running.id and ended.status == "cancelled"
        assert seen == []
        assert worker.run_once() is None  # the cancelled queued job never ran
    finally:
        store.close()


def test_a_failing_job_is_failed_with_its_error_and_the_worker_goes_on(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    try:
        bad = store.jobs.create("export", "workspace", {})
        good = store.jobs.create("export", "workspace", {})
        worker = Worker(Service(store, tmp_path / "files"), name="w")

        def handler(service, job, ctx):
            if job.id == bad.id:
                raise RuntimeError("disk on fire")
            return {"ok": True}

        worker.handlers = {"export": handler}
        first = worker.run_once()
        assert first.status == "failed" and first.error == "RuntimeError: disk on fire"
        assert worker.run_once().status == "completed"
        assert store.jobs.get(good.id).result == {"ok": True}
    finally:
        store.close()


def test_a_stopping_worker_gives_its_job_back(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    try:
        job = store.jobs.create("export", "workspace", {})
        assert store.jobs.claim("w", 60.0, ("export",)) is not None
        assert store.jobs.release("w") == 1
        assert store.jobs.get(job.id).status == "queued"
    finally:
        store.close()


def test_progress_cannot_continue_a_job_another_worker_took(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    try:
        store.jobs.create("export", "workspace", {})
        job = store.jobs.claim("a", 0.01, ("export",))
        time.sleep(0.05)
        store.jobs.requeue_expired()
        assert store.jobs.claim("b", 30.0, ("export",)).id == job.id
        assert store.jobs.heartbeat(job.id, "a", 30.0, 0.5) is False
        worker = Worker(Service(store, tmp_path), name="a")
        from potato_like.jobs.worker import Context

        with pytest.raises(Cancelled):
            Context(worker, job).progress(0.5)
    finally:
        store.close()


def test_an_export_job_runs_in_the_worker_not_the_request(make_project):
    app = make_project()
    client = app.test_client()
    project = app.extensions["potato_like"]
    made = client.post(
        "/api/v1/exports", json={"project": "default", "format": "jsonl"}, headers=ADMIN
    )
    assert made.status_code == 201 and made.json["status"] == "queued"
    export_id = made.json["id"]
    assert client.get(f"/api/v1/exports/{export_id}", headers=ADMIN).json["status"] == "queued"
    assert client.get(f"/api/v1/exports/{export_id}/download", headers=ADMIN).status_code == 409
    ended = Worker(project).run_once()
    assert ended.status == "completed", ended.error
    got = client.get(f"/api/v1/exports/{export_id}", headers=ADMIN).json
    assert got["download_url"].endswith(f"/api/v1/exports/{export_id}/download")
    download = client.get(got["download_url"], headers=ADMIN)
    assert download.status_code == 200
    assert len(download.data) == got["size_bytes"]
    assert client.post(f"/api/v1/exports/{export_id}/cancel", headers=ADMIN).status_code == 409
    # Unknown projects and formats, other projects' keys.
    assert (
        client.post(
            "/api/v1/exports", json={"project": "nope", "format": "jsonl"}, headers=ADMIN
        ).status_code
        == 404
    )
    bad_format = client.post(
        "/api/v1/exports", json={"project": "default", "format": "x"}, headers=ADMIN
    )
    assert bad_format.status_code == 422
    other = client.post(
        "/api/v1/api-keys",
        json={"name": "o", "scopes": ["read"], "project": "other"},
        headers=ADMIN,
    ).json["key"]
    scoped = {"X-API-Key": other}
    assert (
        client.post(
            "/api/v1/exports", json={"project": "default", "format": "jsonl"}, headers=scoped
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/exports/{export_id}", headers=scoped).status_code == 404
