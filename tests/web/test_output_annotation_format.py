"""`output_annotation_format`: as in Potato 1.x, the per-user files stay JSON Lines and the
project-wide `annotated_instances.<format>` holds everyone's answers in that format, written
by the flush; CSV/TSV cells get the exports' formula escaping."""

from __future__ import annotations

import csv
import io
import json
import stat

import pytest

from potato_like import config as config_pkg
from potato_like.errors import ConfigError
from tests.conftest import answer, base_config, current_id, login, write_config, write_items
from tests.web.test_export_formula_cells import HOSTILE, SCHEMES
from tests.web.test_spans import client_for, save, span_app  # noqa: F401


def two_annotators(app):
    for name in ("ann", "=bob"):
        c = login(app.test_client(), name)
        iid = current_id(c)
        assert answer(c, iid, **{"sentiment:positive": "1"}).status_code == 200
    project = app.extensions["potato_like"]
    project.output.flush()
    return project


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_formats_write_potato_lines_for_every_user(make_project, fmt):
    app = make_project(items=3, output_flush_seconds=3600, output_annotation_format=fmt)
    project = two_annotators(app)
    path = project.config.output_dir / f"annotated_instances.{fmt}"
    lines = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
    assert sorted(x["user_id"] for x in lines) == ["=bob", "ann"]
    assert set(lines[0]) == {
        "user_id",
        "instance_id",
        "displayed_text",
        "label_annotations",
        "span_annotations",
        "behavioral_data",
    }
    assert lines[0]["label_annotations"] == {"sentiment": {"positive": "1"}}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # the per-user files are JSON Lines whatever the format, as in Potato
    assert (project.config.output_dir / "ann" / "annotated_instances.jsonl").is_file()


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_table_formats_have_potato_columns_and_escaped_cells(make_project, fmt, delimiter):
    app = make_project(
        items=1, schemes=SCHEMES, output_flush_seconds=3600, output_annotation_format=fmt
    )
    c = login(app.test_client(), "=1+2")
    r = c.post(
        "/updateinstance",
        json={
            "instance_id": current_id(c),
            "annotations": {
                "sentiment:positive": "1",
                "sentiment:free_response": HOSTILE["@"],
                "notes:text_box": HOSTILE["="],
            },
        },
    )
    assert r.status_code == 200, r.json
    project = app.extensions["potato_like"]
    project.output.flush()
    text = (project.config.output_dir / f"annotated_instances.{fmt}").read_text("utf-8")
    [row] = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    assert list(row)[:3] == ["user", "instance_id", "displayed_text"]
    assert row["user"] == "'=1+2"
    assert row["sentiment:::positive"] == "1"
    assert row["sentiment:::negative"] == ""
    assert row["sentiment:::free_response"] == "'" + HOSTILE["@"]
    assert row["notes:::text_box"] == "'" + HOSTILE["="]


def test_escaping_follows_export_escape_formulas(make_project):
    app = make_project(
        items=1,
        output_flush_seconds=3600,
        output_annotation_format="csv",
        export_escape_formulas=False,
    )
    project = two_annotators(app)
    text = (project.config.output_dir / "annotated_instances.csv").read_text("utf-8")
    users = {r["user"] for r in csv.DictReader(io.StringIO(text))}
    assert users == {"ann", "=bob"}


def test_span_labels_get_span_annotation_columns(span_app):  # noqa: F811
    app = span_app(output_flush_seconds=3600, output_annotation_format="csv")
    c = client_for(app)
    assert save(c, "t1", [{"label": "PERSON", "start": 0, "end": 12}]).status_code == 200
    project = app.extensions["potato_like"]
    project.output.flush()
    text = (project.config.output_dir / "annotated_instances.csv").read_text("utf-8")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert json.loads(row["span_annotation:::PERSON"]) == [
        {
            "start": 0,
            "end": 12,
            "span": "Barack Obama",
            "annotation": "PERSON",
            "schema": "entities",
        }
    ]
    assert row["span_annotation:::LOCATION"] == ""


def test_without_the_key_no_project_file_is_written(make_project):
    app = make_project(items=2, output_flush_seconds=3600)
    project = two_annotators(app)
    assert not list(project.config.output_dir.glob("annotated_instances.*"))


def test_an_unknown_format_is_an_error(tmp_path):
    write_items(tmp_path / "data.jsonl", 1)
    path = write_config(tmp_path, base_config(output_annotation_format="xlsx"))
    with pytest.raises(ConfigError) as err:
        config_pkg.load_config(path)
    assert "output_annotation_format" in str(err.value)
