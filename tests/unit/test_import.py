"""Data files -> items: every format, bad rows reported as file:line, import once, re-import
on change, failed imports leave nothing behind."""

from __future__ import annotations

import json
import os
import time

import pytest

from potato_like import create_app
from potato_like.config import load_config
from potato_like.errors import DataError
from potato_like.project import Project
from tests.conftest import answer, base_config, current_id, login, write_config


def open_project(tmp_path, data_file, **overrides):
    config = load_config(write_config(tmp_path, base_config(items_file=data_file, **overrides)))
    return Project.open(config)


def ids(project):
    from potato_like.export.registry import exporter  # noqa: F401 - keep registry loaded

    out = []
    seq = 1
    while True:
        item = project.store.items.by_seq(seq)
        if item is None:
            break
        out.append(item.id)
        seq += 1
    return out


@pytest.mark.parametrize(
    "name,content",
    [
        ("a.jsonl", '{"id": "x1", "text": "one"}\n\n{"id": 2, "text": "two", "meta": {"k": 1}}\n'),
        (
            "a.json",
            '[\n  {"id": "x1", "text": "one"},\n  {"id": 2, "text": "two", "meta": {"k": 1}}\n]\n',
        ),
        ("b.json", '{"id": "x1", "text": "one"}\n{"id": 2, "text": "two", "meta": {"k": 1}}\n'),
        ("a.csv", 'id,text,meta\nx1,one,\n2,"two",{""k"": 1}\n'),
        ("a.tsv", "id\ttext\tmeta\nx1\tone\t\n2\ttwo\t{}\n"),
    ],
)
def test_every_format_imports(tmp_path, name, content):
    (tmp_path / name).write_text(content, encoding="utf-8")
    project = open_project(tmp_path, name)
    try:
        assert ids(project) == ["x1", "2"]
        item = project.store.items.by_id("2")
        assert item.text == "two"
        assert "meta" in item.fields
        assert project.store.items.count() == 2
    finally:
        project.close()


@pytest.mark.parametrize(
    "name,content,expected",
    [
        (
            "bad.jsonl",
            '{"id": "a", "text": "x"}\n{"text": "no id"}\n{oops\n[1]\n{"id": "b"}\n',
            [
                "bad.jsonl:2: missing id",
                "bad.jsonl:3: invalid JSON",
                "bad.jsonl:4: expected a JSON object",
            ],
        ),
        (
            "dupe.jsonl",
            '{"id": "a", "text": "x"}\n{"id": "b", "text": "y"}\n{"id": "a", "text": "z"}\n',
            ["dupe.jsonl:3: duplicate id 'a' (first at dupe.jsonl:1)"],
        ),
        (
            "arr.json",
            '[\n{"id": "a", "text": "x"},\n\n"string",\n{"id": "b", "text": "y"}\n]',
            ["arr.json:4: expected a JSON object"],
        ),
        ("broken.json", '[\n{"id": "a", "text": "x"},\n{"id": \n', ["broken.json:4: invalid JSON"]),
        (
            "cols.csv",
            "id,text\na,x\nb,y,extra\n",
            ["cols.csv:3: has 3 fields but the header has 2"],
        ),
        ("empty.jsonl", "\n\n", ["empty.jsonl: no items found"]),
    ],
)
def test_bad_rows_fail_the_start_with_file_and_line(tmp_path, name, content, expected):
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as err:
        open_project(tmp_path, name)
    text = "\n".join(err.value.problems)
    for needle in expected:
        assert needle in text


def test_non_utf8_file_is_read_as_cp1252_with_a_warning(tmp_path):
    (tmp_path / "latin.jsonl").write_bytes(b'{"id": "a", "text": "caf\xe9"}\n')
    project = open_project(tmp_path, "latin.jsonl")
    try:
        assert project.store.items.by_id("a").text == "café"
        assert any("latin.jsonl: not UTF-8" in w for w in project.import_report.warnings)
    finally:
        project.close()


def test_a_file_declared_utf8_that_is_not_is_reported(tmp_path):
    (tmp_path / "latin.jsonl").write_bytes(b'{"id": "a", "text": "caf\xe9"}\n')
    with pytest.raises(DataError, match=r"latin\.jsonl:1: not UTF-8"):
        open_project(
            tmp_path, "latin.jsonl", data_files=[{"path": "latin.jsonl", "encoding": "utf-8"}]
        )


