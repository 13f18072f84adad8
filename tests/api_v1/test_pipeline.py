"""THE pipeline of seed 004 through real HTTP with the real job worker process: create a
dataset -> upload WAV files made here with clicks at known times -> annotate the clicks in a
set -> publish -> train -> infer on a new file -> the clicks are found within 0.15 s. Then
the worker is stopped, a job waits queued, and a new worker process runs it."""

from __future__ import annotations

import http.client
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests
from werkzeug.serving import make_server

from potato_like.jobs.process import start_job_worker, stop_job_worker
from tests.api_v1.audio_util import click_wav
from tests.conftest import ADMIN, base_config, write_config, write_items

pytestmark = pytest.mark.slow
TRAIN_CLICKS = [[0.6, 1.9, 3.1], [0.4, 1.5, 2.7, 3.5], [1.1, 2.2, 3.3]]
NEW_CLICKS = [0.9, 2.45, 3.6]
TOLERANCE = 0.15


@pytest.fixture
def served(tmp_path, open_app):
    write_items(tmp_path / "data.jsonl", 3)
    config_path = write_config(tmp_path, base_config())
    app = open_app(config_path)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", config_path
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def api(base: str):
    session = requests.Session()
    session.headers.update(ADMIN)

    def call(method: str, path: str, expect: int, **kwargs):
        answer = session.request(method, base + path, timeout=30, **kwargs)
        assert answer.status_code == expect, (method, path, answer.status_code, answer.text)
        return answer.json() if answer.content else None

    return call


def upload(call, dataset_id: str, data: bytes) -> str:
    made = call(
        "POST",
        f"/api/v1/datasets/{dataset_id}/audio/upload-url",
        201,
        json={"filename": "x.wav", "content_type": "audio/wav", "size_bytes": len(data)},
    )
    # The bytes go to the signed URL, without the API key.
    sent = requests.post(
        made["upload_url"], data=data, headers={"Content-Type": "audio/wav"}, timeout=30
    )
    assert sent.status_code == 200, sent.text
    ready = call("POST", f"/api/v1/audio/{made['audio_id']}/confirm", 200)
    assert ready["status"] == "ready" and ready["sample_rate"] == 16000
    return made["audio_id"]


def wait(call, path: str, seconds: float = 240.0) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = call("GET", path, 200)
        if job["status"] in ("completed", "failed", "cancelled"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"{path} did not finish: {job}")


def test_dataset_upload_annotate_publish_train_infer_finds_the_clicks(served):
    base, config_path = served
    call = api(base)
    worker = start_job_worker(config_path)
    try:
        dataset = call("POST", "/api/v1/datasets", 201, json={"name": "clicks"})["id"]
        train_ids = [
            upload(call, dataset, click_wav(4.0, clicks, seed=i))
            for i, clicks in enumerate(TRAIN_CLICKS)
        ]
        new_id = upload(call, dataset, click_wav(4.0, NEW_CLICKS, seed=11))
        annotation_set = call(
            "POST", "/api/v1/annotation-sets", 201, json={"dataset_id": dataset, "name": "v1"}
        )
        assert annotation_set["status"] == "draft"
        set_path = f"/api/v1/annotation-sets/{annotation_set['id']}"
        for audio_id, clicks in zip(train_ids, TRAIN_CLICKS, strict=True):
            for at in clicks:
                call(
                    "POST",
                    f"{set_path}/annotations",
                    201,
                    json={
                        "audio_id": audio_id,
                        "start_seconds": at,
                        "end_seconds": at + 0.01,
                        "label": "click",
                    },
                )
        call("POST", "/api/v1/training-jobs", 409, json={"annotation_set_id": annotation_set["id"]})
        assert call("POST", f"{set_path}/publish", 200)["status"] == "published"
        queued = call(
            "POST", "/api/v1/training-jobs", 201, json={"annotation_set_id": annotation_set["id"]}
        )
        assert queued["status"] == "queued" and queued["model_id"] is None
        trained = wait(call, f"/api/v1/training-jobs/{queued['id']}")
        assert trained["status"] == "completed", trained["error"]
        assert trained["progress"] == 1.0 and trained["model_id"]
        metrics = trained["metrics"]
        assert metrics["labels"] == ["click"] and metrics["heldout_event_recall"] >= 0.5
        model = call("GET", f"/api/v1/models/{trained['model_id']}", 200)
        assert model["metrics"] == metrics

        job = call(
            "POST",
            "/api/v1/inference-jobs",
            201,
            json={"model_id": trained["model_id"], "audio_ids": [new_id]},
        )
        done = wait(call, f"/api/v1/inference-jobs/{job['id']}")
        assert done["status"] == "completed", done["error"]
        [result] = done["results"]
        assert result["audio_id"] == new_id
        found = result["detections"]
        for at in NEW_CLICKS:
            near = [
                d
                for d in found
                if d["label"] == "click"
                and abs((d["start_seconds"] + d["end_seconds"]) / 2 - at) <= TOLERANCE
            ]
            assert near, f"the click at {at} s was not found: {found}"
            assert 0 < near[0]["confidence"] <= 1
        false_alarms = [
            d
            for d in found
            if all(
                abs((d["start_seconds"] + d["end_seconds"]) / 2 - at) > TOLERANCE
                for at in NEW_CLICKS
            )
        ]
        assert len(false_alarms) <= 1, false_alarms

        # The worker stops; a job created meanwhile waits in the queue ...
        stop_job_worker(worker)
        waiting = call(
            "POST",
            "/api/v1/inference-jobs",
            201,
            json={"model_id": trained["model_id"], "audio_ids": [new_id]},
        )
        time.sleep(1.0)
        assert call("GET", f"/api/v1/inference-jobs/{waiting['id']}", 200)["status"] == "queued"
        # ... and a new worker process runs it.
        worker = start_job_worker(config_path)
        resumed = wait(call, f"/api/v1/inference-jobs/{waiting['id']}")
        assert resumed["status"] == "completed"
        assert resumed["results"][0]["detections"] == result["detections"]
    finally:
        stop_job_worker(worker)


def test_a_chunked_upload_past_its_declared_size_is_cut_off(served):
    base, _config = served
    call = api(base)
    dataset = call("POST", "/api/v1/datasets", 201, json={"name": "big"})["id"]
    data = click_wav(1.0, [], seed=3)
    made = call(
        "POST",
        f"/api/v1/datasets/{dataset}/audio/upload-url",
        201,
        json={"filename": "x.wav", "content_type": "audio/wav", "size_bytes": 1000},
    )
    url = urlsplit(made["upload_url"])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.putrequest("POST", f"{url.path}?{url.query}")
    conn.putheader("Content-Type", "audio/wav")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    try:
        for i in range(0, len(data), 4096):
            piece = data[i : i + 4096]
            conn.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may stop reading once it said no
    answer = conn.getresponse()
    assert answer.status == 413
    conn.close()
    audio = call("GET", f"/api/v1/audio/{made['audio_id']}", 200)
    assert audio["status"] == "pending"  # nothing kept; the URL may be tried again
