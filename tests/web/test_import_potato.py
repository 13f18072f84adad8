"""`python run.py import-potato CONFIG DIR [--apply]`: a Potato annotation_output/ directory
(written here in Potato's shapes) moves into a project: a dry run first, answers stored as the
API stores them, positions kept, admin and bad names skipped, and a second run changes
nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from potato_like.cli import main
from tests.conftest import base_config, current_id, login, radio, write_config, write_items

SPANS = {
    "annotation_type": "span",
    "name": "entities",
    "description": "Mark",
    "labels": ["PERSON", "ORG"],
}


def potato_state(user, ordering, labels, spans=None, index=None, phase="annotation"):
    """A user_state.json as Potato's UserState.to_json() writes it."""
    return {
        "user_id": user,
        "instance_id_ordering": ordering,
        "current_instance_index": len(ordering) - 1 if index is None else index,
        "current_phase_and_page": [phase, phase],
        "completed_phase_and_pages": [],
        "max_assignments": -1,
        "instance_id_to_behavioral_data": {},
        "instance_id_to_label_to_value": {
            iid: [[{"schema": s, "name": n}, v] for (s, n), v in pairs.items()]
            for iid, pairs in labels.items()
        },
        "instance_id_to_span_to_value": {
            iid: [
                [
                    {
                        "schema": "entities",
                        "name": n,
                        "title": n,
                        "start": a,
                        "end": b,
                        "id": f"s{a}",
                    },
                    n,
                ]
                for n, a, b in entries
            ]
            for iid, entries in (spans or {}).items()
        },
        "phase_to_page_to_label_to_value": {},
        "phase_to_page_to_span_to_value": {},
        "training_state": {},
        "instance_id_to_link_to_value": {
            "item_001": {"l1": {"id": "l1", "schema": "x", "link_type": "r", "span_ids": []}}
        },
        "instance_id_to_event_to_value": {},
    }


def write_potato_dir(root: Path, states: dict[str, dict]) -> Path:
    for name, state in states.items():
        (root / name).mkdir(parents=True)
        (root / name / "user_state.json").write_text(json.dumps(state), "utf-8")
    return root


@pytest.fixture
def setup(tmp_path, open_app):
    def make(**overrides):
        write_items(tmp_path / "data.jsonl", 6)
        config = base_config(**overrides)
        config["annotation_schemes"] = [radio("sentiment", ["positive", "negative"]), SPANS]
        path = write_config(tmp_path, config)
        potato = write_potato_dir(
            tmp_path / "potato_out",
            {
                "alice": potato_state(
                    "alice",
                    ["item_003", "item_001", "item_002", "item_004"],
                    {
                        "item_003": {("sentiment", "positive"): True},
                        "item_001": {("sentiment", "negative"): True},
                        "item_404": {("sentiment", "negative"): True},
                        "item_002": {("sentiment", "maybe"): True},
                    },
                    spans={"item_001": [("PERSON", 0, 4)]},
                    index=3,  # looking at item_004, unanswered
                ),
                "admin": potato_state(
                    "admin", ["item_001"], {"item_001": {("sentiment", "positive"): True}}
                ),
                " spaced": potato_state(
                    " spaced", ["item_001"], {"item_001": {("sentiment", "positive"): True}}
                ),
            },
        )
        return path, potato

    return make


def run(capsys, *args) -> tuple[int, str]:
    code = main(["import-potato", *map(str, args)])
    return code, capsys.readouterr().out


def snapshot(project) -> list:
    store = project.store
    rows = [
        (r.user, r.item_id, r.status, r.label_maps, r.updated_at)
        for r in store.annotations.iter_annotated()
    ]
    users = []
    for uid, name in store.users.all_names():
        u = store.users.get(uid)
        users.append((name, u.current_pos, u.next_pos, u.done_count, u.assigned_count))
        users.append(store.assignments.user_items(uid))
    return sorted(rows, key=repr) + users


def test_dry_run_reports_and_writes_nothing(setup, capsys, open_app):
    config, potato = setup(admin_users=["admin"])
    code, out = run(capsys, config, potato)
    assert code == 0
    assert "Dry run (nothing written)" in out
    assert "'alice' (new account, no password): would import 2 item(s), 0 already here" in out
    assert "warning: 'admin' skipped: an admin name" in out
    assert "warning: ' spaced' skipped" in out
    assert "item_404" in out  # not in the data
    assert "item_002: not importable" in out and "maybe" in out
    assert "1 span link(s)/event(s) not imported" in out
    assert "--apply" in out
    project = open_app(config).extensions["potato_like"]
    assert project.store.users.by_name("alice") is None
    assert project.store.annotations.count() == 0


