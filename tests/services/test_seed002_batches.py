"""Seed 002 (Scale-style batches and tasks) against a real workspace server over HTTP: every
documented example request, the task endpoints, staging items never served, priorities,
completion by the reconciler, and the bad inputs."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from potato_like.services.batches.reconcile import reconcile
from potato_like.workspace.app import create_workspace_app

from ..conftest import radio
from ..web.image_util import image_scheme
from ..workspaces import A_KEY, KEY, READ_KEY, write_project, write_workspace

AUTH = (KEY, "")
JSON = {"accept": "application/json", "content-type": "application/json"}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A workspace opened once (its stores made and migrated), copied for each test."""
    root = write_workspace(tmp_path_factory.mktemp("scale") / "ws", ())
    beta_schemes = [
        radio("sentiment", ["positive", "negative", "neutral"]),
        {"annotation_type": "text", "name": "notes", "description": "Notes"},
        image_scheme(),
    ]
    write_project(root, "beta", annotation_schemes=beta_schemes)
    labels = ["kitten", "not kitten", "positive", "negative", "neutral"]
    write_project(
        root, "alpha", annotation_schemes=[radio("sentiment", labels, dynamic_options=True)]
    )
    create_workspace_app(root).extensions["potato_like"].close()
    return root


def served_copy(template: Path, tmp_path: Path):
    """A copy of the template workspace served over real HTTP (its URL in `.base`)."""
    root = tmp_path / "ws"
    shutil.copytree(template, root)
    app = create_workspace_app(root)
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    workspace = app.extensions["potato_like"]
    workspace.base = f"http://127.0.0.1:{http.server_port}"
    yield workspace
    http.shutdown()
    thread.join(timeout=5)
    workspace.close()


@pytest.fixture
def server(template: Path, tmp_path: Path):
    yield from served_copy(template, tmp_path)


def post(ws, path, payload=None, auth=AUTH):
    return requests.post(ws.base + path, json=payload, headers=JSON, auth=auth, timeout=20)


def get(ws, path, auth=AUTH, **params):
    headers = {"accept": "application/json"}
    return requests.get(ws.base + path, params=params, headers=headers, auth=auth, timeout=20)


def make_batch(ws, name="kitten_labeling_2020-07", project="alpha", **extra):
    payload = {"project": project, "name": name, **extra}
    r = post(ws, "/v1/batches", payload)
    assert r.status_code == 200, r.text
    return r.json()


def add_task(ws, batch="kitten_labeling_2020-07", kind="categorization", **extra):
    payload = {
        "project": "alpha",
        "batch": batch,
        "attachment": "Is this a kitten?",
        "attachment_type": "text",
        "instruction": "Pick one",
        "categories": ["kitten", "not kitten"],
        **extra,
    }
    r = post(ws, f"/v1/task/{kind}", payload)
    assert r.status_code == 200, r.text
    return r.json()


