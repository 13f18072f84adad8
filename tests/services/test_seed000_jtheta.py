"""Seed 000 (JTheta-style API) against a real workspace server over HTTP: every documented
example request, the annotator/reviewer flow through the invite links, and bad inputs."""

from __future__ import annotations

import io
import threading
import time
from urllib.parse import parse_qs, urlparse

import cv2
import numpy as np
import pytest
import requests
from werkzeug.serving import make_server

from potato_like import create_workspace_app
from potato_like.errors import BadRequest
from potato_like.services.jtheta import projects as logic
from tests.workspaces import A_KEY, KEY, READ_KEY, write_workspace

pytestmark = pytest.mark.slow  # a real server; each project takes ~1-2 s to start
AUTH = {"Authorization": f"Bearer {KEY}"}


def png(w: int = 64, h: int = 48, value: int = 90) -> bytes:
    ok, data = cv2.imencode(".png", np.full((h, w, 3), value, np.uint8))
    assert ok
    return data.tobytes()


def jpeg() -> bytes:
    ok, data = cv2.imencode(".jpg", np.full((30, 40, 3), 200, np.uint8))
    assert ok
    return data.tobytes()


@pytest.fixture
def server(tmp_path):
    root = write_workspace(tmp_path / "ws", projects=())
    app = create_workspace_app(root)
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}", app.extensions["potato_like"]
    finally:
        http.shutdown()
        thread.join(timeout=5)
        http.server_close()
        app.extensions["potato_like"].close()


def create(base, title="Retinal Dataset", category="Medical Imaging"):
    body = {"project_title": title, "project_category": category}
    return requests.post(f"{base}/create_project/", json=body, headers=AUTH, timeout=10)


def dataset(base, project="Retinal Dataset", files=None, name="TumorSlides"):
    files = files or [("images", ("slide1.png", png())), ("images", ("slide2.png", jpeg()))]
    form = {"dataset_name": name, "project_name": project}
    return requests.post(
        f"{base}/create_dataset/", data=form, files=files, headers=AUTH, timeout=30
    )


def request_annotation(base, dataset_id, project="Retinal Dataset", **extra):
    body = {
        "dataset_id": dataset_id,
        "project_name": project,
        "assigned_annotator": "alice@domain.com",
        "assigned_reviewer": "bob@domain.com",
        "labels": [
            {"label": "Tumor", "type": "polygon"},
            {"label": "Blood Vessel", "type": "bounding_box"},
        ],
        **extra,
    }
    return requests.post(f"{base}/request_annotation/", json=body, headers=AUTH, timeout=30)


def status(base, title="Retinal Dataset"):
    return requests.get(f"{base}/get_annotation_status/{title}/", headers=AUTH, timeout=10)


