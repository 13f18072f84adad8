"""Seed 004's datasets and audio uploads through presigned URLs (issue 22): CRUD, the
signed, expiring, single-use upload URL with its size and type checks, confirmation with
soundfile, and 404 for ids of other owners."""

from __future__ import annotations

import time

import pytest

from potato_like.web.api_v1 import audio as audio_api
from tests.api_v1.audio_util import click_wav, new_dataset, path_of, upload, upload_url
from tests.conftest import ADMIN

UNKNOWN = "7a1c6a2e-0000-4000-8000-000000000000"


@pytest.fixture
def app(make_project):
    return make_project()


@pytest.fixture
def client(app):
    return app.test_client()


def key(client, scopes=("read", "write"), project=None) -> dict:
    payload = {"name": "k", "scopes": list(scopes)}
    if project is not None:
        payload["project"] = project
    made = client.post("/api/v1/api-keys", json=payload, headers=ADMIN)
    assert made.status_code == 201, made.json
    return {"X-API-Key": made.json["key"]}


def test_datasets_are_created_listed_changed_and_deleted(client):
    made = client.post(
        "/api/v1/datasets", json={"name": "calls", "description": "d"}, headers=ADMIN
    )
    assert made.status_code == 201
    ds = made.json
    assert set(ds) == {"id", "name", "description", "created_at", "updated_at"}
    client.post("/api/v1/datasets", json={"name": "second"}, headers=ADMIN)
    listed = client.get("/api/v1/datasets?page=1&page_size=1", headers=ADMIN).json
    assert listed["total"] == 2 and listed["has_more"] is True and len(listed["items"]) == 1
    assert listed["items"][0]["name"] == "second"  # newest first
    patched = client.patch(f"/api/v1/datasets/{ds['id']}", json={"name": "renamed"}, headers=ADMIN)
    assert patched.status_code == 200 and patched.json["name"] == "renamed"
    assert patched.json["description"] == "d"
    bad = client.patch(f"/api/v1/datasets/{ds['id']}", json={}, headers=ADMIN)
    assert bad.status_code == 422
    assert client.delete(f"/api/v1/datasets/{ds['id']}", headers=ADMIN).status_code == 204
    assert client.get(f"/api/v1/datasets/{ds['id']}", headers=ADMIN).status_code == 404
    assert client.delete(f"/api/v1/datasets/{ds['id']}", headers=ADMIN).status_code == 404


def test_invalid_bodies_name_their_fields(client):
    answer = client.post("/api/v1/datasets", json={"name": "", "extra": 1}, headers=ADMIN)
    assert answer.status_code == 422
    fields = {tuple(p["loc"]) for p in answer.json["detail"]}
    assert ("body", "name") in fields and ("body", "extra") in fields
    not_json = client.post("/api/v1/datasets", data="x", headers=ADMIN)
    assert not_json.status_code == 400 and "detail" in not_json.json


def test_an_upload_goes_url_then_bytes_then_confirm(app, client):
    ds = new_dataset(client, ADMIN)
    data = click_wav(1.5, [0.5], seed=1)
    made = upload_url(client, ADMIN, ds, data)
    assert made.status_code == 201
    assert set(made.json) == {"audio_id", "upload_url", "expires_at"}
    assert made.json["upload_url"].startswith("http://localhost/api/v1/uploads/")
    assert made.json["expires_at"] > time.time() + 3000
    audio_id = made.json["audio_id"]
    pending = client.get(f"/api/v1/audio/{audio_id}", headers=ADMIN).json
    assert pending["status"] == "pending"
    early = client.post(f"/api/v1/audio/{audio_id}/confirm", headers=ADMIN)
    assert early.status_code == 409
    # No API key on the upload itself: the signed URL is the proof.
    sent = client.put(path_of(made.json["upload_url"]), data=data, content_type="audio/wav")
    assert sent.status_code == 200 and sent.json["size_bytes"] == len(data)
    confirmed = client.post(f"/api/v1/audio/{audio_id}/confirm", headers=ADMIN)
    assert confirmed.status_code == 200
    assert confirmed.json["status"] == "ready"
    assert confirmed.json["sample_rate"] == 16000
    assert confirmed.json["duration_seconds"] == pytest.approx(1.5, abs=0.001)
    stored = app.extensions["potato_like"].files_dir / "audio" / audio_id
    assert stored.read_bytes() == data
    listed = client.get(f"/api/v1/datasets/{ds}/audio", headers=ADMIN).json
    assert [a["id"] for a in listed["items"]] == [audio_id] and listed["total"] == 1
    # Deleting the dataset deletes the file too.
    assert client.delete(f"/api/v1/datasets/{ds}", headers=ADMIN).status_code == 204
    assert not stored.exists()
    assert client.get(f"/api/v1/audio/{audio_id}", headers=ADMIN).status_code == 404


