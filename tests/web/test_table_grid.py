"""table_grid: grid size and cell roles as Potato's record; cells outside the grid, unknown
roles and bad sizes are refused with nothing written; agreement per cell."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ADMIN, base_config, current_id, login, write_config

from . import text_work_util

SCHEME = {
    "annotation_type": "table_grid",
    "name": "structure",
    "description": "Mark the headers",
    "image_key": "image",
    "roles": ["data", "col_header", "row_header", "empty"],
}


@pytest.fixture
def app(tmp_path, open_app):
    with (tmp_path / "data.jsonl").open("w") as fh:
        fh.write(
            json.dumps(
                {
                    "id": "t1",
                    "task": "Mark it",
                    "rows": 2,
                    "cols": 4,
                    "image": "javascript:alert(1)",
                }
            )
            + "\n"
        )
        fh.write(
            json.dumps({"id": "t2", "task": "Mark it", "image": "data:image/png;base64,AAAA"})
            + "\n"
        )
    config = base_config(
        annotation_schemes=[SCHEME],
        item_properties={"id_key": "id", "text_key": "task"},
        assignment_strategy="fixed_order",
    )
    return open_app(write_config(tmp_path, config))


def send(client, iid, record):
    return text_work_util.send(client, iid, "structure", record)


def stored(client, iid):
    return text_work_util.stored(client, iid, "structure")


def test_the_grid_starts_from_the_item_size_and_never_shows_a_script_url(app):
    ann = login(app.test_client(), "ann")
    page = ann.get("/annotate").data.decode()
    assert 'data-rows="2" data-cols="4"' in page and "js/table-grid.js" in page
    assert "javascript:" not in page
    ann.post("/go_to", json={"action": "next_instance"})
    page = ann.get("/annotate").data.decode()
    assert 'data-rows="3" data-cols="3"' in page  # default_rows / default_cols
    assert 'src="data:image/png;base64,AAAA"' in page


def test_roles_are_stored_without_the_default_role(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    cells = {"0,1": "col_header", "0,0": "col_header", "1,0": "row_header", "1,1": "data"}
    assert send(ann, iid, {"rows": 2, "cols": 4, "cells": cells}).status_code == 200
    assert stored(ann, iid) == {
        "rows": 2,
        "cols": 4,
        "cells": {"0,0": "col_header", "0,1": "col_header", "1,0": "row_header"},
    }


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"rows": 2, "cols": 2, "cells": {"2,0": "empty"}}, "outside the 2x2 grid"),
        ({"rows": 2, "cols": 2, "cells": {"0,0": "title"}}, "unknown role 'title'"),
        ({"rows": 2, "cols": 2, "cells": {"a": "empty"}}, "must be written 'row,col'"),
        ({"rows": 41, "cols": 2}, "'rows' must be a whole number 1-40"),
        ({"rows": 2, "cols": "2"}, "'cols' must be a whole number 1-40"),
        ({"rows": 2, "cols": 2, "cells": ["0,0"]}, "'cells' must be an object"),
    ],
)
def test_bad_grids_are_refused_and_nothing_is_written(app, record, problem):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, record)
    assert r.status_code == 400 and problem in r.json["error"], r.json
    assert stored(ann, iid) is None


def test_agreement_counts_cells_with_the_same_role(app):
    answers = {
        "ann": {"rows": 2, "cols": 2, "cells": {"0,0": "col_header", "0,1": "col_header"}},
        "bob": {"rows": 2, "cols": 2, "cells": {"0,0": "col_header"}},
    }
    for name, record in answers.items():
        client = login(app.test_client(), name)
        for _ in range(2):
            assert send(client, current_id(client), record).status_code == 200
            client.post("/go_to", json={"action": "next_instance"})
    entry = app.test_client().get("/admin/api/agreement", headers=ADMIN).json["by_schema"]
    assert entry["structure"]["pairwise_scores"] == {"cell_agreement": 0.75, "same_shape": 1.0}
