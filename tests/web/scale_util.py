"""Shared steps of the web tests of the scale and structure types (one file per type)."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.conftest import ADMIN, current_id, login


def annotator(app, name: str = "ann"):
    client = login(app.test_client(), name)
    current_id(client)  # assigned their first item
    return client


def send(client, answers: dict[str, Any], *, draft: bool = True, iid: str | None = None):
    iid = iid or current_id(client)
    body = {"instance_id": iid, "annotations": answers, "draft": draft}
    return iid, client.post("/updateinstance", json=body)


def stored(client, iid: str, schema: str) -> dict[str, str]:
    got = client.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    return got.get(schema, {})


def refused(client, answers: dict[str, Any], words: str, schema: str, *, draft: bool = True):
    """A bad answer: 400 naming the problem, and the stored value unchanged."""
    iid = current_id(client)
    before = stored(client, iid, schema)
    _, r = send(client, answers, draft=draft, iid=iid)
    assert r.status_code == 400, r.json
    assert words in r.json["error"], r.json["error"]
    assert stored(client, iid, schema) == before


def page(client) -> str:
    r = client.get("/annotate")
    assert r.status_code == 200
    return r.data.decode()


def wide_rows(app) -> list[dict[str, str]]:
    table = app.test_client().post("/admin/api/export", json={"format": "csv"}, headers=ADMIN)
    return list(csv.DictReader(io.StringIO(table.data.decode())))


def agreement_of(app, schema: str) -> dict[str, Any]:
    body = app.test_client().get("/admin/api/agreement", headers=ADMIN).json
    return body["by_schema"].get(schema) or {"warnings": body["warnings"]}


def question(app, schema: str) -> dict[str, Any]:
    body = app.test_client().get("/admin/api/questions?fresh=1", headers=ADMIN).json
    return next(q for q in body["questions"] if q["name"] == schema)