def test_an_upload_url_works_once(client):
    ds = new_dataset(client, ADMIN)
    data = click_wav(0.5, [], seed=2)
    made = upload_url(client, ADMIN, ds, data).json
    first = client.post(path_of(made["upload_url"]), data=data, content_type="audio/wav")
    assert first.status_code == 200
    again = client.post(path_of(made["upload_url"]), data=data, content_type="audio/wav")
    assert again.status_code == 409 and "already used" in again.json["detail"]


def test_forged_and_expired_upload_urls_are_refused(client, monkeypatch):
    ds = new_dataset(client, ADMIN)
    data = click_wav(0.5, [], seed=3)
    made = upload_url(client, ADMIN, ds, data).json
    url = path_of(made["upload_url"])
    forged = url.replace("signature=", "signature=0")
    assert client.post(forged, data=data, content_type="audio/wav").status_code == 403
    # The expiry is signed: moving it later breaks the signature.
    expires = int(made["expires_at"])
    later = url.replace(f"expires={expires}", f"expires={expires + 999999}")
    assert client.post(later, data=data, content_type="audio/wav").status_code == 403
    # Another audio id under the same signature.
    other = upload_url(client, ADMIN, ds, data).json["audio_id"]
    swapped = url.replace(made["audio_id"], other)
    assert client.post(swapped, data=data, content_type="audio/wav").status_code == 403
    monkeypatch.setattr(audio_api, "UPLOAD_URL_SECONDS", -5)
    stale = upload_url(client, ADMIN, ds, data).json
    answer = client.post(path_of(stale["upload_url"]), data=data, content_type="audio/wav")
    assert answer.status_code == 403 and "expired" in answer.json["detail"]


def test_size_and_type_are_enforced_while_streaming(app, client):
    ds = new_dataset(client, ADMIN)
    data = click_wav(0.5, [], seed=4)
    made = upload_url(client, ADMIN, ds, data[:-100]).json  # declares fewer bytes
    url = path_of(made["upload_url"])
    big = client.post(url, data=data, content_type="audio/wav")
    assert big.status_code == 413

    audio_dir = app.extensions["potato_like"].files_dir / "audio"
    assert not any(audio_dir.glob("*")) if audio_dir.exists() else True
    wrong_header = client.post(url, data=data[:-100], content_type="audio/flac")
    assert wrong_header.status_code == 415
    # Bytes that are not a WAV file under a WAV content type.
    fake = b"\x00" * (len(data) - 100)
    assert client.post(url, data=fake, content_type="audio/wav").status_code == 415
    short = client.post(url, data=data[:-200], content_type="audio/wav")
    assert short.status_code == 400
    # After the failed tries the URL still works for the right bytes.
    assert client.post(url, data=data[:-100], content_type="audio/wav").status_code == 200


def test_upload_url_requests_are_validated(client):
    ds = new_dataset(client, ADMIN)
    too_big = upload_url(client, ADMIN, ds, b"x", size_bytes=10**12)
    assert too_big.status_code == 422
    wrong_type = upload_url(client, ADMIN, ds, b"xx", content_type="text/plain")
    assert wrong_type.status_code == 422
    assert wrong_type.json["detail"][0]["loc"] == ["body", "content_type"]
    assert upload_url(client, ADMIN, UNKNOWN, b"xx").status_code == 404
    assert upload_url(client, ADMIN, "not-a-uuid", b"xx").status_code == 404


def test_corrupt_audio_is_refused_at_confirm(client):
    ds = new_dataset(client, ADMIN)
    data = click_wav(0.5, [], seed=5)
    broken = data[:12] + b"\xff" * (len(data) - 12)  # a RIFF/WAVE header, then garbage
    made = upload_url(client, ADMIN, ds, broken).json
    assert (
        client.post(path_of(made["upload_url"]), data=broken, content_type="audio/wav").status_code
        == 200
    )
    answer = client.post(f"/api/v1/audio/{made['audio_id']}/confirm", headers=ADMIN)
    assert answer.status_code == 422
    assert "cannot read the audio" in answer.json["detail"][0]["msg"]
    assert (
        client.get(f"/api/v1/audio/{made['audio_id']}", headers=ADMIN).json["status"] == "invalid"
    )


