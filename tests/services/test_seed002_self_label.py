"""Seed 002 self-label batches: their tasks are served only to the accounts of the
workspace.yaml key that created the batch (`api_keys[].accounts`), never to anyone else,
by any assignment path (next item, jump by id)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from potato_like.store.item_owners import owners
from potato_like.workspace.app import create_workspace_app
from potato_like.workspace.config import load_workspace_config

from ..conftest import radio
from ..workspaces import BOOTSTRAP_KEYS, write_project, write_workspace
from .test_seed002_batches import Annotator, get, post, served_copy

OWNER_KEY = "pl_" + "o" * 43
OWNER = (OWNER_KEY, "")
OWNER_ENTRY = {"name": "owner", "key": OWNER_KEY, "scopes": ["write"], "accounts": ["me", "me2"]}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = write_workspace(
        tmp_path_factory.mktemp("self") / "ws", (), api_keys=[*BOOTSTRAP_KEYS, OWNER_ENTRY]
    )
    labels = ["kitten", "not kitten"]
    write_project(root, "alpha", annotation_schemes=[radio("sentiment", labels)])
    create_workspace_app(root).extensions["potato_like"].close()
    return root


@pytest.fixture
def server(template: Path, tmp_path: Path):
    yield from served_copy(template, tmp_path)


def owned_batch(ws, name="mine") -> list[str]:
    r = post(ws, "/v1/batches", {"project": "alpha", "name": name, "self_label_batch": True}, OWNER)
    assert r.status_code == 200, r.text
    assert r.json()["self_label_batch"] is True
    ids = []
    for n in range(2):
        body = {"batch": name, "attachment": f"mine {n}", "categories": ["kitten"]}
        r = post(ws, "/v1/task/categorization", body, OWNER)
        assert r.status_code == 200, r.text
        ids.append(r.json()["task_id"])
    return ids


def test_self_label_items_go_to_the_owner_accounts_only(server) -> None:
    ws = server
    tasks = owned_batch(ws)
    assert post(ws, "/v1/batches/mine/finalize", auth=OWNER).status_code == 200
    project = ws.projects()["alpha"]
    assert owners(project.store, tasks[0]) == ["me", "me2"]
    # another annotator goes through all of alpha's items and is never served a task
    stranger = Annotator(ws, "stranger")
    seen = {stranger.answer_and_next() for _ in range(3)}
    assert not seen & set(tasks) and len(seen) == 3
    r = stranger.http.get(f"{stranger.base}/api/current_instance", timeout=10)
    assert r.json().get("instance_id") not in tasks
    # nor by jumping to a task's id
    r = stranger.http.post(
        f"{stranger.base}/go_to", json={"action": "go_to", "go_to": tasks[0]}, timeout=10
    )
    assert r.status_code == 404, r.text
    # the owner's accounts are served them first (in-progress batches go to the front)
    me = Annotator(ws, "me")
    assert me.answer_and_next() == tasks[0]
    assert Annotator(ws, "me2").current() in tasks


def test_a_task_added_to_a_running_self_label_batch_is_reserved_too(server) -> None:
    ws = server
    owned_batch(ws)
    post(ws, "/v1/batches/mine/finalize", auth=OWNER)
    body = {"batch": "mine", "attachment": "late", "categories": ["kitten"]}
    late = post(ws, "/v1/task/categorization", body, OWNER).json()["task_id"]
    assert owners(ws.projects()["alpha"].store, late) == ["me", "me2"]
    stranger = Annotator(ws, "someone")
    assert late not in {stranger.answer_and_next() for _ in range(3)}


def test_self_label_needs_a_key_with_accounts(server) -> None:
    ws = server
    r = post(ws, "/v1/batches", {"project": "alpha", "name": "x", "self_label_batch": True})
    assert r.status_code == 400 and "accounts" in r.json()["error"]
    assert get(ws, "/v1/batches/x").status_code == 404
    # an ordinary batch of the owner's key is served to everyone as before
    assert post(ws, "/v1/batches", {"project": "alpha", "name": "open"}, OWNER).status_code == 200
    body = {"batch": "open", "attachment": "anyone", "categories": ["kitten"]}
    task = post(ws, "/v1/task/categorization", body, OWNER).json()["task_id"]
    post(ws, "/v1/batches/open/finalize", auth=OWNER)
    assert owners(ws.projects()["alpha"].store, task) == []
    assert Annotator(ws, "anyone").current() == task


@pytest.mark.parametrize("accounts", ["me", [""], [3]])
def test_accounts_must_be_a_list_of_usernames(tmp_path: Path, accounts) -> None:
    root = write_workspace(tmp_path / "ws", ())
    settings = yaml.safe_load((root / "workspace.yaml").read_text())
    settings["api_keys"].append({**OWNER_ENTRY, "accounts": accounts})
    (root / "workspace.yaml").write_text(yaml.safe_dump(settings))
    with pytest.raises(Exception, match=r"api_keys\[3\]\.accounts"):
        load_workspace_config(root)
