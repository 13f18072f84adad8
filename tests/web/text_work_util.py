"""A project of the shipped text-work example (example_projects/text_work) with only the
schemes a test asks for, and helpers to send Potato's JSON-record answers."""

from __future__ import annotations

import json
import shutil

import yaml

from tests.conftest import REPO

EXAMPLE = REPO / "example_projects" / "text_work"


def text_work_app(tmp_path, open_app, *names: str, edit=None):
    work = tmp_path / "text_work"
    shutil.copytree(EXAMPLE, work, ignore=shutil.ignore_patterns("annotation_output"))
    config = yaml.safe_load((work / "config.yaml").read_text())
    config["annotation_schemes"] = [
        s for s in config["annotation_schemes"] if not names or s["name"] in names
    ]
    config.update(
        admin_api_key="test-admin-key-123456",
        login_rate_limit="1000 per minute",
        require_password=False,
    )
    if edit:
        edit(config)
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    return open_app(work / "config.yaml")


def send(client, iid: str, schema: str, record, **extra):
    """POST Potato's wire format: the record as a JSON string in `schema:schema`."""
    value = record if isinstance(record, str) else json.dumps(record)
    body = {"instance_id": iid, "annotations": {f"{schema}:{schema}": value}, **extra}
    return client.post("/updateinstance", json=body)


def stored(client, iid: str, schema: str):
    maps = client.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    raw = maps.get(schema, {}).get(schema)
    return json.loads(raw) if raw else None
