"""A workspace (run.py DIR): projects under /p/<slug>/ in one process, the root's
/api/v1/projects, workspace keys on every project, statuses, workspace.yaml problems."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from potato_like import create_workspace_app
from potato_like.errors import ConfigError

from ..conftest import radio
from ..workspaces import A_KEY, KEY, READ_KEY, ROOT_ADMIN, write_project, write_workspace


@pytest.fixture
def workspace_app(tmp_path: Path):
    apps = []

    def make(projects=("alpha", "beta"), **workspace):
        root = write_workspace(tmp_path / "ws", projects, **workspace)
        app = create_workspace_app(root)
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["potato_like"].close()


def test_each_project_is_served_under_its_prefix_with_its_own_session(workspace_app) -> None:
    app = workspace_app()
    client = app.test_client()
    # Redirects carry the prefix (url_for under SCRIPT_NAME).
    r = client.get("/p/alpha/annotate")
    assert r.status_code == 302 and r.headers["Location"].startswith("/p/alpha/")
    assert client.get("/p/alpha").headers["Location"] == "/p/alpha/"
    r = client.post("/p/alpha/register", data={"username": "ann", "password": "pw"})
    assert r.status_code in (201, 302)
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("potato_like_alpha=") and "Path=/p/alpha/" in cookie
    iid = client.get("/p/alpha/api/current_instance").json["instance_id"]
    assert iid.startswith("alpha_")
    r = client.post(
        "/p/alpha/updateinstance",
        json={"instance_id": iid, "annotations": {"sentiment:positive": "1"}},
    )
    assert r.status_code == 200, r.json
    got = client.get(f"/p/alpha/get_annotations?instance_id={iid}").json
    assert got["label_annotations"]["sentiment"] == {"positive": "1"}
    # The session of alpha opens nothing in beta: another cookie, another store.
    assert client.get("/p/beta/api/current_instance").status_code == 401
    assert client.get("/p/nope/").status_code == 404


def test_root_api_lists_creates_patches_and_deletes_projects(workspace_app, tmp_path) -> None:
    app = workspace_app()
    client = app.test_client()
    assert client.get("/health").json == {"status": "ok", "projects": 2}
    listed = client.get("/api/v1/projects?page_size=1", headers=ROOT_ADMIN).json
    assert listed["total"] == 2 and listed["has_more"] is True
    assert listed["items"][0]["slug"] == "alpha" and listed["items"][0]["items"] == 3
    body = {
        "slug": "gamma",
        "title": "Gamma: a test",
        "annotation_schemes": [radio("stance", ["for", "against"])],
        "data": [{"id": "g1", "text": "one"}, {"id": "g2", "text": "two"}],
        "instructions": "Read, then choose.",
    }
    r = client.post("/api/v1/projects", json=body, headers=ROOT_ADMIN)
    assert r.status_code == 201, r.json
    assert r.json["items"] == 2 and r.json["path"] == "/p/gamma/"
    config_file = tmp_path / "ws" / "projects" / "gamma" / "config.yaml"
    text = config_file.read_text()
    assert text.startswith("# Gamma: a test") and "stance" in text
    assert yaml.safe_load(text)["annotation_task_name"] == "Gamma: a test"
    # It serves at once, and its config can be read back by the loader (restart).
    assert client.get("/p/gamma/login").status_code == 200
    r = client.post("/api/v1/projects", json=body, headers=ROOT_ADMIN)
    assert r.status_code == 409 and "gamma" in r.json["detail"]
    r = client.patch("/api/v1/projects/gamma", json={"status": "paused"}, headers=ROOT_ADMIN)
    assert r.status_code == 200 and r.json["status"] == "paused"
    r = client.patch("/api/v1/projects/gamma", json={"status": "gone"}, headers=ROOT_ADMIN)
    assert r.status_code == 422
    assert client.delete("/api/v1/projects/gamma", headers=ROOT_ADMIN).status_code == 204
    assert not config_file.parent.exists()
    assert client.get("/p/gamma/login").status_code == 404
    assert client.get("/api/v1/projects/gamma", headers=ROOT_ADMIN).status_code == 404
    assert "/api/v1/projects/{slug}" in client.get("/api/v1/openapi.json").json["paths"]


def test_bad_slugs_are_422_and_write_nothing(workspace_app, tmp_path) -> None:
    client = workspace_app(projects=("alpha",)).test_client()
    for slug in ("../x", "Upper", "a/b", "-lead", "", "x" * 64, ".hidden", "a b"):
        new = {"slug": slug, "title": "t", "data": [{"id": "1", "text": "t"}]}
        r = client.post("/api/v1/projects", json=new, headers=ROOT_ADMIN)
        assert r.status_code == 422, (slug, r.json)
    assert [p.name for p in (tmp_path / "ws" / "projects").iterdir()] == ["alpha"]
    assert not (tmp_path / "ws" / "x").exists()


def test_a_bad_generated_config_is_422_listing_its_problems(workspace_app, tmp_path) -> None:
    client = workspace_app().test_client()
    bad = [{"annotation_type": "radio", "name": "q"}, {"annotation_type": "nope", "name": "z"}]
    r = client.post(
        "/api/v1/projects",
        json={"slug": "bad", "title": "Bad", "annotation_schemes": bad, "data": [{"id": "1"}]},
        headers=ROOT_ADMIN,
    )
    assert r.status_code == 422
    messages = [p["msg"] for p in r.json["detail"]]
    assert len(messages) >= 2 and any("nope" in m for m in messages), messages
    assert sorted(p.name for p in (tmp_path / "ws" / "projects").iterdir()) == ["alpha", "beta"]


def test_keys_scopes_and_project_restrictions(workspace_app) -> None:
    client = workspace_app().test_client()
    assert client.get("/api/v1/projects").status_code == 401
    assert client.get("/api/v1/projects", headers={"X-API-Key": "pl_wrong"}).status_code == 401
    assert client.get("/api/v1/projects", headers={"X-API-Key": READ_KEY}).status_code == 403
    # A key restricted to alpha administers alpha, not beta and not the workspace.
    alpha = {"X-API-Key": A_KEY}
    assert client.get("/api/v1/projects", headers=alpha).status_code == 403
    assert client.get("/p/alpha/admin/api/overview", headers=alpha).status_code == 200
    assert client.get("/p/beta/admin/api/overview", headers=alpha).status_code == 403
    assert client.get("/p/alpha/api/v1/api-keys", headers=alpha).status_code == 200
    assert client.get("/p/beta/api/v1/api-keys", headers=alpha).status_code == 403
    # The workspace's admin key works on every project's admin routes and /api/v1.
    for slug in ("alpha", "beta"):
        assert client.get(f"/p/{slug}/admin/api/overview", headers=ROOT_ADMIN).status_code == 200
        assert client.get(f"/p/{slug}/api/v1/api-keys", headers=ROOT_ADMIN).status_code == 200
    # Keys made at the root through the API work on the projects at once, and stop on revoke.
    made = client.post(
        "/api/v1/api-keys", json={"name": "ci", "scopes": ["admin"]}, headers=ROOT_ADMIN
    ).json
    new = {"X-API-Key": made["key"]}
    assert client.get("/p/beta/admin/api/overview", headers=new).status_code == 200
    client.delete(f"/api/v1/api-keys/{made['id']}", headers=ROOT_ADMIN)
    assert client.get("/p/beta/admin/api/overview", headers=new).status_code == 403


def test_paused_and_archived_projects(workspace_app) -> None:
    app = workspace_app()
    client = app.test_client()
    client.post("/p/alpha/register", data={"username": "ann", "password": "pw"})
    iid = client.get("/p/alpha/api/current_instance").json["instance_id"]
    client.patch("/api/v1/projects/alpha", json={"status": "paused"}, headers=ROOT_ADMIN)
    page = client.get("/p/alpha/annotate", headers={"Accept": "text/html"})
    assert page.status_code == 503 and b"Not available right now" in page.data
    assert b"This project is paused" in page.data
    assert page.headers["Retry-After"]
    r = client.post(
        "/p/alpha/updateinstance",
        json={"instance_id": iid, "annotations": {"sentiment:positive": "1"}},
    )
    assert r.status_code == 503 and "paused" in r.json["error"]
    assert client.get("/p/alpha/admin/api/overview", headers=ROOT_ADMIN).status_code == 200
    assert client.get("/p/beta/login").status_code == 200  # the others go on
    client.patch("/api/v1/projects/alpha", json={"status": "archived"}, headers=ROOT_ADMIN)
    assert client.get(f"/p/alpha/get_annotations?instance_id={iid}").status_code == 200
    r = client.post(
        "/p/alpha/updateinstance",
        json={"instance_id": iid, "annotations": {"sentiment:positive": "1"}},
    )
    assert r.status_code == 403 and "archived" in r.json["error"]
    assert client.post("/p/alpha/register", data={"username": "new"}).status_code == 403
    client.patch("/api/v1/projects/alpha", json={"status": "active"}, headers=ROOT_ADMIN)
    r = client.post(
        "/p/alpha/updateinstance",
        json={"instance_id": iid, "annotations": {"sentiment:positive": "1"}},
    )
    assert r.status_code == 200


def test_workspace_users_log_in_to_every_project(workspace_app) -> None:
    app = workspace_app(users=[{"username": "reviewer", "password": "rev-pw-123"}])
    client = app.test_client()
    for slug in ("alpha", "beta"):
        r = client.post(f"/p/{slug}/auth", data={"username": "reviewer", "password": "rev-pw-123"})
        assert r.status_code == 302, r.data
        assert client.get(f"/p/{slug}/api/current_instance").status_code == 200
    r = client.post("/p/alpha/auth", data={"username": "reviewer", "password": "wrong"})
    assert r.status_code in (400, 401, 403)
    # A project created later has them too.
    new = {"slug": "later", "title": "Later", "data": [{"id": "1", "text": "t"}]}
    assert client.post("/api/v1/projects", json=new, headers=ROOT_ADMIN).status_code == 201
    r = client.post("/p/later/auth", data={"username": "reviewer", "password": "rev-pw-123"})
    assert r.status_code == 302


def test_allow_fetch_hosts_reach_every_projects_fetches(workspace_app) -> None:
    from potato_like.media.sources import fetch_policy
    from potato_like.net.safe_fetch import FetchError, fetch

    from ..httpserve import serve_bytes

    with serve_bytes(b"RIFF-not-really", "audio/wav") as url:
        allowed = workspace_app(allow_fetch_hosts=["127.0.0.1"])
        for project in allowed.extensions["potato_like"].projects().values():
            policy = fetch_policy(project.config, ("audio/",))
            assert fetch(url, policy).body == b"RIFF-not-really"
    refused = workspace_app(projects=("gamma",))
    project = refused.extensions["potato_like"].projects()["gamma"]
    with serve_bytes(b"x", "audio/wav") as url, pytest.raises(FetchError):
        fetch(url, fetch_policy(project.config, ("audio/",)))


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"api_keys": [], "colour": 1}, "colour: unknown key"),
        ({"api_keys": [{"name": "k", "key": "short"}]}, "api_keys[0].key"),
        ({"api_keys": [{"name": "k", "key": KEY, "scopes": ["root"]}]}, "unknown scope"),
        ({"api_keys": [{"name": "k", "key": KEY, "project": "../x"}]}, "api_keys[0].project"),
        ({"api_keys": [{"name": "k", "key": "${WS_TEST_UNSET_VAR}"}]}, "WS_TEST_UNSET_VAR"),
        ({"users": [{"username": "u"}]}, "users[0].password"),
        ({"allow_fetch_hosts": "localhost"}, "allow_fetch_hosts"),
        ({"public_url": "ftp://x"}, "public_url"),
    ],
)
def test_bad_workspace_yaml_lists_the_problem(tmp_path, settings, expected) -> None:
    root = tmp_path / "ws"
    (root / "projects").mkdir(parents=True)
    (root / "workspace.yaml").write_text(yaml.safe_dump(settings))
    with pytest.raises(ConfigError) as err:
        create_workspace_app(root)
    assert any(expected in p for p in err.value.problems), err.value.problems


def test_missing_pieces_and_bad_projects_are_reported_before_serving(tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"workspace\.yaml is missing"):
        create_workspace_app(tmp_path)
    (tmp_path / "workspace.yaml").write_text("{}\n")
    with pytest.raises(ConfigError, match="projects/ directory is missing"):
        create_workspace_app(tmp_path)
    root = write_workspace(tmp_path / "ws", ("good",))
    write_project(root, "broken", annotation_schemes="not a list")
    with pytest.raises(ConfigError) as err:
        create_workspace_app(root)
    assert all(p.startswith("projects/broken/config.yaml: ") for p in err.value.problems)


def test_keys_cli_works_on_a_workspace_directory(workspace_app, tmp_path, capsys) -> None:
    from potato_like.cli import main

    app = workspace_app()
    root = tmp_path / "ws"
    assert main(["keys", "create", str(root), "--name", "cli", "--scopes", "admin"]) == 0
    key = capsys.readouterr().out.strip()
    client = app.test_client()
    assert client.get("/api/v1/projects", headers={"X-API-Key": key}).status_code == 200
    assert client.get("/p/alpha/admin/api/overview", headers={"X-API-Key": key}).status_code == 200
    assert main(["keys", "list", str(root)]) == 0
    listing = capsys.readouterr().out
    key_id = next(line.split()[0] for line in listing.splitlines() if line.endswith("cli"))
    assert main(["keys", "revoke", str(root), key_id]) == 0
    assert client.get("/api/v1/projects", headers={"X-API-Key": key}).status_code == 401
    assert main(["keys", "create", str(root), "--name", "x", "--project", "../x"]) == 2


def test_the_example_workspace_serves_its_two_projects(tmp_path, monkeypatch) -> None:
    import shutil

    from potato_like import ROOT

    shutil.copytree(ROOT / "example_workspace", tmp_path / "ws")
    monkeypatch.setenv("POTATO_WORKSPACE_KEY", KEY)
    app = create_workspace_app(tmp_path / "ws")
    try:
        client = app.test_client()
        listed = client.get("/api/v1/projects", headers=ROOT_ADMIN).json
        assert {p["slug"]: p["items"] for p in listed["items"]} == {"sentiment": 20, "topics": 4}
        for slug in ("sentiment", "topics"):  # the example's shared account
            r = client.post(
                f"/p/{slug}/auth", data={"username": "reviewer", "password": "change-me-please"}
            )
            assert r.status_code == 302, r.data
    finally:
        app.extensions["potato_like"].close()


def test_the_dashboard_lists_creates_pauses_and_deletes(workspace_app, tmp_path) -> None:
    app = workspace_app(projects=("alpha",))
    client = app.test_client()
    page = client.get("/")
    assert b"Workspace sign-in" in page.data
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    assert client.post("/login", data={"key": READ_KEY, "csrf_token": token}).status_code == 401
    assert client.post("/login", data={"key": KEY}).status_code == 400  # no CSRF token
    assert client.post("/login", data={"key": KEY, "csrf_token": token}).status_code == 302
    page = client.get("/")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    assert b"Project alpha" in page.data and b"0.0%" in page.data
    form = {"slug": "delta", "title": "Delta", "labels": "yes, no", "items": "one\ntwo\n"}
    r = client.post("/projects", data={**form, "csrf_token": token}, follow_redirects=True)
    assert r.status_code == 200 and b"Project delta created." in r.data
    r = client.post("/projects", data={**form, "csrf_token": token})
    assert r.status_code == 409 and b"already exists" in r.data
    r = client.post(
        "/projects/delta/status",
        data={"status": "archived", "csrf_token": token},
        follow_redirects=True,
    )
    assert b"Delta" not in r.data and b"Show 1 archived project(s)" in r.data
    assert b"Delta" in client.get("/?archived=1").data
    r = client.post("/projects/delta/delete", data={"confirm": "nope", "csrf_token": token})
    assert r.status_code == 400 and (tmp_path / "ws" / "projects" / "delta").is_dir()
    r = client.post("/projects/delta/delete", data={"confirm": "delta", "csrf_token": token})
    assert r.status_code == 302 and not (tmp_path / "ws" / "projects" / "delta").exists()
    # Revoking the key that opened the session ends it.
    record = app.extensions["potato_like"].store.api_keys.find(KEY)
    app.extensions["potato_like"].store.api_keys.revoke(record.id)
    assert b"Workspace sign-in" in client.get("/").data


@pytest.mark.postgres
def test_postgresql_keeps_each_project_in_a_schema_of_one_database(tmp_path, pg_url) -> None:
    from sqlalchemy import create_engine, text

    root = write_workspace(tmp_path / "ws", database_url=pg_url)
    app = create_workspace_app(root)
    try:
        client = app.test_client()
        client.post("/p/alpha/register", data={"username": "ann"})
        iid = client.get("/p/alpha/api/current_instance").json["instance_id"]
        r = client.post(
            "/p/alpha/updateinstance",
            json={"instance_id": iid, "annotations": {"sentiment:positive": "1"}},
        )
        assert r.status_code == 200
        new = {"slug": "gamma-x", "title": "G", "data": [{"id": "1", "text": "t"}]}
        assert client.post("/api/v1/projects", json=new, headers=ROOT_ADMIN).status_code == 201
        engine = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as conn:
            schemas = set(
                conn.execute(text("SELECT schema_name FROM information_schema.schemata")).scalars()
            )
            assert {"workspace", "p_alpha", "p_beta", "p_gamma_x"} <= schemas
            done = conn.execute(text("SELECT count(*) FROM p_alpha.annotations")).scalar()
            assert done >= 1
            assert conn.execute(text("SELECT count(*) FROM p_beta.annotations")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM workspace.api_keys")).scalar() == 3
        assert client.delete("/api/v1/projects/gamma-x", headers=ROOT_ADMIN).status_code == 204
        with engine.connect() as conn:
            schemas = set(
                conn.execute(text("SELECT schema_name FROM information_schema.schemata")).scalars()
            )
        assert "p_gamma_x" not in schemas
        engine.dispose()
    finally:
        app.extensions["potato_like"].close()


def test_a_projects_admin_sign_in_takes_workspace_keys_within_their_restriction(
    workspace_app,
) -> None:
    app = workspace_app()
    client = app.test_client()
    r = client.post("/p/beta/admin/login", data={"key": A_KEY, "next": "/admin/instances/"})
    assert r.status_code == 401  # restricted to alpha
    r = client.post("/p/alpha/admin/login", data={"key": A_KEY, "next": "/admin/instances/"})
    assert r.status_code == 302 and r.headers["Location"] == "/p/alpha/admin/instances/"
    assert client.get("/p/alpha/admin").status_code == 200
    assert client.get("/p/beta/admin").status_code == 302  # another cookie: not signed in
    record = app.extensions["potato_like"].store.api_keys.find(A_KEY)
    app.extensions["potato_like"].store.api_keys.revoke(record.id)
    r = client.get("/p/alpha/admin")
    assert r.status_code == 302 and r.headers["Location"].startswith("/p/alpha/admin/login")


def test_check_loads_a_workspace_and_exits(tmp_path, capsys) -> None:
    from potato_like.cli import main

    root = write_workspace(tmp_path / "ws", projects=("alpha",))
    assert main(["check", str(root)]) == 0
    assert "1 project(s): alpha" in capsys.readouterr().out
    write_project(root, "broken", annotation_schemes="not a list")
    assert main(["check", str(root)]) == 1
    assert "projects/broken/config.yaml" in capsys.readouterr().err