def test_documented_examples_end_to_end(server):
    base, ws = server
    # GET /validate_key/ (curl example)
    r = requests.get(f"{base}/validate_key/", headers=AUTH, timeout=10)
    assert r.status_code == 200 and r.json()["valid"] is True
    # POST /create_project/ with the documented body
    r = create(base)
    assert r.status_code == 201, r.text
    slug = r.json()["project_id"]
    assert slug == "retinal-dataset" and slug in ws.projects()
    # POST /create_dataset/ (the curl example's fields; it names the project by title)
    r = dataset(base)
    assert r.status_code == 201, r.text
    body = r.json()
    assert isinstance(body["dataset_id"], int) and body["images_uploaded"] == 2
    project = ws.projects()[slug]
    assert project.store.stats.overview().total_items == 2
    stored = sorted((ws.project_dir(slug) / "images").rglob("*.*"))
    assert sorted(p.suffix for p in stored) == [".jpg", ".png"]
    assert len(list((ws.project_dir(slug) / "data").glob("*.jsonl"))) == 1
    # POST /upload_images_to_dataset/
    form = {"dataset_id": str(body["dataset_id"]), "project_name": "Retinal Dataset"}
    r = requests.post(
        f"{base}/upload_images_to_dataset/",
        data=form,
        files=[("images", ("slide3.png", png(value=10)))],
        headers=AUTH,
        timeout=30,
    )
    assert r.status_code == 201, r.text
    assert ws.projects()[slug].store.stats.overview().total_items == 3
    assert not list((ws.project_dir(slug) / "data").glob(".*"))  # no partial files left
    # POST /request_annotation/ with the documented body (dataset_id as given back)
    r = request_annotation(base, body["dataset_id"])
    assert r.status_code == 200, r.text
    links = r.json()
    scheme = ws.projects()[slug].config.schemes[0]
    assert scheme.tools == ["polygon", "bbox"]
    assert [label.name for label in scheme.labels] == ["Tumor", "Blood Vessel"]
    # GET /get_annotation_status/{project_title}/
    r = status(base)
    assert r.status_code == 200
    counts = r.json()
    assert counts["total"] == 3 and counts["annotated"] == 0 and counts["reviewed"] == 0
    assert counts["assigned_annotator"] == "alice@domain.com"

    # The annotator's invite link signs her in to the project and lands on the task.
    alice = requests.Session()
    r = alice.get(links["annotator_invite_url"], timeout=30)
    assert r.status_code == 200 and r.url == f"{base}/p/{slug}/annotate", r.url
    iid = alice.get(f"{base}/p/{slug}/api/current_instance", timeout=10).json()["instance_id"]
    shape = {"type": "polygon", "label": "Tumor",
             "coordinates": [{"x": 0.1, "y": 0.1}, {"x": 0.5, "y": 0.1}, {"x": 0.3, "y": 0.6}]}  # fmt: skip
    r = alice.post(
        f"{base}/p/{slug}/updateinstance",
        json={"instance_id": iid, "image_annotations": {"objects": [shape]}},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    r = alice.post(f"{base}/p/{slug}/annotate", json={"action": "next_instance"}, timeout=10)
    assert r.status_code == 200, r.text
    moved = alice.get(f"{base}/p/{slug}/api/current_instance", timeout=10).json()
    assert moved["instance_id"] != iid  # she moved on to the next image
    # ... a second click on the same link is refused (one-time)
    again = requests.get(links["annotator_invite_url"], timeout=10, allow_redirects=False)
    assert again.status_code == 403
    assert status(base).json()["annotated"] == 1

    # The reviewer rejects it with a comment: it goes back to the annotator.
    bob = requests.Session()
    r = bob.get(links["reviewer_invite_url"], timeout=30)
    assert r.status_code == 200 and r.url.endswith(f"/p/{slug}/jtheta/review")
    assert iid in r.text
    listed = bob.get(f"{base}/p/{slug}/jtheta/review.json", timeout=10).json()["images"]
    assert [e["item_id"] for e in listed] == [iid] and listed[0]["state"] == "pending_review"
    token = bob.get(f"{base}/p/{slug}/api/csrf_token", timeout=10).json()["csrf_token"]
    review_url = f"{base}/p/{slug}/jtheta/review/{iid}"
    hdr = {"X-CSRFToken": token, "Accept": "application/json"}
    r = bob.post(review_url, json={"decision": "reject"}, headers=hdr, timeout=10)
    assert r.status_code == 400  # a rejection needs a comment
    r = bob.post(
        review_url, json={"decision": "reject", "comment": "trace the edge"}, headers=hdr,
        timeout=10,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    counts = status(base).json()
    assert (counts["rejected"], counts["accepted"], counts["reviewed"]) == (1, 0, 1)
    returned = alice.get(f"{base}/p/{slug}/jtheta/returned", timeout=10).json()["images"]
    assert returned == [
        {"item_id": iid, "comment": "trace the edge", "image": returned[0]["image"]}
    ]
    page = alice.get(f"{base}/p/{slug}/annotate", timeout=10).text
    assert "The reviewer sent this image back: trace the edge" in page
    # the rejection put her back on that image
    assert (
        alice.get(f"{base}/p/{slug}/api/current_instance", timeout=10).json()["instance_id"] == iid
    )
    # The annotator fixes it: pending review again; then the reviewer accepts.
    shape["coordinates"][2] = {"x": 0.35, "y": 0.65}
    r = alice.post(
        f"{base}/p/{slug}/updateinstance",
        json={"instance_id": iid, "image_annotations": {"objects": [shape]}},
        timeout=10,
    )
    assert r.status_code == 200
    assert status(base).json()["pending_review"] == 1
    # the annotator may not review
    atoken = alice.get(f"{base}/p/{slug}/api/csrf_token", timeout=10).json()["csrf_token"]
    r = alice.post(review_url, json={"decision": "accept"}, headers={"X-CSRFToken": atoken},
                   timeout=10)  # fmt: skip
    assert r.status_code == 403
    r = bob.post(review_url, json={"decision": "accept", "comment": ""}, headers=hdr, timeout=10)
    assert r.status_code == 200
    counts = status(base).json()
    assert (counts["accepted"], counts["rejected"], counts["pending_review"]) == (1, 0, 0)

    # GET /api/export/download?key=K -> 302 to a signed, expiring URL of the export
    r = requests.get(f"{base}/api/export/download?key={KEY}", allow_redirects=False, timeout=10)
    assert r.status_code == 302
    target = r.headers["Location"]
    query = parse_qs(urlparse(target).query)
    assert int(query["expires"][0]) > time.time()
    export = requests.get(requests.compat.urljoin(base, target), timeout=30)
    assert export.status_code == 200
    coco = export.json()
    assert {c["name"] for c in coco["categories"]} >= {"Tumor"}
    assert len(coco["annotations"]) == 1
    # tampered signature, tampered project, expired link: 403
    bad = requests.compat.urljoin(base, target.replace("signature=", "signature=0"))
    assert requests.get(bad, timeout=10).status_code == 403
    expired = int(time.time()) - 1
    sig = logic.download_signature(ws.secret_key, slug, expired)
    old = f"{base}/api/export/file/{slug}?expires={expired}&signature={sig}"
    assert requests.get(old, timeout=10).status_code == 403

    # POST /delete_project/ -> status answers 404
    r = requests.post(f"{base}/delete_project/", json={"project_title": "Retinal Dataset"},
                      headers=AUTH, timeout=30)  # fmt: skip
    assert r.status_code == 200
    assert status(base).status_code == 404
    assert slug not in ws.projects() and not ws.project_dir(slug).exists()
    # the export link of a deleted project no longer serves
    assert requests.get(requests.compat.urljoin(base, target), timeout=10).status_code == 404
    # the title is free again
    assert create(base).status_code == 201


def test_title_of_a_project_deleted_elsewhere_is_free_again(server):
    base, ws = server
    assert create(base).status_code == 201
    ws.delete("retinal-dataset")  # e.g. DELETE /api/v1/projects/<slug> or the dashboard
    assert status(base).status_code == 404
    assert create(base).status_code == 201


def test_wrong_or_missing_key_is_401(server):
    base, _ = server
    assert requests.get(f"{base}/validate_key/", timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer pl_" + "x" * 43}
    r = requests.get(f"{base}/validate_key/", headers=wrong, timeout=10)
    assert r.status_code == 401 and "error" in r.json()
    body = {"project_title": "T", "project_category": "C"}
    assert (
        requests.post(f"{base}/create_project/", json=body, headers=wrong, timeout=10).status_code
        == 401
    )
    r = requests.get(f"{base}/api/export/download?key=nope", allow_redirects=False, timeout=10)
    assert r.status_code == 401
    # the other ways of sending a key work too
    for other in ({"X-API-Key": KEY}, {"Authorization": f"api_key {KEY}"}):
        assert requests.get(f"{base}/validate_key/", headers=other, timeout=10).status_code == 200
    # JSON calls keep the app-wide body cap (uploads alone may be larger)
    huge = {"project_title": "x" * (3 * 1024 * 1024), "project_category": "C"}
    r = requests.post(f"{base}/create_project/", json=huge, headers=AUTH, timeout=30)
    assert r.status_code == 413
    # a read-only key is valid but may not create
    read = {"Authorization": f"Bearer {READ_KEY}"}
    assert requests.get(f"{base}/validate_key/", headers=read, timeout=10).status_code == 200
    assert (
        requests.post(f"{base}/create_project/", json=body, headers=read, timeout=10).status_code
        == 403
    )


def test_missing_fields_are_400_and_unknown_projects_404(server):
    base, ws = server
    for body in (
        {},
        {"project_title": "X"},
        {"project_category": "Y"},
        {"project_title": " ", "project_category": "Y"},
        {"project_title": ["a"], "project_category": "Y"},
    ):
        r = requests.post(f"{base}/create_project/", json=body, headers=AUTH, timeout=10)
        assert r.status_code == 400, body
    r = requests.post(f"{base}/create_project/", data="nope", headers=AUTH, timeout=10)
    assert r.status_code == 400
    assert ws.projects() == {}
    assert create(base).status_code == 201
    assert create(base).status_code == 400  # the title is taken
    assert dataset(base, project="No Such Project").status_code == 404
    r = requests.post(f"{base}/create_dataset/", data={"project_name": "Retinal Dataset"},
                      files=[("images", ("a.png", png()))], headers=AUTH, timeout=10)  # fmt: skip
    assert r.status_code == 400
    r = requests.post(f"{base}/create_dataset/", data={"dataset_name": "d", "project_name": "Retinal Dataset"},
                      headers=AUTH, timeout=10)  # fmt: skip
    assert r.status_code == 400  # no images
    assert status(base, "Nope").status_code == 404
    r = requests.post(
        f"{base}/delete_project/", json={"project_title": "Nope"}, headers=AUTH, timeout=10
    )
    assert r.status_code == 404
    r = requests.post(f"{base}/delete_project/", json={}, headers=AUTH, timeout=10)
    assert r.status_code == 400
    did = dataset(base).json()["dataset_id"]
    form = {"dataset_id": "999", "project_name": "Retinal Dataset"}
    r = requests.post(f"{base}/upload_images_to_dataset/", data=form,
                      files=[("images", ("a.png", png()))], headers=AUTH, timeout=10)  # fmt: skip
    assert r.status_code == 404
    form = {"dataset_id": "abc", "project_name": "Retinal Dataset"}
    r = requests.post(f"{base}/upload_images_to_dataset/", data=form,
                      files=[("images", ("a.png", png()))], headers=AUTH, timeout=10)  # fmt: skip
    assert r.status_code == 400
    assert request_annotation(base, 999).status_code == 404
    assert request_annotation(base, did, project="Nope").status_code == 404
    assert request_annotation(base, "x").status_code == 400
    assert request_annotation(base, did, assigned_reviewer="not-an-address").status_code == 400
    r = request_annotation(base, did, labels=[{"label": "A", "type": "hologram"}])
    assert r.status_code == 400 and "hologram" in r.json()["error"]
    assert request_annotation(base, did, labels=[]).status_code == 400


def test_non_images_are_refused_and_nothing_is_added(server):
    base, ws = server
    assert create(base).status_code == 201
    slug = "retinal-dataset"
    fake_png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200  # the magic, then no image
    for name, data in (("notes.txt", b"hello"), ("broken.png", fake_png), ("empty.png", b"")):
        files = [("images", ("ok.png", png())), ("images", (name, data))]
        r = dataset(base, files=files)
        assert r.status_code == 400 and name in r.json()["error"], r.text
    assert ws.projects()[slug].store.stats.overview().total_items == 0
    assert logic.jtheta(ws).dataset_count(slug) == 0
    did = dataset(base).json()["dataset_id"]
    form = {"dataset_id": str(did), "project_name": "Retinal Dataset"}
    r = requests.post(f"{base}/upload_images_to_dataset/", data=form,
                      files=[("images", ("x.png", fake_png))], headers=AUTH, timeout=10)  # fmt: skip
    assert r.status_code == 400
    assert ws.projects()[slug].store.stats.overview().total_items == 2


def test_size_caps(server, monkeypatch):
    base, ws = server
    monkeypatch.setattr(logic, "MAX_IMAGE_BYTES", 100)
    with pytest.raises(BadRequest, match="larger than"):
        logic.checked_image("big.png", png())
    monkeypatch.setattr(logic, "MAX_IMAGE_BYTES", 20 * 1024 * 1024)
    monkeypatch.setattr(logic, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(BadRequest, match="pixels"):
        logic.checked_image("wide.png", png())
    assert logic.checked_image("tiny.png", png(5, 5)) == ".png"
    # the whole request: 413 over HTTP, as JSON
    assert create(base).status_code == 201
    monkeypatch.setattr(logic, "MAX_UPLOAD_BYTES", 1000)
    r = dataset(base, files=[("images", ("a.png", png(200, 200, 7) + b"\0" * 2000))])
    assert r.status_code == 413 and "error" in r.json()
    assert ws.projects()["retinal-dataset"].store.stats.overview().total_items == 0


def test_expired_and_foreign_invite_links_are_refused(server):
    base, ws = server
    assert create(base).status_code == 201
    assert create(base, title="Other").status_code == 201
    did = dataset(base).json()["dataset_id"]
    links = request_annotation(base, did).json()
    token = links["annotator_invite_url"].rsplit("/", 1)[1]
    # the link on another project is refused and does not use it up
    r = requests.get(f"{base}/p/other/jtheta/invite/{token}", allow_redirects=False, timeout=10)
    assert r.status_code == 403
    # expired: the same store check the route makes, at a later time
    assert (
        logic.jtheta(ws).use_invite(token, "retinal-dataset", now=time.time() + 8 * 86400) is None
    )
    r = requests.get(links["annotator_invite_url"], allow_redirects=False, timeout=10)
    assert r.status_code == 302  # still valid now
    r = requests.get(links["annotator_invite_url"], allow_redirects=False, timeout=10)
    assert r.status_code == 403  # used
    r = requests.get(
        f"{base}/p/retinal-dataset/jtheta/invite/garbage", allow_redirects=False, timeout=10
    )
    assert r.status_code == 403
    # a link that has expired by the time it is opened (its lifetime set to 0 here)
    logic.INVITE_SECONDS, saved = 0, logic.INVITE_SECONDS
    try:
        late = request_annotation(base, did).json()["reviewer_invite_url"]
    finally:
        logic.INVITE_SECONDS = saved
    assert requests.get(late, allow_redirects=False, timeout=10).status_code == 403
    # nobody else can register in the project: only the invited addresses are listed
    r = requests.post(f"{base}/p/retinal-dataset/register",
                      data={"username": "mallory@x.org", "password": "pw-12345678"},
                      headers={"Accept": "application/json"}, timeout=10)  # fmt: skip
    assert r.status_code == 403
    # someone without an invite cannot open the review page
    assert (
        requests.get(f"{base}/p/retinal-dataset/jtheta/review.json", timeout=10).status_code == 401
    )


def test_reviewer_page_form_and_project_keys(server):
    base, _ = server
    assert create(base).status_code == 201
    did = dataset(base).json()["dataset_id"]
    links = request_annotation(base, did).json()
    slug = "retinal-dataset"
    alice = requests.Session()
    alice.get(links["annotator_invite_url"], timeout=30)
    iid = alice.get(f"{base}/p/{slug}/api/current_instance", timeout=10).json()["instance_id"]
    box = {"type": "bbox", "label": "Blood Vessel",
           "coordinates": {"x": 0.1, "y": 0.1, "width": 0.3, "height": 0.2}}  # fmt: skip
    r = alice.post(f"{base}/p/{slug}/updateinstance",
                   json={"instance_id": iid, "image_annotations": {"objects": [box]}}, timeout=10)  # fmt: skip
    assert r.status_code == 200
    bob = requests.Session()
    page = bob.get(links["reviewer_invite_url"], timeout=30).text
    assert "pending review" in page and f'/p/{slug}/jtheta/review/{iid}"' in page
    assert f'src="/p/{slug}/' in page  # the image, under the project's prefix
    src = page.split(f'src="/p/{slug}/')[1].split('"')[0]
    image = bob.get(f"{base}/p/{slug}/{src}", timeout=10)  # stored in the project's directory
    assert image.status_code == 200 and image.content in (png(), jpeg())  # the upload, as sent
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    r = bob.post(f"{base}/p/{slug}/jtheta/review/{iid}",
                 data={"csrf_token": token, "decision": "accept", "comment": "fine"},
                 headers={"Referer": f"{base}/p/{slug}/jtheta/review"}, timeout=10)  # fmt: skip
    assert r.status_code == 200 and r.url == f"{base}/p/{slug}/jtheta/review"
    assert "Last decision: accept" in r.text
    assert status(base).json()["accepted"] == 1
    # unknown image: 404
    r = bob.post(f"{base}/p/{slug}/jtheta/review/nope",
                 data={"csrf_token": token, "decision": "accept"},
                 headers={"Referer": f"{base}/p/{slug}/jtheta/review", "Accept": "application/json"},
                 timeout=10)  # fmt: skip
    assert r.status_code == 404
    # a key restricted to another workspace project sees no JTheta project
    other = {"Authorization": f"Bearer {A_KEY}"}
    r = requests.get(f"{base}/get_annotation_status/Retinal Dataset/", headers=other, timeout=10)
    assert r.status_code == 404
    body = {"project_title": "Mine", "project_category": "C"}
    assert (
        requests.post(f"{base}/create_project/", json=body, headers=other, timeout=10).status_code
        == 403
    )


def test_everything_survives_a_restart(tmp_path):
    root = write_workspace(tmp_path / "ws", projects=())
    app = create_workspace_app(root)
    client = app.test_client()
    body = {"project_title": "Retinal Dataset", "project_category": "Medical Imaging"}
    assert client.post("/create_project/", json=body, headers=AUTH).status_code == 201
    form = {
        "dataset_name": "d",
        "project_name": "Retinal Dataset",
        "images": (io.BytesIO(png()), "a.png"),
    }
    r = client.post("/create_dataset/", data=form, headers=AUTH, content_type="multipart/form-data")
    assert r.status_code == 201, r.json
    app.extensions["potato_like"].close()
    again = create_workspace_app(root).test_client()
    try:
        counts = again.get("/get_annotation_status/Retinal Dataset/", headers=AUTH).json
        assert counts["total"] == 1 and counts["datasets"] == 1
    finally:
        again.application.extensions["potato_like"].close()
