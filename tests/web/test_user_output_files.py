"""Per-user annotated_instances.jsonl: appended when only new items changed, rewritten
otherwise, always equal to a rewrite from the store."""

from __future__ import annotations

import json
import os

import pytest

from potato_like.export.user_files import FILE_NAME
from tests.conftest import answer, current_id, login


@pytest.fixture
def project(make_project):
    app = make_project(items=6, output_flush_seconds=3600)  # flushed by hand only
    return app, app.extensions["potato_like"]


def user_id(project, name: str) -> int:
    return project.store.users.by_name(name).id


def file_of(project, name: str):
    return project.config.output_dir / name / FILE_NAME


def rewritten(project, name: str) -> bytes:
    """What a rewrite from the store gives, without touching the real file's state."""
    path = file_of(project, name)
    before = path.read_bytes()
    project.output.write_user(user_id(project, name))  # a full rewrite
    after = path.read_bytes()
    path.write_bytes(before)
    project.output._files.pop(user_id(project, name), None)  # forget: the test wrote it
    return after


def save_and_next(client, label: str = "positive") -> str:
    iid = current_id(client)
    assert answer(client, iid, **{f"sentiment:{label}": "1"}).status_code == 200
    client.post("/go_to", json={"action": "next_instance"})
    return iid


def one_item_flushed(project):
    """ann finished item_001 and her file was written: (client, project, file path)."""
    app, proj = project
    client = login(app.test_client(), "ann")
    save_and_next(client)
    proj.output.flush()
    return client, proj, file_of(proj, "ann")


def test_new_items_are_appended_not_rewritten(project):
    client, proj, path = one_item_flushed(project)
    first = path.stat()
    ids = [save_and_next(client), save_and_next(client)]
    proj.output.flush()
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert [x["id"] for x in lines] == ["item_001", *ids]
    assert path.stat().st_ino == first.st_ino  # the same file, appended to
    assert path.read_bytes() == rewritten(proj, "ann")


def test_editing_an_earlier_item_rewrites_the_file(project):
    app, proj = project
    client = login(app.test_client(), "ann")
    first = save_and_next(client)
    save_and_next(client)
    proj.output.flush()
    inode = file_of(proj, "ann").stat().st_ino
    assert answer(client, first, **{"sentiment:negative": "1"}).status_code == 200
    proj.output.flush()
    path = file_of(proj, "ann")
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert lines[0]["id"] == first
    assert lines[0]["label_annotations"]["sentiment"] == {"negative": "1"}
    assert path.stat().st_ino != inode  # replaced atomically, not edited in place
    assert path.read_bytes() == rewritten(proj, "ann")


def test_clearing_the_last_item_drops_its_line(project):
    app, proj = project
    client = login(app.test_client(), "ann")
    save_and_next(client)
    iid = current_id(client)
    assert answer(client, iid, **{"sentiment:positive": "1"}).status_code == 200
    proj.output.flush()
    assert len(file_of(proj, "ann").read_text().splitlines()) == 2
    assert answer(client, iid, **{"sentiment:positive": "0"}).status_code == 200
    proj.output.flush()
    assert [json.loads(x)["id"] for x in file_of(proj, "ann").read_text().splitlines()] == [
        "item_001"
    ]


def test_a_file_changed_by_someone_else_is_rewritten(project):
    client, proj, path = one_item_flushed(project)
    path.write_text("garbage\n")  # e.g. another server process, or a person
    save_and_next(client)
    proj.output.flush()
    assert [json.loads(x)["id"] for x in path.read_text().splitlines()] == [
        "item_001",
        "item_002",
    ]


def test_a_deleted_file_is_written_again(project):
    client, proj, path = one_item_flushed(project)
    os.unlink(path)
    save_and_next(client)
    proj.output.flush()
    assert len(file_of(proj, "ann").read_text().splitlines()) == 2


def test_users_are_kept_apart_and_a_restart_rewrites(project, open_app):
    app, proj = project
    ann, bob = login(app.test_client(), "ann"), login(app.test_client(), "bob")
    for _ in range(2):
        save_and_next(ann)
        save_and_next(bob, "negative")
        proj.output.flush()
    assert file_of(proj, "ann").read_bytes() == rewritten(proj, "ann")
    assert file_of(proj, "bob").read_bytes() == rewritten(proj, "bob")
    assert "negative" in file_of(proj, "bob").read_text()
    assert "negative" not in file_of(proj, "ann").read_text()
    # A new process knows nothing of the files: its first flush of a user rewrites.
    config_path = proj.config.config_path
    proj.close()
    app2 = open_app(config_path)
    proj2 = app2.extensions["potato_like"]
    ann2 = login(app2.test_client(), "ann")
    save_and_next(ann2)
    proj2.output.flush()
    assert len(file_of(proj2, "ann").read_text().splitlines()) == 3
    assert file_of(proj2, "ann").read_bytes() == rewritten(proj2, "ann")
