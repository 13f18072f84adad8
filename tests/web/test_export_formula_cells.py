"""CSV/TSV exports are spreadsheet-safe: text a spreadsheet would run as a formula gets a
leading ' (OWASP), over the admin API and the CLI; numbers stay numbers; --raw-cells and
export_escape_formulas: false write cells as they are."""

from __future__ import annotations

import csv
import io

import pytest

from potato_like.cli import main
from potato_like.export.cells import safe_cell
from tests.conftest import ADMIN, current_id, login

HOSTILE = {
    "=": '=HYPERLINK(CONCAT("http:",CHAR(47),CHAR(47),"evil.example"),"x")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3",
    "@": "@SUM(1+1)",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}
SCHEMES = [
    {
        "annotation_type": "radio",
        "name": "sentiment",
        "description": "s",
        "labels": ["positive", "negative"],
        "has_free_response": True,
    },
    {"annotation_type": "text", "name": "notes", "description": "n"},
    {
        "annotation_type": "slider",
        "name": "intensity",
        "description": "i",
        "min_value": -5,
        "max_value": 5,
    },
]


@pytest.fixture
def hostile(make_project):
    def make(**overrides):
        app = make_project(items=1, schemes=SCHEMES, **overrides)
        c = login(app.test_client(), "=1+2")
        r = c.post(
            "/updateinstance",
            json={
                "instance_id": current_id(c),
                "annotations": {
                    "sentiment:positive": "1",
                    "sentiment:free_response": HOSTILE["@"],
                    "notes:text_box": HOSTILE["="],
                    "intensity:slider": "-3",
                },
            },
        )
        assert r.status_code == 200, r.json
        return app

    return make


def _rows(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_api_export_escapes_formula_cells(hostile, fmt):
    app = hostile()
    r = app.test_client().post("/admin/api/export", json={"format": fmt}, headers=ADMIN)
    (row,) = _rows(r.data.decode(), "\t" if fmt == "tsv" else ",")
    assert row["user"] == "'=1+2"
    assert row["notes:::text_box"] == "'" + HOSTILE["="]
    assert row["answer:notes"] == "'" + HOSTILE["="]
    assert row["sentiment:::free_response"] == "'" + HOSTILE["@"]
    assert row["intensity:::slider"] == "'-3"  # text from the wire: escaped like all text
    assert row["answer:intensity"] == "-3"  # the typed answer is a number: left as one
    assert row["answer:sentiment"] == "positive" and row["instance_id"] == "item_001"


def test_cli_export_escapes_and_raw_cells_turns_it_off(hostile, tmp_path):
    app = hostile()
    project = app.extensions["potato_like"]
    config_path = str(project.config.config_path)
    project.close()
    out = tmp_path / "all.csv"
    assert main(["export", config_path, "--format", "csv", "--out", str(out)]) == 0
    (row,) = _rows(out.read_text())
    assert row["user"] == "'=1+2" and row["notes:::text_box"] == "'" + HOSTILE["="]
    assert main(["export", config_path, "--format", "csv", "--out", str(out), "--raw-cells"]) == 0
    (row,) = _rows(out.read_text())
    assert row["user"] == "=1+2" and row["notes:::text_box"] == HOSTILE["="]


def test_config_switch_turns_escaping_off(hostile):
    app = hostile(export_escape_formulas=False)
    r = app.test_client().post("/admin/api/export", json={"format": "csv"}, headers=ADMIN)
    (row,) = _rows(r.data.decode())
    assert row["user"] == "=1+2" and row["intensity:::slider"] == "-3"


def test_json_exports_are_not_changed(hostile):
    app = hostile()
    r = app.test_client().post("/admin/api/export", json={"format": "jsonl"}, headers=ADMIN)
    assert '"user": "=1+2"' in r.data.decode()


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_every_formula_start_is_escaped(kind):
    assert safe_cell(HOSTILE[kind]) == "'" + HOSTILE[kind]


@pytest.mark.parametrize("value", ["plain", "a=b", "", " =x", "'quoted", -3, 2.5, None])
def test_other_cells_are_left_alone(value):
    assert safe_cell(value) == value
