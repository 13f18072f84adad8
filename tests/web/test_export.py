"""Outputs and exports: per-user Potato files, json/jsonl/csv/tsv by CLI and admin API."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from potato_like.cli import main
from tests.conftest import ADMIN, REPO, current_id, login


@pytest.fixture
def annotated(make_project):
    app = make_project(
        items=3,
        schemes=[
            {
                "annotation_type": "radio",
                "name": "sentiment",
                "description": "s",
                "labels": ["positive", "negative"],
            },
            {
                "annotation_type": "multiselect",
                "name": "topics",
                "description": "t",
                "labels": ["a", "b", "c"],
            },
            {
                "annotation_type": "slider",
                "name": "intensity",
                "description": "i",
                "min_value": 0,
                "max_value": 10,
            },
        ],
    )
    for user, label in (("ann", "positive"), ("bob", "negative")):
        c = login(app.test_client(), user)
        iid = current_id(c)
        r = c.post(
            "/updateinstance",
            json={
                "instance_id": iid,
                "annotations": {
                    f"sentiment:{label}": "1",
                    "topics:a": "1",
                    "topics:c": "1",
                    "intensity:slider": "7",
                },
            },
        )
        assert r.status_code == 200
    return app


def test_per_user_output_file_is_potato_shaped(annotated):
    project = annotated.extensions["potato_like"]
    project.output.flush()
    path = project.config.output_dir / "ann" / "annotated_instances.jsonl"
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert lines == [
        {
            "id": "item_001",
            "displayed_text": "Text number 1.",
            "label_annotations": {
                "intensity": {"slider": "7"},
                "sentiment": {"positive": "1"},
                "topics": {"a": "1", "c": "1"},
            },
            "span_annotations": [],
            "behavioral_data": {},
        }
    ]


def test_output_is_flushed_in_background(annotated):
    project = annotated.extensions["potato_like"]
    path = project.config.output_dir / "bob" / "annotated_instances.jsonl"
    import time

    deadline = time.time() + 10
    while not path.exists() and time.time() < deadline:
        time.sleep(0.1)
    assert path.exists()


def test_export_formats_endpoint(annotated):
    c = annotated.test_client()
    assert c.get("/admin/api/export/formats").status_code == 403
    names = [f["name"] for f in c.get("/admin/api/export/formats", headers=ADMIN).json["formats"]]
    # (other format families add their own: these are present, and the list is sorted)
    assert {"conll", "conllu", "csv", "json", "jsonl", "spans_jsonl", "tsv"} <= set(names)
    assert "preference_jsonl" in names and names == sorted(names)
    assert {"agent_eval", "prm"} <= set(names)


def test_export_jsonl_and_json(annotated):
    c = annotated.test_client()
    r = c.post("/admin/api/export", json={"format": "jsonl"}, headers=ADMIN)
    assert r.status_code == 200 and r.mimetype == "application/x-ndjson"
    rows = [json.loads(line) for line in r.data.decode().splitlines()]
    assert [(row["id"], row["user"]) for row in rows] == [("item_001", "ann"), ("item_001", "bob")]
    assert rows[0]["answers"] == {"sentiment": "positive", "topics": ["a", "c"], "intensity": 7}
    assert rows[0]["status"] == "done"
    r = c.post("/admin/api/export", json={"format": "json"}, headers=ADMIN)
    assert [row["user"] for row in json.loads(r.data)] == ["ann", "bob"]


def test_export_csv_has_potato_columns(annotated):
    c = annotated.test_client()
    r = c.post("/admin/api/export", json={"format": "csv"}, headers=ADMIN)
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.data.decode())))
    assert rows[1]["user"] == "bob" and rows[1]["instance_id"] == "item_001"
    assert rows[1]["sentiment:::negative"] == "1" and rows[1]["sentiment:::positive"] == ""
    assert rows[1]["topics:::c"] == "1" and rows[1]["intensity:::slider"] == "7"
    assert rows[1]["answer:topics"] == '["a", "c"]'


def test_export_bad_requests(annotated):
    c = annotated.test_client()
    r = c.post("/admin/api/export", json={"format": "xlsx"}, headers=ADMIN)
    assert r.status_code == 400 and "available: " in r.json["error"]
    available = r.json["error"].split("available: ", 1)[1].split(", ")
    assert available == sorted(available)
    assert {"conll", "csv", "json", "jsonl", "preference_jsonl", "spans_jsonl", "tsv"} <= set(
        available
    )
    assert c.post("/admin/api/export", data="x", headers=ADMIN).status_code == 400
    login(c, "ann")
    assert c.post("/admin/api/export", json={"format": "csv"}).status_code == 403


def test_cli_export_and_check(annotated, tmp_path, capsys):
    project = annotated.extensions["potato_like"]
    config_path = str(project.config.config_path)
    project.close()
    out = tmp_path / "exports" / "all.tsv"
    assert main(["export", config_path, "--format", "tsv", "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open(), delimiter="\t"))
    assert [r["user"] for r in rows] == ["ann", "bob"]
    assert main(["export", config_path, "--format", "nope", "--out", str(out)]) == 2
    assert main(["check", config_path]) == 0
    assert "OK" in capsys.readouterr().out


def test_cli_check_lists_problems_and_exits_non_zero(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("annotation_task_name: x\nannotation_schemes: []\nport: abc\n")
    result = subprocess.run(
        [sys.executable, str(REPO / "run.py"), "check", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "data_files: is required" in result.stderr
    assert "annotation_schemes: must be a non-empty list" in result.stderr
    assert "port: must be a whole number" in result.stderr


def test_answers_are_exported_in_constant_memory_order(annotated):
    # Two users on one item come out grouped by item then user, however many there are.
    project = annotated.extensions["potato_like"]
    rows = list(project.store.annotations.iter_annotated(batch=1))
    assert [(r.item_id, r.user) for r in rows] == [("item_001", "ann"), ("item_001", "bob")]
