"""Annotations, accounts and secrets on disk are readable by the server's user only: files
0600, directories 0700 (docs/config.md, "Files the server keeps in the output directory")."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from potato_like.cli import main
from tests.conftest import answer, base_config, current_id, login, write_config, write_items


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    """The common 022 umask, under which plainly created files are world-readable (0644)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_database_outputs_and_secrets_are_private(tmp_path, open_app):
    write_items(tmp_path / "data.jsonl", 3)
    config = base_config(admin_api_key=None, secret_key=None)
    app = open_app(write_config(tmp_path, config))
    c = login(app.test_client(), "ann")
    assert answer(c, current_id(c), **{"sentiment:positive": "1"}).status_code == 200
    app.extensions["potato_like"].output.flush()
    out = tmp_path / "out"
    db = out / "potato_like.sqlite3"
    # While the server runs, SQLite's write-ahead log and shared-memory file exist too.
    assert Path(f"{db}-wal").exists() and Path(f"{db}-shm").exists()
    files = {
        db: 0o600,
        Path(f"{db}-wal"): 0o600,
        Path(f"{db}-shm"): 0o600,
        out / ".secret_key": 0o600,
        out / ".admin_api_key": 0o600,
        out / "ann" / "annotated_instances.jsonl": 0o600,
        out: 0o700,
        out / "ann": 0o700,
    }
    assert {str(p): oct(mode(p)) for p in files} == {str(p): oct(m) for p, m in files.items()}
    assert os.umask(0o022) == 0o022  # the process umask was left alone


def test_export_files_are_private(tmp_path, open_app, capsys):
    write_items(tmp_path / "data.jsonl", 2)
    config_path = write_config(tmp_path, base_config())
    target = tmp_path / "exports" / "all.csv"
    assert main(["export", str(config_path), "--format", "csv", "--out", str(target)]) == 0
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700


def test_an_existing_world_readable_database_is_no_longer_readable_by_others(tmp_path, open_app):
    out = tmp_path / "out"
    out.mkdir()
    db = out / "potato_like.sqlite3"
    sqlite3.connect(db).close()  # as an older version left it
    db.chmod(0o644)
    write_items(tmp_path / "data.jsonl", 2)
    open_app(write_config(tmp_path, base_config()))
    assert mode(db) == 0o640  # "other" removed; the group's read kept as the operator chose


def test_knowledge_base_indexes_are_private(tmp_path, open_app):
    (tmp_path / "data.jsonl").write_text('{"id": "e1", "text": "Paris"}\n', encoding="utf-8")
    (tmp_path / "kb.jsonl").write_text('{"id": "Q90", "name": "Paris"}\n', encoding="utf-8")
    scheme = {
        "annotation_type": "span",
        "name": "ner",
        "description": "Entities",
        "labels": ["LOCATION"],
        "entity_linking": {
            "enabled": True,
            "knowledge_bases": [{"name": "places", "type": "file", "path": "kb.jsonl"}],
        },
    }
    open_app(write_config(tmp_path, base_config(annotation_schemes=[scheme])))
    (index,) = (tmp_path / "out").glob("kb_*.sqlite3")
    assert mode(index) == 0o600
