"""The dashboard aggregates the save keeps (store/aggregates.py) equal what rebuilding them
from the annotations gives, and agreement computed from them equals agreement computed from
every row, after random sequences of saves, submits, edits and cleared answers."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from potato_like.quality import agreement_cells as agreement_cells_module
from potato_like.quality.agreement import confusion, project_agreement
from potato_like.store.agreement_rows import answers_for_agreement
from potato_like.store.pair_folds import fold, fold_batch, has_pending
from potato_like.store.tables import (
    agreement_cells,
    annotations,
    annotator_pair_values,
    annotator_pairs,
    answer_tallies,
    pair_pending,
    users,
)
from potato_like.web.admin_agreement import agreement_report, confusion_report
from tests.conftest import ADMIN, login

SCHEMES = [
    {"annotation_type": "radio", "name": "sentiment", "description": "Sentiment?",
     "labels": ["positive", "negative", "neutral"], "has_free_response": True},
    {"annotation_type": "likert", "name": "intensity", "description": "How strong?", "size": 5},
    {"annotation_type": "multiselect", "name": "topics", "description": "Topics?",
     "labels": ["sports", "politics", "science"]},
    {"annotation_type": "slider", "name": "confidence", "description": "Sure?",
     "min_value": 0, "max_value": 4},
    {"annotation_type": "text", "name": "notes", "description": "Anything else?"},
]  # fmt: skip
KEPT = {
    "answer_tallies": answer_tallies,
    "agreement_cells": agreement_cells,
    "annotator_pairs": annotator_pairs,
    "annotator_pair_values": annotator_pair_values,
}


def random_labels(rng: random.Random) -> dict[str, str]:
    """A random answer to some of the schemes (few values, so annotators often agree)."""
    labels: dict[str, str] = {}
    if rng.random() < 0.9:
        choice = rng.choice(["positive", "negative", "neutral", "other"])
        if choice == "other":
            labels["sentiment:free_response"] = rng.choice(["meh", "odd"])
        else:
            labels[f"sentiment:{choice}"] = "1"
    if rng.random() < 0.7:
        labels[f"intensity:{rng.randint(1, 5)}"] = "1"
    if rng.random() < 0.7:
        for topic in rng.sample(["sports", "politics", "science"], rng.randint(1, 2)):
            labels[f"topics:{topic}"] = "1"
    if rng.random() < 0.7:
        labels["confidence:slider"] = str(rng.randint(0, 4))
    if rng.random() < 0.5:
        labels["notes:text_box"] = rng.choice(["fine", "hard", "typo"])
    return labels


def cleared(rng: random.Random) -> dict[str, str]:
    """Unset every sentiment label (and sometimes the topics): the saved answer goes away."""
    labels = {f"sentiment:{x}": "0" for x in ("positive", "negative", "neutral")}
    labels["sentiment:free_response"] = ""
    if rng.random() < 0.5:
        labels.update({f"topics:{x}": "0" for x in ("sports", "politics", "science")})
    return labels


def play(app, rng: random.Random, annotators: int, steps: int) -> None:
    clients = [login(app.test_client(), f"ann{k}") for k in range(annotators)]
    for _ in range(steps):
        client = rng.choice(clients)
        info = client.get("/api/current_instance").json
        if info.get("finished"):
            continue
        iid = info["instance_id"]
        move = rng.random()
        if move < 0.45:
            body = {"instance_id": iid, "annotations": random_labels(rng)}
        elif move < 0.6:
            body = {"instance_id": iid, "annotations": random_labels(rng), "draft": True}
        elif move < 0.72:
            body = {"instance_id": iid, "annotations": cleared(rng), "draft": True}
        else:
            action = "next_instance" if move < 0.92 else "prev_instance"
            client.post("/go_to", json={"action": action})
            continue
        response = client.post("/updateinstance", json=body)
        # A submit may miss a required answer; either way nothing partial is written.
        assert response.status_code in (200, 400), response.json


def snapshot(store) -> dict[str, set]:
    fold(store)  # the pair tables count a save once its pending row is folded
    out = {}
    with store.read() as conn:
        for name, table in KEPT.items():
            counted = table.c.shared if name == "annotator_pairs" else table.c.n
            out[name] = {tuple(row) for row in conn.execute(select(table).where(counted != 0))}
    return out


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_kept_aggregates_equal_a_rebuild_and_rows(make_project, monkeypatch, seed):
    rng = random.Random(seed)
    app = make_project(items=6, schemes=SCHEMES, max_annotations_per_item=4)
    play(app, rng, annotators=5, steps=220)
    project = app.extensions["potato_like"]
    store = project.store
    kept = snapshot(store)
    assert kept["agreement_cells"], "the random play should leave shared items"
    with store.write() as conn:
        store.aggregates.rebuild(conn)
    assert snapshot(store) == kept

    def no_fallback(*_args, **_kwargs):
        raise AssertionError("every stored value has a place: no fallback to the rows")

    monkeypatch.setattr(agreement_cells_module, "schema_agreement", no_fallback)
    monkeypatch.setattr(agreement_cells_module, "confusion", no_fallback)
    with app.app_context():
        from_cells = agreement_report(project)
        rows = {name: answers_for_agreement(store, name) for name in project.config.scheme_names}
        assert from_cells == project_agreement(project.config, rows)
        for name in ("sentiment", "intensity"):
            scheme = project.config.scheme(name)
            from_rows = confusion(answers_for_agreement(store, name), scheme)
            cells = confusion_report(project, name)
            as_dict = lambda c: {  # noqa: E731
                (a, b): c["matrix"][i][j]
                for i, a in enumerate(c["labels"])
                for j, b in enumerate(c["labels"])
                if c["matrix"][i][j]
            }
            assert as_dict(cells) == as_dict(from_rows)
            assert cells["max"] == from_rows["max"]

    questions = app.test_client().get("/admin/api/questions?fresh=1", headers=ADMIN).json
    totals = {q["name"]: q["total_answers"] for q in questions["questions"]}
    with store.read() as conn:
        for name, total in totals.items():
            stored = conn.execute(select(annotations.c.value).where(annotations.c.schema == name))
            assert total == len(stored.all()), name


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_pair_tables_folded_at_random_moments_equal_a_rebuild(make_project, seed):
    """The pair tables are no longer written by the save but folded from pending rows
    (store/pair_folds.py), in batches of any size at any moment: every interleaving gives
    what the save used to write, which is what a rebuild from the annotations gives."""
    rng = random.Random(seed)
    app = make_project(items=5, schemes=SCHEMES, max_annotations_per_item=5)
    store = app.extensions["potato_like"].store
    store.aggregates.folder.close()  # no background folds: this test chooses the moments
    for _round in range(8):
        play(app, rng, annotators=6, steps=40)
        if rng.random() < 0.7:
            with store.write() as conn:
                fold_batch(store, conn, rng.randint(1, 15))  # a part of the backlog
    assert has_pending(store)
    kept = snapshot(store)
    assert not has_pending(store)
    assert kept["annotator_pairs"], "the random play should leave shared items"
    with store.write() as conn:
        store.aggregates.rebuild(conn)
    assert snapshot(store) == kept


def test_a_save_writes_one_pending_row_whatever_the_number_of_annotators(make_project):
    app = make_project(items=1)
    store = app.extensions["potato_like"].store
    store.aggregates.folder.close()
    for k in range(12):
        client = login(app.test_client(), f"ann{k}")
        iid = client.get("/api/current_instance").json["instance_id"]
        body = {"instance_id": iid, "annotations": {"sentiment:positive": "1"}}
        assert client.post("/updateinstance", json=body).status_code == 200
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(pair_pending)).scalar() == 12
        assert conn.execute(select(func.count()).select_from(annotator_pairs)).scalar() == 0
    pairs, eligible = store.aggregates.top_pairs("sentiment", 1, 100)  # folds first
    assert eligible == 66 and all(p.shared == 1 for p in pairs)  # 12 * 11 / 2 pairs


def test_free_text_counts_only_and_a_config_change_rebuilds(make_project, tmp_path):
    app = make_project(items=3, schemes=SCHEMES, max_annotations_per_item=2)
    for user in ("ann", "bob"):
        client = login(app.test_client(), user)
        iid = client.get("/api/current_instance").json["instance_id"]
        body = {"sentiment:positive": "1", "notes:text_box": f"note by {user}"}
        assert client.post("/updateinstance", json={"instance_id": iid, "annotations": body})
    store = app.extensions["potato_like"].store
    assert store.aggregates.tallies(["notes"]) == {"notes": [("", 2)]}
    assert not [c for c in snapshot(store)["agreement_cells"] if c[0] == "notes"]
    # The same store opened for a config where "notes" is no longer free text: rebuilt.
    store.aggregates.untallied = frozenset()
    assert store.aggregates.needs_rebuild()
    with store.write() as conn:
        store.aggregates.rebuild(conn)
    values = sorted(v for v, _n in store.aggregates.tallies(["notes"])["notes"])
    assert values == ['{"text_box": "note by ann"}', '{"text_box": "note by bob"}']
    assert not store.aggregates.needs_rebuild()


def test_speed_counts_gaps_between_completions(make_project, monkeypatch):
    import types

    import potato_like.store.annotations as annotations_module

    clock = iter([1000.0, 1030.0, 1090.0, 5000.0, 5010.0])
    fake = types.SimpleNamespace(time=lambda: next(clock))
    monkeypatch.setattr(annotations_module, "time", fake)
    app = make_project(items=5)
    client = login(app.test_client(), "ann")
    for _ in range(5):
        iid = client.get("/api/current_instance").json["instance_id"]
        assert (
            client.post(
                "/updateinstance",
                json={"instance_id": iid, "annotations": {"sentiment:positive": "1"}},
            ).status_code
            == 200
        )
        client.post("/go_to", json={"action": "next_instance"})
    store = app.extensions["potato_like"].store
    with store.read() as conn:
        row = conn.execute(select(users).where(users.c.username == "ann")).one()
    # Gaps 30, 60, (3910: a break), 10 -> 3 timed items, 100 seconds.
    assert (row.timed_items, row.timed_seconds, row.last_done_at) == (3, 100.0, 5010.0)


@pytest.mark.postgres
def test_kept_aggregates_equal_a_rebuild_on_postgres(make_project, pg_url):
    app = make_project(items=6, schemes=SCHEMES, max_annotations_per_item=4, database_url=pg_url)
    play(app, random.Random(5), annotators=5, steps=160)
    project = app.extensions["potato_like"]
    kept = snapshot(project.store)
    assert kept["agreement_cells"]
    with project.store.write() as conn:
        project.store.aggregates.rebuild(conn)
    assert snapshot(project.store) == kept
    with app.app_context():
        rows = {n: answers_for_agreement(project.store, n) for n in project.config.scheme_names}
        assert agreement_report(project) == project_agreement(project.config, rows)
