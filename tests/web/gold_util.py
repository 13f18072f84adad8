"""Helpers for the gold-label tests (MACE, adjudication): annotators answer from a table."""

from __future__ import annotations

from typing import Any

from tests.conftest import answer, login


def annotate_by(app, user: str, table: dict[str, dict[str, str]], limit: int = 200) -> list[str]:
    """`user` answers every item they are given with `table[item_id]` (a label map such as
    {"sentiment:positive": "1"}); items missing from the table are left unanswered."""
    client = login(app.test_client(), user)
    seen = []
    for _ in range(limit):
        info = client.get("/api/current_instance").json
        if info.get("finished"):
            break
        iid = info["instance_id"]
        if iid in seen:
            break
        seen.append(iid)
        if iid in table:
            assert answer(client, iid, **table[iid]).status_code == 200
        client.post("/go_to", json={"action": "next_instance"})
    return seen


def label(schema: str, value: str) -> dict[str, Any]:
    return {f"{schema}:{value}": "1"}