def test_apply_stores_what_the_api_stores_and_keeps_order_and_position(setup, capsys, open_app):
    config, potato = setup(admin_users=["admin"], require_password=False)
    code, out = run(capsys, config, potato, "--apply")
    assert code == 0, out
    assert "'alice' (new account, no password): imported 2 item(s)" in out
    app = open_app(config)
    store = app.extensions["potato_like"].store
    alice = store.users.by_name("alice")
    assert alice.password_hash is None
    assert store.users.by_name("admin") is None and store.users.by_name(" spaced") is None
    # Potato's order, answered items only; both finished
    assert store.assignments.user_items(alice.id) == [
        (0, "item_003", "done"),
        (1, "item_001", "done"),
    ]
    assert alice.done_count == 2
    # Potato showed item_004 last (unanswered, not leased): alice goes on past her list
    assert alice.current_pos == 2

    # the same answers saved through the API by another user are stored identically
    c = login(app.test_client(), "bob")
    iid = current_id(c)
    r = c.post(
        "/updateinstance",
        json={
            "instance_id": iid,
            "label_annotations": {"sentiment": {"negative": True}},
            "span_annotations": [
                {"schema": "entities", "name": "PERSON", "title": "PERSON", "start": 0, "end": 4}
            ],
        },
    )
    assert r.status_code == 200, r.json
    bob = store.users.by_name("bob")
    seq = store.items.by_id("item_001").seq
    assert iid == "item_001"
    imported, via_api = (
        store.annotations.maps_for(seq, alice.id),
        store.annotations.maps_for(seq, bob.id),
    )
    for maps in (imported, via_api):
        for span in maps["entities"]["spans"]:
            span.pop("id")
    assert imported == via_api

    # alice logs in by name (passwordless project) and gets a new item after her two
    c = login(app.test_client(), "alice")
    assert current_id(c) not in ("item_003", "item_001")
    # the output files were written for her on close
    out_dir = app.extensions["potato_like"].config.output_dir / "alice"
    assert (out_dir / "annotated_instances.jsonl").is_file()


def test_second_run_changes_nothing(setup, capsys, open_app):
    config, potato = setup()
    assert run(capsys, config, potato, "--apply")[0] == 0
    project = open_app(config).extensions["potato_like"]
    before = snapshot(project)
    code, out = run(capsys, config, potato, "--apply")
    assert code == 0
    assert "imported 0 item(s), 2 already here" in out
    assert snapshot(project) == before


def test_password_projects_note_that_new_accounts_cannot_log_in(setup, capsys):
    config, potato = setup(require_password=True)
    _code, out = run(capsys, config, potato)
    assert "require_password is on" in out


def test_work_past_the_overlap_is_kept(setup, capsys, open_app):
    config, potato = setup(
        max_annotations_per_item=1, require_password=False, admin_users=["admin"]
    )
    app = open_app(config)
    c = login(app.test_client(), "zed")  # zed holds item_001 (the first in file order)
    assert current_id(c) == "item_001"
    code, out = run(capsys, config, potato, "--apply")
    assert code == 0
    assert "1 item(s) kept past max_annotations_per_item" in out
    store = app.extensions["potato_like"].store
    assert store.items.by_id("item_001").holders == 2
    assert not store.items.by_id("item_001").is_open


def test_potato_1_jsonl_directories_are_read_with_their_order(setup, capsys, open_app):
    config, _ = setup(require_password=False)
    root = config.parent / "old_potato"
    (root / "carol").mkdir(parents=True)
    lines = [
        {
            "id": "item_005",
            "label_annotations": {"sentiment": {"positive": "true"}},
            "span_annotations": [],
            "behavioral_data": {},
        },
        {
            "id": "item_002",
            "label_annotations": {"sentiment": {"negative": "true"}},
            "span_annotations": [{"start": 0, "end": 4, "span": "Text", "annotation": "ORG"}],
        },
    ]
    (root / "carol" / "annotated_instances.jsonl").write_text(
        "".join(json.dumps(x) + "\n" for x in lines)
    )
    (root / "carol" / "annotation_order.txt").write_text("item_002\nitem_005\nitem_006\n")
    (root / "broken").mkdir()
    (root / "broken" / "user_state.json").write_text("{not json")
    code, out = run(capsys, config, root, "--apply")
    assert code == 0
    assert "broken" in out and "cannot be read" in out
    store = open_app(config).extensions["potato_like"].store
    carol = store.users.by_name("carol")
    assert [x[1] for x in store.assignments.user_items(carol.id)] == ["item_002", "item_005"]
    maps = store.annotations.maps_for(store.items.by_id("item_002").seq, carol.id)
    assert maps["sentiment"] == {"negative": "1"}  # normalised as the API does
    assert [s["label"] for s in maps["entities"]["spans"]] == ["ORG"]


def test_a_missing_directory_is_an_error(setup, capsys, tmp_path):
    config, _ = setup()
    code = main(["import-potato", str(config), str(tmp_path / "nope")])
    assert code == 2
    assert "not a directory" in capsys.readouterr().err
