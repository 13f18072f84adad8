"""Shared fixtures: build a real project (config + data files + SQLite file) in a temp dir."""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from potato_like import create_app

REPO = Path(__file__).resolve().parent.parent


def radio(name: str, labels: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "annotation_type": "radio",
        "name": name,
        "description": f"{name}?",
        "labels": labels,
        **extra,
    }


def write_items(path: Path, n: int, prefix: str = "item") -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(1, n + 1):
            fh.write(json.dumps({"id": f"{prefix}_{i:03d}", "text": f"Text number {i}."}) + "\n")
    return path


def write_config(tmp_path: Path, config: dict[str, Any], name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def base_config(items_file: str = "data.jsonl", **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "annotation_task_name": "Test task",
        "task_dir": ".",
        "output_annotation_dir": "out/",
        "data_files": [items_file],
        "item_properties": {"id_key": "id", "text_key": "text"},
        "annotation_schemes": [radio("sentiment", ["positive", "negative", "neutral"])],
        "require_password": False,
        "login_rate_limit": "1000 per minute",
        "registration_rate_limit": "100000 per hour",  # tests create many users from one address
        "admin_api_key": "test-admin-key-123456",
    }
    config.update(overrides)
    return config


@pytest.fixture
def open_app() -> Callable[[Path], Any]:
    """open_app(config_path) -> a Flask app in testing mode, closed after the test."""
    apps = []

    def open_(config_path: Path):
        app = create_app(config_path)
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield open_
    for app in apps:
        app.extensions["potato_like"].close()


@pytest.fixture
def make_project(tmp_path: Path, open_app) -> Callable[..., Any]:
    """make_project(items=5, **config_overrides) -> Flask app on a fresh project dir."""

    def make(items: int = 5, schemes: list[dict] | None = None, **overrides: Any):
        write_items(tmp_path / "data.jsonl", items)
        config = base_config(**overrides)
        if schemes is not None:
            config["annotation_schemes"] = schemes
        return open_app(write_config(tmp_path, config))

    return make


@pytest.fixture
def example_project(tmp_path: Path, open_app) -> Callable[..., Any]:
    """example_project(source_dir, edit=None, files=None, **overrides) -> app for a copy of a
    shipped example project: `files` (relative path -> text) are written into the copy,
    `overrides` update its config and `edit(config)` may change it further."""
    numbers = itertools.count()

    def make(source: Path, edit=None, files: dict[str, str] | None = None, **overrides: Any):
        work = tmp_path / f"project{next(numbers)}"
        shutil.copytree(source, work, ignore=shutil.ignore_patterns("annotation_output"))
        for name, text in (files or {}).items():
            (work / name).write_text(text)
        config = yaml.safe_load((work / "config.yaml").read_text())
        config.update(
            {
                "admin_api_key": "test-admin-key-123456",
                "login_rate_limit": "1000 per minute",
                "registration_rate_limit": "100000 per hour",
                **overrides,
            }
        )
        if edit:
            edit(config)
        (work / "config.yaml").write_text(yaml.safe_dump(config))
        return open_app(work / "config.yaml")

    return make


def login(client, username: str, password: str = "") -> Any:
    response = client.post("/auth", data={"username": username, "password": password})
    assert response.status_code in (200, 302), response.data
    return client


def register(client, username: str, password: str = "secret-pw") -> Any:
    response = client.post("/register", data={"username": username, "password": password})
    assert response.status_code in (201, 302), response.data
    return client


def current_id(client) -> str:
    response = client.get("/api/current_instance")
    assert response.status_code == 200, response.json
    return response.json["instance_id"]


def answer(client, instance_id: str, **labels: str):
    """Submit `sentiment:<label>` style answers: answer(c, iid, **{"sentiment:positive": "1"})."""
    return client.post("/updateinstance", json={"instance_id": instance_id, "annotations": labels})


ADMIN = {"X-API-Key": "test-admin-key-123456"}


def with_csrf(client):
    """Send a CSRF token of the client's current session with every later request (log in
    first: a new login starts a new session and needs a new token)."""
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_headers(client)["X-CSRFToken"]
    return client


# Admin names are reserved: an admin user exists only when configured with a password.
BOSS_PASSWORD = "boss-pw-1"
BOSS_USERS = {"users": [{"username": "boss", "password": BOSS_PASSWORD}]}


def csrf_headers(client) -> dict[str, str]:
    """Headers carrying a CSRF token of `client`'s session, for form posts in tests
    (cookie-authenticated form posts need one; JSON posts do not)."""
    response = client.get("/api/csrf_token")
    assert response.status_code == 200, response.data
    return {"X-CSRFToken": response.json["csrf_token"]}


@pytest.fixture(scope="session")
def pg_server():
    """URL of a throwaway PostgreSQL cluster shared by the session (skips without one)."""
    from tests.pg import pg_bin, postgres_cluster

    if pg_bin() is None:
        pytest.skip("PostgreSQL is not installed (no initdb); apt-get install postgresql")
    with postgres_cluster() as url:
        yield url


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty database on the shared cluster for one test."""
    import uuid

    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield pg_server.rsplit("/", 1)[0] + f"/{name}"


def annotate_all(client, limit: int = 100) -> list[str]:
    """Annotate everything the user is given (positive), returning the item ids in order."""
    seen = []
    for _ in range(limit):
        info = client.get("/api/current_instance").json
        if info.get("finished"):
            break
        seen.append(info["instance_id"])
        assert answer(client, info["instance_id"], **{"sentiment:positive": "1"}).status_code == 200
        client.post("/go_to", json={"action": "next_instance"})
    return seen


def annotate_concurrently(app, users: int):
    """`users` threads each annotate all they are given; returns (Counter of item ids, errors)."""
    import threading
    from collections import Counter

    counts: Counter[str] = Counter()
    lock = threading.Lock()
    errors: list[str] = []

    def work(name):
        try:
            got = annotate_all(login(app.test_client(), name))
            with lock:
                counts.update(got)
        except Exception as exc:  # reported to the caller
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(f"user{i}",)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts, errors