def test_ids_of_other_owners_and_unknown_ids_are_404(client):
    ds = new_dataset(client, ADMIN)
    audio_id = upload(client, ADMIN, ds, click_wav(0.5, [], seed=6))
    scoped = key(client, project="elsewhere")
    for path in (
        f"/api/v1/datasets/{ds}",
        f"/api/v1/audio/{audio_id}",
        f"/api/v1/datasets/{ds}/audio",
    ):
        assert client.get(path, headers=scoped).status_code == 404
        assert (
            client.get(
                path.replace(ds, UNKNOWN).replace(audio_id, UNKNOWN), headers=ADMIN
            ).status_code
            == 404
        )
    assert client.delete(f"/api/v1/audio/{audio_id}", headers=scoped).status_code == 404
    assert client.get("/api/v1/datasets", headers=scoped).json["total"] == 0
    assert client.get(f"/api/v1/audio/{audio_id}", headers=ADMIN).status_code == 200
    assert client.delete(f"/api/v1/audio/{audio_id}", headers=ADMIN).status_code == 204


def test_scopes_are_checked(client):
    reader = key(client, scopes=["read"])
    assert client.post("/api/v1/datasets", json={"name": "x"}, headers=reader).status_code == 403
    assert client.get("/api/v1/datasets", headers=reader).status_code == 200
    assert client.get("/api/v1/datasets").status_code == 401
    assert client.get("/api/v1/datasets", headers={"X-API-Key": "pl_nope"}).status_code == 401


def test_idempotency_key_replays_the_first_answer(client):
    headers = {**ADMIN, "Idempotency-Key": "abc-1"}
    first = client.post("/api/v1/datasets", json={"name": "once"}, headers=headers)
    again = client.post("/api/v1/datasets", json={"name": "once"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotency-Replayed"] == "true"
    assert client.get("/api/v1/datasets", headers=ADMIN).json["total"] == 1
    other = client.post("/api/v1/datasets", json={"name": "different"}, headers=headers)
    assert other.status_code == 422
    assert other.json["detail"][0]["type"] == "idempotency_key_reused"
    # Kept per API key: another key may use the same Idempotency-Key for its own request.
    writer = key(client)
    mine = client.post(
        "/api/v1/datasets",
        json={"name": "different"},
        headers={**writer, "Idempotency-Key": "abc-1"},
    )
    assert mine.status_code == 201 and mine.json["id"] != first.json["id"]
    # A failed create is not remembered: fixing the body under the same key works.
    fix = {**ADMIN, "Idempotency-Key": "abc-2"}
    assert client.post("/api/v1/datasets", json={"name": ""}, headers=fix).status_code == 422
    assert client.post("/api/v1/datasets", json={"name": "ok"}, headers=fix).status_code == 201


def test_the_document_describes_the_signed_upload_as_keyless(client):
    spec = client.get("/api/v1/openapi.json").json
    upload_op = spec["paths"]["/api/v1/uploads/{audio_id}"]
    assert set(upload_op) == {"post", "put"} and upload_op["post"]["security"] == []
    create = spec["paths"]["/api/v1/datasets"]["post"]
    assert create["security"] == [{"ApiKey": []}] and create["x-scope"] == "write"
    schema = spec["components"]["schemas"]["UploadUrlCreate"]
    assert set(schema["required"]) == {"filename", "content_type", "size_bytes"}
    assert "DatasetOutPage" in spec["components"]["schemas"]


def test_concurrent_requests_with_one_idempotency_key_create_once(app):
    import threading

    answers = []

    def send():
        client = app.test_client()
        headers = {**ADMIN, "Idempotency-Key": "race"}
        answers.append(client.post("/api/v1/datasets", json={"name": "r"}, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {a.status_code for a in answers} <= {201, 409}
    created = {a.json["id"] for a in answers if a.status_code == 201}
    assert len(created) == 1
    assert app.test_client().get("/api/v1/datasets", headers=ADMIN).json["total"] == 1
    # A reservation left by a request still running answers 409.
    store = app.extensions["potato_like"].store
    assert store.idempotency.reserve("admin", "busy", "h")
    busy = app.test_client().post(
        "/api/v1/datasets", json={"name": "b"}, headers={**ADMIN, "Idempotency-Key": "busy"}
    )
    assert busy.status_code == 409 and "still running" in busy.json["detail"]