class Annotator:
    """A person annotating project alpha over HTTP."""

    def __init__(self, ws, name: str) -> None:
        self.base = f"{ws.base}/p/alpha"
        self.http = requests.Session()
        r = self.http.post(f"{self.base}/register", data={"username": name, "password": "pw"})
        assert r.ok, r.text

    def current(self) -> str:
        r = self.http.get(f"{self.base}/api/current_instance", timeout=10)
        assert r.status_code == 200, r.text
        return r.json()["instance_id"]

    def answer_and_next(self) -> str:
        iid = self.current()
        r = self.http.post(
            f"{self.base}/updateinstance",
            json={"instance_id": iid, "annotations": {"sentiment:kitten": "1"}},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        self.http.post(f"{self.base}/go_to", json={"action": "next_instance"}, timeout=10)
        return iid


def item_ids(ws, slug="alpha") -> set[str]:
    project = ws.projects()[slug]
    return {row["id"] for row in project.store.items.iter_data()}


def test_documented_examples_replayed(server) -> None:
    ws = server
    # POST /v1/batches, exactly the documented payload
    created = make_batch(ws, calibration_batch=False, self_label_batch=False)
    assert created["project"] == "alpha" and created["name"] == "kitten_labeling_2020-07"
    assert created["status"] == "staging" and created["metadata"] == {}
    assert created["created_at"].endswith("Z")
    # POST /v1/batches/{name}/finalize (documented: no body)
    r = requests.post(
        ws.base + "/v1/batches/kitten_labeling_2020-07/finalize",
        headers={"accept": "application/json"},
        auth=AUTH,
        timeout=20,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"project", "name", "callback", "status", "created_at", "metadata"}
    assert body["status"] == "in_progress"
    # GET /v1/batches/{name}
    r = get(ws, "/v1/batches/kitten_labeling_2020-07")
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    assert r.json()["callback"] is None
    # GET /v1/batches/{name}/status
    r = get(ws, "/v1/batches/kitten_labeling_2020-07/status")
    assert r.json() == {"status": "in_progress", "tasks_pending": 0, "tasks_completed": 0}
    # GET /v1/batches with the documented parameters (created now: end_time in the future)
    params = {
        "project": "alpha",
        "status": "in_progress",
        "detailed": "false",
        "start_time": "2020-05-21",
        "end_time": "2100-01-01",
        "limit": 100,
        "offset": 0,
    }
    r = get(ws, "/v1/batches", **params)
    assert r.status_code == 200, r.text
    assert [b["name"] for b in r.json()["docs"]] == ["kitten_labeling_2020-07"]
    params["end_time"] = "2021-01-01"  # the documented window: this batch is newer
    assert get(ws, "/v1/batches", **params).json()["docs"] == []
    # POST /v1/batches/{name}/prioritize {"priority": 10}
    r = post(ws, "/v1/batches/kitten_labeling_2020-07/prioritize", {"priority": 10})
    assert r.status_code == 200 and r.json() == {"result": "success"}
    assert get(ws, "/v1/batches/kitten_labeling_2020-07").json()["priority"] == 10


def test_staging_tasks_are_never_served_and_finalize_serves_them_first(server) -> None:
    ws = server
    make_batch(ws)
    tasks = [add_task(ws, attachment=f"text {n}", unique_id=f"u{n}") for n in range(2)]
    assert all(t["status"] == "pending" and t["batch"] == "kitten_labeling_2020-07" for t in tasks)
    # not items of the project while staging: nobody can be served them
    assert not item_ids(ws) & {t["task_id"] for t in tasks}
    ann = Annotator(ws, "ann")
    seen = {ann.answer_and_next() for _ in range(3)}  # alpha's own 3 items
    assert not seen & {t["task_id"] for t in tasks}
    r = get(ws, f"/v1/task/{tasks[0]['task_id']}")
    assert r.status_code == 200 and r.json()["status"] == "pending"
    assert r.json()["params"]["categories"] == ["kitten", "not kitten"]
    post(ws, "/v1/batches/kitten_labeling_2020-07/finalize")
    assert {t["task_id"] for t in tasks} <= item_ids(ws)
    # the item offers the task's categories (the question's dynamic options)
    fields = ws.projects()["alpha"].store.items.by_id(tasks[0]["task_id"]).fields
    assert fields["visible_labels"] == ["kitten", "not kitten"]
    assert get(ws, f"/v1/task/{tasks[0]['task_id']}").json()["params"]["scheme"] == "sentiment"
    other = Annotator(ws, "other")  # a fresh annotator gets the batch first
    assert other.current() == tasks[0]["task_id"]


def test_higher_priority_batches_are_served_first(server) -> None:
    ws = server
    make_batch(ws, "low")
    make_batch(ws, "high")
    low = add_task(ws, batch="low", attachment="low one")
    high = add_task(ws, batch="high", attachment="high one")
    post(ws, "/v1/batches/low/finalize")
    post(ws, "/v1/batches/high/finalize")
    assert post(ws, "/v1/batches/low/prioritize", {"priority": 30}).json() == {"result": "success"}
    assert post(ws, "/v1/batches/high/prioritize", {"priority": 11}).status_code == 200
    ann = Annotator(ws, "ann")
    assert ann.answer_and_next() == low["task_id"]
    assert ann.answer_and_next() == high["task_id"]
    # and the other way round for another annotator after a new prioritisation
    post(ws, "/v1/batches/high/prioritize", {"priority": 30})
    post(ws, "/v1/batches/low/prioritize", {"priority": 10})
    assert Annotator(ws, "second").current() == high["task_id"]


def test_batch_completes_when_its_tasks_are_annotated(server) -> None:
    ws = server
    make_batch(ws, "b1")
    tasks = [add_task(ws, batch="b1", attachment=f"t{n}") for n in range(2)]
    post(ws, "/v1/batches/b1/finalize")
    ann = Annotator(ws, "ann")
    assert ann.answer_and_next() == tasks[0]["task_id"]
    assert reconcile(ws) == {"tasks": 1, "batches": 0}
    status = get(ws, "/v1/batches/b1/status").json()
    assert status == {"status": "in_progress", "tasks_pending": 1, "tasks_completed": 1}
    done = get(ws, f"/v1/task/{tasks[0]['task_id']}").json()
    assert done["status"] == "completed" and done["completed_at"]
    assert done["response"]["category"] == "kitten"
    answers = done["response"]["annotations"]
    assert answers[0]["annotator"] == "ann" and answers[0]["scheme"] == "sentiment"
    ann.answer_and_next()
    assert reconcile(ws) == {"tasks": 1, "batches": 1}
    assert reconcile(ws) == {"tasks": 0, "batches": 0}  # idempotent
    status = get(ws, "/v1/batches/b1/status").json()
    assert status == {"status": "completed", "tasks_pending": 0, "tasks_completed": 2}
    detailed = get(ws, "/v1/batches", status="completed", detailed="true").json()["docs"]
    assert detailed[0]["tasks_completed"] == 2 and detailed[0]["tasks_pending"] == 0
    r = post(
        ws, "/v1/task/categorization", {"batch": "b1", "attachment": "late", "categories": ["a"]}
    )
    assert r.status_code == 409 and "completed" in r.json()["error"]


def test_tasks_of_each_type_and_without_a_batch(server) -> None:
    ws = server
    # beta has a choice, a text and an image question; alpha only a choice question
    text = {"project": "beta", "attachment": "Describe it", "fields": [{"field_id": "f"}]}
    r = post(ws, "/v1/task/textcollection", text)
    assert r.status_code == 200, r.text
    t = r.json()
    assert t["batch"] is None and t["task_id"] in item_ids(ws, "beta")  # no batch: at once
    assert t["params"]["scheme"] == "notes"
    row = ws.projects()["beta"].store.items.by_id(t["task_id"])
    assert row.text == "Describe it" and row.fields["scale_task_type"] == "textcollection"
    image = {
        "project": "beta",
        "attachment": "https://example.com/cat.jpg",
        "attachment_type": "image",
        "geometries": {"box": {"objects_to_annotate": ["cat"]}},
    }
    r = post(ws, "/v1/task/imageannotation", image)
    assert r.status_code == 200 and r.json()["params"]["scheme"] == "objects", r.text
    fields = ws.projects()["beta"].store.items.by_id(r.json()["task_id"]).fields
    assert fields["geometries"] == {"box": {"objects_to_annotate": ["cat"]}}
    for kind, payload in (("textcollection", text), ("imageannotation", image)):
        r = post(ws, f"/v1/task/{kind}", {**payload, "project": "alpha"})
        assert r.status_code == 400 and f"answers {kind}" in r.json()["error"], r.text
    # allow_multiple needs a multiple-choice question: alpha has none
    many = {"project": "alpha", "attachment": "x", "categories": ["kitten"], "allow_multiple": True}
    r = post(ws, "/v1/task/categorization", many)
    assert r.status_code == 400 and "multiple-choice" in r.json()["error"]
    # the project is found by its title as well as by its slug
    r = post(
        ws,
        "/v1/task/categorization",
        {"project": "Project beta", "attachment": "x", "categories": ["positive", "negative"]},
    )
    assert r.status_code == 200 and r.json()["task_id"] in item_ids(ws, "beta")


def test_listing_is_newest_first_and_paged(server) -> None:
    ws = server
    for n in range(3):
        make_batch(ws, f"b{n}", project="alpha" if n < 2 else "beta")
    names = [b["name"] for b in get(ws, "/v1/batches").json()["docs"]]
    assert names == ["b2", "b1", "b0"]
    page = get(ws, "/v1/batches", limit=1, offset=1).json()
    assert [b["name"] for b in page["docs"]] == ["b1"] and page["has_more"] is True
    assert [b["name"] for b in get(ws, "/v1/batches", project="beta").json()["docs"]] == ["b2"]
    assert get(ws, "/v1/batches", status="in_progress").json()["docs"] == []


BAD_BATCHES = [
    ({"name": "x"}, 400),  # no project
    ({"project": "alpha"}, 400),  # no name
    ({"project": "nope", "name": "x"}, 404),  # unknown project
    ({"project": "alpha", "name": "x", "callback": "ftp://h/x"}, 400),
    ({"project": "alpha", "name": "x", "calibration_batch": "maybe"}, 400),
]


def test_bad_inputs(server) -> None:
    ws = server
    for payload, status in BAD_BATCHES:
        r = post(ws, "/v1/batches", payload)
        assert r.status_code == status, (payload, r.text)
        assert r.json()["status_code"] == status and r.json()["error"]
    make_batch(ws, "b", callback="someone@example.com")
    assert get(ws, "/v1/batches/b").json()["callback"] == "someone@example.com"
    r = post(ws, "/v1/batches", {"project": "beta", "name": "b"})  # names are unique
    assert r.status_code == 409 and "already exists" in r.json()["error"]
    for priority in (9, 31, "x", 20.5, True, None):
        r = post(ws, "/v1/batches/b/prioritize", {"priority": priority})
        assert r.status_code == 400, (priority, r.text)
    assert get(ws, "/v1/batches/b").json()["priority"] == 20
    for path in ("/v1/batches/nope", "/v1/batches/nope/status", "/v1/task/nope"):
        assert get(ws, path).status_code == 404
    assert post(ws, "/v1/batches/nope/finalize").status_code == 404
    assert post(ws, "/v1/batches/nope/prioritize", {"priority": 20}).status_code == 404
    # wrong or missing key; a read-only key cannot create
    assert get(ws, "/v1/batches/b", auth=("pl_" + "z" * 43, "")).status_code == 401
    assert requests.get(ws.base + "/v1/batches", timeout=10).status_code == 401
    assert get(ws, "/v1/batches/b", auth=(READ_KEY, "")).status_code == 200
    r = post(ws, "/v1/batches", {"project": "alpha", "name": "r"}, auth=(READ_KEY, ""))
    assert r.status_code == 403
    # a key restricted to project alpha sees nothing of beta
    make_batch(ws, "of-beta", project="beta")
    alpha_only = (A_KEY, "")
    r = post(ws, "/v1/batches", {"project": "beta", "name": "z"}, auth=alpha_only)
    assert r.status_code == 403
    assert get(ws, "/v1/batches/of-beta", auth=alpha_only).status_code == 404
    assert get(ws, "/v1/batches/b", auth=alpha_only).status_code == 200
    listed = get(ws, "/v1/batches", auth=alpha_only).json()["docs"]
    assert [b["name"] for b in listed] == ["b"]
    # an archived project takes no new tasks
    ws.set_status("beta", "archived")
    r = post(
        ws,
        "/v1/task/categorization",
        {"project": "beta", "attachment": "a", "categories": ["positive"]},
    )
    assert r.status_code == 409 and "archived" in r.json()["error"]
    ws.set_status("beta", "active")
    # tasks
    assert post(ws, "/v1/task/segmentation", {"project": "alpha"}).status_code == 404
    t = add_task(ws, batch="b", unique_id="same")
    r = post(
        ws,
        "/v1/task/categorization",
        {"project": "alpha", "attachment": "a", "categories": ["kitten"], "unique_id": "same"},
    )
    assert r.status_code == 409 and "unique_id" in r.json()["error"]
    assert get(ws, f"/v1/task/{t['task_id']}").json()["unique_id"] == "same"
    bad_tasks = [
        ("categorization", {"project": "alpha", "categories": ["a"]}),  # no attachment
        ("categorization", {"project": "alpha", "attachment": "a"}),  # no categories
        ("categorization", {"project": "alpha", "attachment": "a", "categories": []}),
        ("categorization", {"attachment": "a", "categories": ["a"]}),  # no project
        # categories that no question of the project offers
        ("categorization", {"project": "alpha", "attachment": "a", "categories": ["dog"]}),
        (
            "categorization",
            {"project": "alpha", "batch": "nope", "attachment": "a", "categories": ["a"]},
        ),
        ("textcollection", {"project": "alpha", "attachment": "a", "fields": "f"}),
        ("textcollection", {"project": "alpha", "attachment": "a", "callback_url": "x"}),
        ("imageannotation", {"project": "alpha", "attachment": "not a url"}),
        ("imageannotation", {"project": "alpha", "attachment": "file:///etc/passwd"}),
        ("imageannotation", {"project": "alpha", "attachment": "javascript:alert(1)"}),
        (
            "imageannotation",
            {"project": "alpha", "attachment": "https://h/x.png", "attachment_type": "text"},
        ),
        (
            "categorization",
            {"project": "beta", "batch": "b", "attachment": "a", "categories": ["a"]},
        ),  # batch of another project
    ]
    for kind, payload in bad_tasks:
        r = post(ws, f"/v1/task/{kind}", payload)
        assert r.status_code in (400, 404), (kind, payload, r.text)
        assert r.json()["error"], payload
    r = requests.post(ws.base + "/v1/batches", data="[", headers=JSON, auth=AUTH, timeout=10)
    assert r.status_code == 400
    for params in (
        {"limit": 0},
        {"limit": "x"},
        {"offset": -1},
        {"status": "done"},
        {"start_time": "yesterday"},
        {"detailed": "maybe"},
        {"project": "nope"},
    ):
        assert get(ws, "/v1/batches", **params).status_code in (400, 404), params


def test_task_and_batch_callbacks_go_out_signed_and_retried(server) -> None:
    from potato_like.webhooks import outbox, signing

    from ..webhook_receiver import receive_webhooks

    ws = server
    outbox.configure(ws.store, outbox.DeliverySettings(allow_hosts=("127.0.0.1",)))
    with receive_webhooks(answers=[500, 200, 200]) as hook:
        make_batch(ws, "cb", callback=hook.url)
        task = add_task(ws, batch="cb", callback_url=hook.url, metadata={"k": 1})
        post(ws, "/v1/batches/cb/finalize")
        Annotator(ws, "ann").answer_and_next()
        t0 = time.time()
        assert reconcile(ws, now=t0) == {"tasks": 1, "batches": 1}
        assert reconcile(ws) == {"tasks": 0, "batches": 0}  # each callback queued once
        assert outbox.deliver_due(ws.store, now=t0) == 2  # the first answers 500
        assert outbox.deliver_due(ws.store, now=t0 + 30) == 1  # retried within 30 s
        got = hook.wait(3)
    secret = outbox.secret(ws.store)
    for delivery in got:
        signing.verify(secret, delivery.headers, delivery.body, now=time.time())
    bodies = {d.json.get("task_id") or d.json.get("batch"): d.json for d in got}
    assert bodies[task["task_id"]]["task"]["metadata"] == {"k": 1}
    assert bodies[task["task_id"]]["task"]["status"] == "completed"
    assert bodies[task["task_id"]]["response"]["annotations"][0]["annotator"] == "ann"
    assert bodies["cb"] == {
        "batch": "cb",
        "project": "alpha",
        "status": "completed",
        "tasks_pending": 0,
        "tasks_completed": 1,
    }
    ids = [d.headers["webhook-id"] for d in got]
    assert len(set(ids)) == 2  # the retry carries the same id


def test_the_background_pass_completes_batches_and_ssrf_callbacks_are_never_called(
    server,
) -> None:
    from potato_like.webhooks import outbox
    from potato_like.webhooks.worker import DeliveryThread

    ws = server
    outbox.configure(ws.store, outbox.DeliverySettings())  # no allowed hosts
    make_batch(ws, "bg", callback="http://169.254.169.254/latest/meta-data/")
    add_task(ws, batch="bg", callback_url="http://127.0.0.1:9/hook")
    post(ws, "/v1/batches/bg/finalize")
    Annotator(ws, "ann").answer_and_next()
    # run.py DIR's background thread: the workspace's periodic passes, then deliveries
    background = DeliveryThread(lambda: [ws.store], lambda: ws.periodic, interval=0.05)
    background.start()
    try:
        deadline = time.time() + 10
        while len(ws.store.outbox.recent()) < 2 or any(
            r["attempts"] == 0 for r in ws.store.outbox.recent()
        ):
            assert time.time() < deadline
            time.sleep(0.05)
    finally:
        background.stop()
    assert get(ws, "/v1/batches/bg/status").json()["status"] == "completed"
    rows = ws.store.outbox.recent()
    assert len(rows) == 2
    assert all(r["status"] != "delivered" and r["last_error"] for r in rows), rows
    assert all(r["last_status_code"] is None for r in rows)  # refused before any request


def test_pending_tasks_complete_after_a_restart_without_a_request(server) -> None:
    from potato_like.services.batches.tasks import records
    from potato_like.webhooks.worker import DeliveryThread

    ws = server
    make_batch(ws, "r")
    add_task(ws, batch="r")
    post(ws, "/v1/batches/r/finalize")
    Annotator(ws, "ann").answer_and_next()
    again = create_workspace_app(ws.config.root).extensions["potato_like"]  # restarted
    try:
        # the root app registered each service's reconciler (seed 001's and this one)
        assert len(again.periodic) == 2
        DeliveryThread(lambda: [again.store], lambda: again.periodic).run_once()
        assert records(again).batch("r")["status"] == "completed"
    finally:
        again.close()
