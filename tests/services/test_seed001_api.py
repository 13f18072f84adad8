"""Seed 001 (docs/service-api-001.md): every documented example request replayed against the
workspace's root app over real HTTP, with a local file host and webhook receiver, plus the
bad inputs (missing fields, wrong key, unknown ids, invalid expiration, cancel of a done job,
SSRF targets)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import time

import pytest
import requests

from potato_like.errors import ConfigError
from potato_like.services.hitl import logic
from potato_like.webhooks import outbox, signing
from potato_like.webhooks.worker import DeliveryThread
from potato_like.workspace.app import create_workspace_app

from ..workspaces import KEY, READ_KEY, write_workspace
from .hitl_servers import PDF, PNG, file_host, loads, receiver, serve_wsgi

H = {"Authorization": f"api_key {KEY}"}
ADMIN = {"X-API-Key": KEY}
SCHEMES = [
    {
        "annotation_type": "radio",
        "name": "animal",
        "description": "Which animal is it?",
        "labels": ["cat", "dog"],
    }
]
FILES = {
    "instructions.pdf": ("application/pdf", PDF),
    "guide.png": ("image/png", PNG),
    "file_1.png": ("image/png", PNG),
    "file_2.png": ("image/png", PNG),
    "fake.png": ("image/png", b"<html>not an image</html>"),
    "page.pdf": ("text/html", PDF),
}


@pytest.fixture
def server(tmp_path):
    root = write_workspace(
        tmp_path / "ws", projects=(), allow_fetch_hosts=["127.0.0.1"], egress_ip="203.0.113.7"
    )
    app = create_workspace_app(root)
    with file_host(FILES) as host, serve_wsgi(app) as base:
        yield base, host, app.extensions["potato_like"]
    app.extensions["potato_like"].close()


def active_project(base: str, host: str) -> str:
    body = {"name": "test_project", "instructions_file_url": f"{host}/instructions.pdf"}
    pid = requests.post(f"{base}/v1/projects", json=body, headers=H, timeout=30).json()["id"]
    r = requests.post(
        f"{base}/api/v1/projects/{pid}/activate",
        json={"annotation_schemes": SCHEMES},
        headers=ADMIN,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return pid


def annotator(base: str, slug: str, name: str = "ann") -> requests.Session:
    session = requests.Session()
    r = session.post(
        f"{base}/p/{slug}/register", data={"username": name, "password": "pw-12345"}, timeout=10
    )
    assert r.ok, r.text
    return session


@pytest.mark.slow
def test_the_documented_requests_end_to_end(server) -> None:
    base, host, workspace = server
    # Health Check
    r = requests.get(f"{base}/v1/health", headers=H, timeout=10)
    assert r.status_code == 200 and r.json() == {"status": "UP"}
    # Project Create: the instructions file is downloaded now, shown to annotators
    body = {"name": "test_project", "instructions_file_url": f"{host}/instructions.pdf"}
    r = requests.post(f"{base}/v1/projects", json=body, headers=H, timeout=30)
    assert r.status_code == 200, r.text
    pid = r.json()["id"]
    assert isinstance(pid, str)
    # Project Status: new, and a new project refuses jobs
    r = requests.get(f"{base}/v1/projects/{pid}", headers=H, timeout=10)
    project = r.json()
    assert r.status_code == 200 and project["status"] == "new"
    slug = project["slug"]
    assert project["annotate_url"].endswith(f"/p/{slug}/annotate")
    saved = workspace.project_dir(slug) / "media/hitl/instructions.pdf"
    assert saved.read_bytes() == PDF
    job = {"project_id": pid, "file_urls": [f"{host}/file_1.png"]}
    r = requests.post(f"{base}/v1/jobs", json=job, headers=H, timeout=30)
    assert r.status_code == 409 and "new" in r.json()["error"]
    # an admin activates it with its annotation schemes
    r = requests.post(
        f"{base}/api/v1/projects/{pid}/activate",
        json={"annotation_schemes": SCHEMES},
        headers=ADMIN,
        timeout=30,
    )
    assert r.status_code == 200 and r.json()["status"] == "active", r.text
    assert requests.get(f"{base}/v1/projects/{pid}", headers=H, timeout=10).json()["status"] == (
        "active"
    )
    listed = requests.get(f"{base}/v1/projects", headers=H, timeout=10).json()
    assert [p["id"] for p in listed] == [pid]
    # Job Create, as documented
    job = {
        "project_id": pid,
        "file_urls": [f"{host}/file_1.png", f"{host}/file_2.png"],
        "predictions": {"animal": "dog"},
        "expiration_minutes": 60,
    }
    r = requests.post(f"{base}/v1/jobs", json=job, headers=H, timeout=30)
    assert r.status_code == 200, r.text
    jid = r.json()["job_id"]
    # Job Status
    r = requests.get(f"{base}/v1/jobs/{pid}/{jid}", headers=H, timeout=10)
    status = r.json()
    assert status["status"] == "new" and status["project_id"] == pid and status["job_id"] == jid
    assert status["start_date"] is None and status["finish_date"] is None
    assert dt.datetime.fromisoformat(status["create_date"].replace("Z", "+00:00"))
    assert status["annotations"] == {}
    # the image URL needs the key
    assert requests.get(status["image"], timeout=10).status_code == 401
    got = requests.get(status["image"], headers=H, timeout=10)
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["Content-Type"] == "image/png"
    # the annotator sees the instructions, the job, and the prediction pre-filled
    ann = annotator(base, slug)
    page = ann.get(f"{base}/p/{slug}/annotate", timeout=10).text
    assert "media/hitl/instructions.pdf" in page
    assert ann.get(f"{base}/p/{slug}/media/hitl/instructions.pdf", timeout=10).content == PDF
    current = ann.get(f"{base}/p/{slug}/api/current_instance", timeout=10).json()
    assert current["instance_id"] == jid
    assert 'data-testid="prefilled"' in page
    # both of the job's images, in a gallery
    assert f'src="/p/{slug}/project_files/media/hitl/{jid}/0.png"' in page, page
    assert f'src="/p/{slug}/project_files/media/hitl/{jid}/1.png"' in page, page
    assert logic.reconcile(workspace) == 1
    status = requests.get(f"{base}/v1/jobs/{pid}/{jid}", headers=H, timeout=10).json()
    assert status["status"] == "progress" and status["start_date"] is not None
    # the annotator corrects the prediction: the job is done with the answer
    r = ann.post(
        f"{base}/p/{slug}/updateinstance",
        json={"instance_id": jid, "annotations": {"animal:cat": "1"}},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    status = requests.get(f"{base}/v1/jobs/{pid}/{jid}", headers=H, timeout=10).json()
    assert status["status"] == "done", status
    assert status["annotations"] == {"ann": {"animal": "cat"}}
    assert status["finish_date"] >= status["start_date"] >= status["create_date"]
    # Job Cancel of a done job: refused
    r = requests.delete(f"{base}/v1/jobs/{pid}/{jid}", headers=H, timeout=10)
    assert r.status_code == 409 and "done" in r.json()["error"]
    # a second job, canceled while new: it leaves the project's queue
    r = requests.post(f"{base}/v1/jobs", json=job, headers=H, timeout=30)
    jid2 = r.json()["job_id"]
    r = requests.delete(f"{base}/v1/jobs/{pid}/{jid2}", headers=H, timeout=10)
    assert r.status_code == 200 and [j["status"] for j in r.json()] == ["canceled"]
    assert workspace.projects()[slug].store.items.by_id(jid2) is None
    # Bulk Jobs Status
    r = requests.get(f"{base}/v1/jobs/{pid}", headers=H, timeout=10)
    assert [(j["job_id"], j["status"]) for j in r.json()] == [(jid, "done"), (jid2, "canceled")]
    # Metrics, as in the example
    today = dt.datetime.now(dt.UTC).date()
    monday = today - dt.timedelta(days=today.weekday())
    query = (
        f"period_group_level=week&period_start_date={monday}"
        f"&period_end_date={today + dt.timedelta(days=1)}&project_ids={pid}"
    )
    r = requests.get(f"{base}/v1/metrics?{query}", headers=H, timeout=10)
    assert r.status_code == 200, r.text
    (entry,) = r.json()
    assert entry["project_id"] == pid and entry["project_name"] == "test_project"
    assert entry["period_group_level"] == "week" and entry["period_start_date"] == str(monday)
    (group,) = entry["metrics"]
    assert group["period_group_start"] == str(monday)
    assert (group["jobs_all"], group["jobs_done"], group["jobs_canceled"]) == (2, 1, 1)
    assert (group["jobs_new"], group["jobs_progress"], group["jobs_expired"]) == (0, 0, 0)
    assert 0 <= group["min_seconds_to_finish_job"] <= group["max_job_lifespan_seconds"] < 120
    assert group["avg_job_lifespan_seconds"] == group["max_job_lifespan_seconds"]
    # Static Egress IP
    r = requests.get(f"{base}/v1/ip", headers=H, timeout=10)
    assert r.status_code == 200 and r.text == "203.0.113.7"
    assert r.headers["Content-Type"].startswith("text/plain")


@pytest.mark.slow
def test_the_webhook_posts_the_job_status_signed_and_is_retried(server) -> None:
    base, host, workspace = server
    pid = active_project(base, host)
    slug = workspace.store.hitl.project(pid)["slug"]
    with receiver(fail_first=1) as (hook, got):
        job = {
            "project_id": pid,
            "file_urls": [f"{host}/file_1.png"],
            "webhook_url": f"{hook}/hook",
            "webhook_headers": {"X-Token": "s3cret"},
        }
        r = requests.post(f"{base}/v1/jobs", json=job, headers=H, timeout=30)
        jid = r.json()["job_id"]
        ann = annotator(base, slug)
        ann.get(f"{base}/p/{slug}/annotate", timeout=10)
        r = ann.post(
            f"{base}/p/{slug}/updateinstance",
            json={"instance_id": jid, "annotations": {"animal:dog": "1"}},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        assert logic.reconcile(workspace) == 1
        assert logic.reconcile(workspace) == 0  # done once: one delivery
        assert outbox.deliver_due(workspace.store) == 1
        assert len(got) == 1  # answered 500: retried within 30 s
        assert outbox.deliver_due(workspace.store) == 0
        assert outbox.deliver_due(workspace.store, now=time.time() + 30) == 1
        assert len(got) == 2
    first, second = got
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"]
    assert second["headers"]["X-Token"] == "s3cret" and second["path"] == "/hook"
    signing.verify(outbox.secret(workspace.store), second["headers"], second["body"], time.time())
    payload = loads(second["body"])
    status = requests.get(f"{base}/v1/jobs/{pid}/{jid}", headers=H, timeout=10).json()
    assert payload["status"] == "done" and payload["annotations"] == {"ann": {"animal": "dog"}}
    assert {k: payload[k] for k in ("project_id", "job_id", "create_date", "finish_date")} == {
        k: status[k] for k in ("project_id", "job_id", "create_date", "finish_date")
    }
    assert payload["image"].endswith(f"/v1/jobs/{pid}/{jid}/files/0")


def test_webhook_targets_and_headers_are_checked_at_creation(bare_app) -> None:
    job = {"project_id": "p", "file_urls": ["https://example.test/file_1.png"]}
    for extra in (
        {"webhook_url": "ftp://example.test/hook"},
        {"webhook_url": "https://example.test/hook", "webhook_headers": {"Bad Name": "x"}},
        {"webhook_url": "https://example.test/hook", "webhook_headers": {"X-A": "a\r\nb"}},
        {"webhook_url": "https://example.test/hook", "webhook_headers": ["x"]},
    ):
        r = bare_app.test_client().post("/v1/jobs", json={**job, **extra}, headers=H)
        assert r.status_code == 400 and "webhook" in r.json["error"], (extra, r.json)


@pytest.mark.slow
def test_an_expired_job_leaves_the_queue(server) -> None:
    base, host, workspace = server
    # run.py DIR's background thread, which runs the workspace's periodic passes
    thread = DeliveryThread(lambda: [workspace.store], lambda: workspace.periodic, 0.1).start()
    try:
        expire_a_job(base, host, workspace)
    finally:
        thread.stop()


def expire_a_job(base, host, workspace) -> None:
    pid = active_project(base, host)
    job = {"project_id": pid, "file_urls": [f"{host}/instructions.pdf"], "expiration_minutes": 1}
    jid = requests.post(f"{base}/v1/jobs", json=job, headers=H, timeout=30).json()["job_id"]
    slug = workspace.store.hitl.project(pid)["slug"]
    assert workspace.projects()[slug].store.items.by_id(jid) is not None
    # the background pass notices the annotator holding it, with no status request
    assert annotator(base, slug, "early").get(f"{base}/p/{slug}/annotate").status_code == 200
    deadline = time.time() + 10
    while workspace.store.hitl.job(pid, jid)["status"] != "progress":
        assert time.time() < deadline
        time.sleep(0.05)
    assert logic.reconcile(workspace, now=10**10) == 1
    status = requests.get(f"{base}/v1/jobs/{pid}/{jid}", headers=H, timeout=10).json()
    assert status["status"] == "expired"
    assert workspace.projects()[slug].store.items.by_id(jid) is None
    ann = annotator(base, slug)
    assert (
        ann.get(f"{base}/p/{slug}/api/current_instance", timeout=10).json().get("instance_id")
        != jid
    )
    r = requests.delete(f"{base}/v1/jobs/{pid}/{jid}", headers=H, timeout=10)
    assert r.status_code == 409


@pytest.mark.slow
def test_keys_and_unknown_ids(server) -> None:
    base, host, _ = server
    assert requests.get(f"{base}/v1/health", timeout=10).json() == {"status": "UP"}
    wrong = {"Authorization": "api_key pl_" + "z" * 43}
    for method, path in (
        ("get", "/v1/health"),
        ("get", "/v1/projects"),
        ("post", "/v1/projects"),
        ("post", "/v1/jobs"),
        ("get", "/v1/metrics"),
        ("get", "/v1/ip"),
    ):
        r = requests.request(method, base + path, headers=wrong, json={}, timeout=10)
        assert r.status_code == 401 and "error" in r.json(), (path, r.text)
    assert requests.get(f"{base}/v1/projects", timeout=10).status_code == 401
    reader = {"Authorization": f"api_key {READ_KEY}"}
    body = {"name": "x", "instructions_file_url": f"{host}/instructions.pdf"}
    assert requests.post(f"{base}/v1/projects", json=body, headers=reader).status_code == 403
    pid = active_project(base, host)
    for path in (
        "/v1/projects/nope",
        "/v1/jobs/nope",
        f"/v1/jobs/{pid}/nope",
        "/v1/jobs/nope/nope",
        f"/v1/jobs/{pid}/nope/files/0",
        "/v1/metrics?project_ids=nope",
    ):
        r = requests.get(base + path, headers=H, timeout=10)
        assert r.status_code == 404 and "error" in r.json(), path
    r = requests.delete(f"{base}/v1/jobs/{pid}/nope", headers=H, timeout=10)
    assert r.status_code == 404
    job = {"project_id": "nope", "file_urls": [f"{host}/file_1.png"]}
    assert requests.post(f"{base}/v1/jobs", json=job, headers=H, timeout=10).status_code == 404
    r = requests.post(f"{base}/api/v1/projects/nope/activate", json={}, headers=ADMIN)
    assert r.status_code == 404 and "detail" in r.json()
    r = requests.get(f"{base}/v1/metrics?period_group_level=hour", headers=H, timeout=10)
    assert r.status_code == 400
    # deactivated: inactive, and no new jobs
    r = requests.post(f"{base}/api/v1/projects/{pid}/deactivate", headers=ADMIN, timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "inactive"
    job = {"project_id": pid, "file_urls": [f"{host}/file_1.png"]}
    r = requests.post(f"{base}/v1/jobs", json=job, headers=H, timeout=10)
    assert r.status_code == 409 and "inactive" in r.json()["error"]
    # the dashboard's Resume (the workspace status) activates a seed-001 project too
    slug = requests.get(f"{base}/v1/projects/{pid}", headers=H, timeout=10).json()["slug"]
    r = requests.patch(
        f"{base}/api/v1/projects/{slug}", json={"status": "active"}, headers=ADMIN, timeout=10
    )
    assert r.status_code == 200
    assert requests.get(f"{base}/v1/projects/{pid}", headers=H).json()["status"] == "active"
    many = {"project_id": pid, "file_urls": [f"{host}/file_1.png"] * 21}
    assert requests.post(f"{base}/v1/jobs", json=many, headers=H, timeout=10).status_code == 400


@pytest.mark.slow
def test_missing_fields_and_bad_files(server) -> None:
    base, host, workspace = server
    for body in (
        {},
        {"name": "x"},
        {"instructions_file_url": f"{host}/instructions.pdf"},
        {"name": "", "instructions_file_url": f"{host}/instructions.pdf"},
        {"name": "x", "instructions_file_url": f"{host}/notes.txt"},  # extension
        {"name": "x", "instructions_file_url": f"{host}/missing.pdf"},  # 404 there
        {"name": "x", "instructions_file_url": f"{host}/page.pdf"},  # served as text/html
    ):
        r = requests.post(f"{base}/v1/projects", json=body, headers=H, timeout=30)
        assert r.status_code == 400 and r.json()["error"], (body, r.text)
    r = requests.post(f"{base}/v1/projects", data="name=x", headers=H, timeout=10)
    assert r.status_code == 400
    # seed 002's documented body for this path creates a batch (POST /v1/batches answers it)
    batch = {"project": "kitten_labeling", "name": "kitten_labeling_2020-07"}
    r = requests.post(f"{base}/v1/projects", json=batch, headers=H, timeout=10)
    assert r.status_code == 404 and "kitten_labeling" in r.json()["error"], r.text  # no project
    assert workspace.store.hitl.projects() == []
    body = {"name": "guide", "instructions_file_url": f"{host}/guide.png"}
    assert requests.post(f"{base}/v1/projects", json=body, headers=H).status_code == 200
    batch["project"] = "guide"  # a known project now: the batch is made, in staging
    r = requests.post(f"{base}/v1/projects", json=batch, headers=H, timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "staging", r.text
    assert r.json()["name"] == "kitten_labeling_2020-07"
    pid = active_project(base, host)
    for job in (
        {"file_urls": [f"{host}/file_1.png"]},
        {"project_id": pid},
        {"project_id": pid, "file_urls": []},
        {"project_id": pid, "file_urls": "x.png"},
        {"project_id": pid, "file_urls": [f"{host}/fake.png"]},  # not a PNG inside
        {"project_id": pid, "file_urls": [f"{host}/instructions.docx"]},  # not for jobs
        {"project_id": pid, "file_urls": [f"{host}/file_1.png"], "predictions": [1]},
        {"project_id": pid, "file_urls": [f"{host}/file_1.png"], "webhook_url": "ftp://x"},
        {"project_id": pid, "file_urls": [f"{host}/file_1.png"], "webhook_headers": {"a": 1}},
    ):
        r = requests.post(f"{base}/v1/jobs", json=job, headers=H, timeout=30)
        assert r.status_code == 400 and r.json()["error"], (job, r.text)
    assert workspace.store.hitl.jobs() == []
    bad = {"annotation_schemes": [{"annotation_type": "no-such-type", "name": "q"}]}
    r = requests.post(f"{base}/api/v1/projects/{pid}/activate", json=bad, headers=ADMIN)
    assert r.status_code == 422, r.text


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory):
    """One workspace without allow_fetch_hosts, for the checks made before any download."""
    root = write_workspace(tmp_path_factory.mktemp("hitl") / "ws", projects=())
    app = create_workspace_app(root)
    yield app
    app.extensions["potato_like"].close()


@pytest.mark.parametrize("minutes", [0, 1441, "x", 1.5, True, -3, "60"])
def test_expiration_minutes_must_be_an_integer_from_1_to_1440(bare_app, minutes) -> None:
    job = {"project_id": "p", "file_urls": ["https://example.test/file_1.png"]}
    r = bare_app.test_client().post(
        "/v1/jobs", json={**job, "expiration_minutes": minutes}, headers=H
    )
    assert r.status_code == 400 and "expiration_minutes" in r.json["error"], r.json


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/file.png",
        "http://169.254.169.254/latest/meta-data/x.png",
        "http://192.168.1.1/x.pdf",
        "http://[::1]/x.png",
        "http://localhost/x.png",
        "http://0.0.0.0/x.png",
        "file:///etc/passwd.png",
    ],
)
def test_ssrf_targets_are_refused(bare_app, url) -> None:
    body = {"name": "x", "instructions_file_url": url}
    r = bare_app.test_client().post("/v1/projects", json=body, headers=H)
    assert r.status_code == 400 and "cannot download" in r.json["error"], r.json
    assert bare_app.extensions["potato_like"].store.hitl.projects() == []


def test_v1_ip_without_egress_ip_is_the_outbound_address(bare_app) -> None:
    r = bare_app.test_client().get("/v1/ip", headers=H)
    assert r.status_code == 200 and r.mimetype == "text/plain"
    assert ipaddress.ip_address(r.get_data(as_text=True))


def test_egress_ip_must_be_an_ip_address(tmp_path) -> None:
    root = write_workspace(tmp_path / "ws", projects=(), egress_ip="my-firewall")
    with pytest.raises(ConfigError) as err:
        create_workspace_app(root)
    assert "egress_ip: must be an IP address" in str(err.value.problems)
