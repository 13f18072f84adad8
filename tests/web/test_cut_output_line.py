"""A per-user annotated_instances.jsonl whose last line was cut short by a crash mid-append
(a real file truncated in the middle of its last line): the reader skips only that line with
a warning, export and restart work, and the restart rewrites the file whole from the store."""

from __future__ import annotations

import json
import logging

import pytest

from potato_like import cli, create_app
from potato_like.export.user_files import FILE_NAME, has_cut_last_line, read_user_file
from tests.conftest import answer, base_config, current_id, login, write_config, write_items

LABELS = ("positive", "negative", "neutral")


@pytest.fixture
def crashed_project(tmp_path):
    """ann finished three items, her file was flushed, then the server "crashed" in the
    middle of writing her last line: (config path, file path, the complete file's lines)."""
    write_items(tmp_path / "data.jsonl", 5)
    config = write_config(tmp_path, base_config(output_flush_seconds=3600))
    app = create_app(config)
    project = app.extensions["potato_like"]
    client = login(app.test_client(), "ann")
    for label in LABELS:
        assert answer(client, current_id(client), **{f"sentiment:{label}": "1"}).status_code == 200
        client.post("/go_to", json={"action": "next_instance"})
    project.output.flush()
    project.close()
    path = tmp_path / "out" / "ann" / FILE_NAME
    complete = path.read_bytes()
    lines = complete.decode().splitlines()
    assert len(lines) == 3
    cut_at = len(complete) - len(lines[-1].encode()) // 2 - 1  # mid-way through the last line
    with path.open("r+b") as fh:
        fh.truncate(cut_at)
    assert not path.read_bytes().endswith(b"\n")
    return config, path, lines


def test_reader_skips_only_the_cut_last_line_with_a_warning(crashed_project, caplog):
    _config, path, lines = crashed_project
    with caplog.at_level(logging.WARNING, logger="potato_like"):
        records = read_user_file(path)
    assert records == [json.loads(line) for line in lines[:2]]
    assert "incomplete last line" in caplog.text
    assert has_cut_last_line(path)


def test_reader_keeps_every_line_of_a_complete_file_and_skips_garbage(tmp_path, caplog):
    path = tmp_path / FILE_NAME
    path.write_text('{"id": "a"}\nnot json\n\n{"id": "b"}\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="potato_like"):
        assert read_user_file(path) == [{"id": "a"}, {"id": "b"}]
    assert ":2: ignoring a line that is not JSON" in caplog.text
    assert "incomplete" not in caplog.text
    assert not has_cut_last_line(path)
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert read_user_file(empty) == [] and not has_cut_last_line(empty)


def test_restart_rewrites_the_cut_file_whole_from_the_store(crashed_project, caplog):
    config, path, lines = crashed_project
    with caplog.at_level(logging.WARNING, logger="potato_like"):
        app = create_app(config)
    project = app.extensions["potato_like"]
    try:
        project.output.flush()
        assert path.read_text(encoding="utf-8").splitlines() == lines
        assert "ends in an incomplete line" in caplog.text
        # and it keeps working: the next answer is appended after the repaired file
        client = login(app.test_client(), "ann")
        assert answer(client, current_id(client), **{"sentiment:neutral": "1"}).status_code == 200
        project.output.flush()
        records = read_user_file(path)
        assert len(records) == 4 and records[:3] == [json.loads(line) for line in lines]
    finally:
        project.close()


def test_export_works_and_has_every_answer_despite_a_cut_file(crashed_project, tmp_path):
    config, path, lines = crashed_project
    out = tmp_path / "all.jsonl"
    assert cli.main(["export", str(config), "--format", "jsonl", "--out", str(out)]) == 0
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(exported) == 3
    # opening the project for the export also repaired the file
    assert path.read_text(encoding="utf-8").splitlines() == lines