def test_imported_once_then_only_when_the_file_changes(tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": "a", "text": "x"}\n{"id": "b", "text": "y"}\n')
    first = open_project(tmp_path, "d.jsonl")
    assert first.import_report.changed and first.import_report.added == 2
    first.close()
    again = open_project(tmp_path, "d.jsonl")
    assert not again.import_report.changed
    again.close()
    later = time.time() + 5
    os.utime(data, (later, later))  # touched, same content
    touched = open_project(tmp_path, "d.jsonl")
    assert not touched.import_report.changed
    touched.close()
    data.write_text(
        '{"id": "a", "text": "x2"}\n{"id": "b", "text": "y"}\n{"id": "c", "text": "z"}\n'
    )
    changed = open_project(tmp_path, "d.jsonl")
    try:
        report = changed.import_report
        assert report.changed and report.added == 1 and report.updated == 1
        assert changed.store.items.by_id("a").text == "x2"
        assert ids(changed) == ["a", "b", "c"]
    finally:
        changed.close()


def test_removed_items_with_work_are_retired_others_deleted(tmp_path):
    data = tmp_path / "data.jsonl"
    data.write_text(
        '{"id": "a", "text": "x"}\n{"id": "b", "text": "y"}\n{"id": "c", "text": "z"}\n'
    )
    app = create_app(write_config(tmp_path, base_config()))
    c = login(app.test_client(), "ann")
    assert answer(c, current_id(c), **{"sentiment:positive": "1"}).status_code == 200
    app.extensions["potato_like"].close()
    data.write_text('{"id": "c", "text": "z"}\n')
    project = open_project(tmp_path, "data.jsonl")
    try:
        report = project.import_report
        assert report.retired == 1 and report.deleted == 1
        assert "kept (retired)" in report.warnings[0]
        assert project.store.items.count() == 1
        assert project.store.items.by_id("a") is None  # not served any more
        rows = list(project.store.annotations.iter_annotated())
        assert [r.item_id for r in rows] == ["a"]  # but the annotation is kept
    finally:
        project.close()


def test_failed_reimport_leaves_store_unchanged(tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": "a", "text": "x"}\n')
    open_project(tmp_path, "d.jsonl").close()
    data.write_text('{"id": "a", "text": "changed"}\n{"id": "a", "text": "dupe"}\n')
    with pytest.raises(DataError):
        open_project(tmp_path, "d.jsonl")
    data.write_text('{"id": "a", "text": "x"}\n')
    project = open_project(tmp_path, "d.jsonl")
    try:
        assert not project.import_report.changed
        assert project.store.items.by_id("a").text == "x"
    finally:
        project.close()


def test_non_string_text_and_context(tmp_path):
    (tmp_path / "d.jsonl").write_text(
        json.dumps({"id": "a", "text": ["first", "second"], "ctx": "before"}) + "\n"
    )
    app = create_app(
        write_config(
            tmp_path,
            base_config(
                items_file="d.jsonl",
                item_properties={"id_key": "id", "text_key": "text", "context_key": "ctx"},
            ),
        )
    )
    try:
        c = login(app.test_client(), "ann")
        assert current_id(c) == "a"
        assert c.get("/api/spans/a").json["text"] == '["first", "second"]'
        page = c.get("/annotate").data.decode()
        assert "before" in page
    finally:
        app.extensions["potato_like"].close()


def test_script_payloads_in_data_and_config_are_escaped(tmp_path):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "a", "text": payload}) + "\n")
    schemes = [
        {
            "annotation_type": "radio",
            "name": "s",
            "description": payload,
            "labels": [{"name": payload, "tooltip": payload}],
        }
    ]
    app = create_app(
        write_config(
            tmp_path,
            base_config(
                items_file="d.jsonl",
                annotation_schemes=schemes,
                instructions=payload,
                server_name=payload,
            ),
        )
    )
    try:
        c = login(app.test_client(), "ann")
        page = c.get("/annotate").data.decode()
        assert "<script>alert" not in page
        assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
        assert "&lt;script&gt;" in page
    finally:
        app.extensions["potato_like"].close()


def test_corrupted_database_file_is_a_clear_error(tmp_path):
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "x"}\n')
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "potato_like.sqlite3").write_bytes(b"this is not a database" * 100)
    from potato_like.errors import ConfigError

    with pytest.raises(ConfigError, match="cannot open it: file is not a database"):
        open_project(tmp_path, "data.jsonl")


def test_output_dir_that_cannot_be_created_is_a_clear_error(tmp_path):
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "x"}\n')
    (tmp_path / "blocker").write_text("a file, not a directory")
    from potato_like.errors import ConfigError

    with pytest.raises(ConfigError, match="output_annotation_dir: cannot create"):
        open_project(tmp_path, "data.jsonl", output_annotation_dir="blocker/out")
