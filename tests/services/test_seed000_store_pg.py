"""Seed 000's records (store/jtheta.py) on PostgreSQL and SQLite: datasets get numeric ids,
an invite is used once and only before it expires, reviews keep the latest decision."""

from __future__ import annotations

import time

import pytest

from potato_like.store import Store
from potato_like.store.jtheta import JthetaStore


def exercise(url: str) -> None:
    store = Store.open(url)
    try:
        records = JthetaStore(store)
        records.add_project("Retinal Dataset", "retinal-dataset", "Medical Imaging")
        first = records.add_dataset("retinal-dataset", "TumorSlides", None)
        second = records.add_dataset("retinal-dataset", "More", "CC-BY")
        assert isinstance(first, int) and second == first + 1
        assert records.dataset_count("retinal-dataset") == 2
        now = time.time()
        records.add_invite("tok", "retinal-dataset", "a@b.c", "annotator", now + 60)
        assert records.use_invite("tok", "other", now) is None  # another project's link
        assert records.use_invite("tok", "retinal-dataset", now + 61) is None  # expired
        used = records.use_invite("tok", "retinal-dataset", now)
        assert used.email == "a@b.c" and used.role == "annotator"
        assert records.use_invite("tok", "retinal-dataset", now) is None  # used up
        records.add_review("retinal-dataset", "i1", "r@b.c", "reject", "redo")
        records.add_review("retinal-dataset", "i1", "r@b.c", "accept", "")
        assert records.latest_reviews("retinal-dataset")["i1"]["decision"] == "accept"
        records.forget_project("retinal-dataset")
        assert records.project("Retinal Dataset") is None
        assert records.dataset(first) is None and records.latest_reviews("retinal-dataset") == {}
    finally:
        store.close()


def test_records_on_sqlite(tmp_path):
    exercise(f"sqlite:///{tmp_path / 'ws.sqlite'}")


@pytest.mark.postgres
def test_records_on_postgresql(pg_url):
    exercise(pg_url)
