"""Remote `data_sources` (url, google_drive, dropbox) fetched through net.safe_fetch from a
local HTTP server, cached in the project directory, refreshed after `data_cache.ttl_seconds`."""

from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from potato_like.config import load_config
from potato_like.data.remote_sources import dropbox_url, google_drive_url
from potato_like.errors import ConfigError
from potato_like.net.safe_fetch import FetchPolicy, fetch
from tests.conftest import base_config, login, write_config


class DataServer:
    """Serves the files in `files` (path -> (content type, bytes)); counts requests."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, bytes]] = {}
        self.hits: list[tuple[str, str | None]] = []  # (path, Authorization header)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                server.hits.append((path, self.headers.get("Authorization")))
                if path.startswith("/redirect-to/"):
                    self.send_response(302)
                    self.send_header("Location", path.removeprefix("/redirect-to"))
                    self.end_headers()
                    return
                if path.startswith("/redirect-host/"):
                    self.send_response(302)
                    target = f"http://localhost:{server.port}/" + path.split("/", 2)[2]
                    self.send_header("Location", target)
                    self.end_headers()
                    return
                if path == "/secret.jsonl" and self.headers.get("Authorization") != "Bearer t0k":
                    self.send_response(401)
                    self.end_headers()
                    return
                if path not in server.files:
                    self.send_response(404)
                    self.end_headers()
                    return
                kind, body = server.files[path]
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def jsonl(*ids: str) -> bytes:
    return "".join(json.dumps({"id": i, "text": f"text of {i}"}) + "\n" for i in ids).encode()


@pytest.fixture
def server():
    s = DataServer()
    s.files["/items.jsonl"] = ("application/x-ndjson", jsonl("r1", "r2", "r3"))
    s.files["/export"] = ("text/csv; charset=utf-8", b"id,text\nc1,first\nc2,second\n")
    s.files["/page"] = ("text/html", b"<html>sign in</html>")
    s.files["/secret.jsonl"] = ("application/json", jsonl("s1"))
    yield s
    s.stop()


def remote_config(tmp_path, sources, allow=True, **extra):
    raw = base_config(data_sources=sources, **extra)
    del raw["data_files"]
    if allow:
        raw["media"] = {"allow_fetch_hosts": ["127.0.0.1"]}
    return write_config(tmp_path, raw)


def test_url_source_is_fetched_cached_and_served(tmp_path, server, open_app):
    path = remote_config(
        tmp_path, [{"type": "url", "url": server.url("/items.jsonl"), "id": "web"}]
    )
    app = open_app(path)
    client = login(app.test_client(), "ann1")
    first = client.get("/api/current_instance").json
    assert first["instance_id"] in {"r1", "r2", "r3"}
    project = app.extensions["potato_like"]
    assert project.store.items.count() == 3
    cached = list((tmp_path / ".potato_cache").iterdir())
    assert len(cached) == 1 and cached[0].name.startswith("web-") and cached[0].suffix == ".jsonl"


def test_loopback_is_refused_without_allow_fetch_hosts(tmp_path, server):
    path = remote_config(tmp_path, [{"type": "url", "url": server.url("/items.jsonl")}], False)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = str(err.value)
    assert "data_sources[0].url: url source 'url-0'" in text
    assert "non-public address (127.0.0.1)" in text and "allow_fetch_hosts" in text
    assert server.hits == []  # refused before connecting


def test_cache_is_used_within_ttl_and_refreshed_after(tmp_path, server):
    sources = [{"type": "url", "url": server.url("/items.jsonl")}]
    path = remote_config(tmp_path, sources, data_cache={"ttl_seconds": 3600})
    load_config(path)
    load_config(path)
    assert len(server.hits) == 1  # the second start used the cached copy
    server.files["/items.jsonl"] = ("application/x-ndjson", jsonl("r1", "r4"))
    cached = next((tmp_path / ".potato_cache").iterdir())
    old = time.time() - 7200
    os.utime(cached, (old, old))  # the copy is now older than the TTL: fetched again
    cfg = load_config(path)
    assert len(server.hits) == 2
    assert b"r4" in cfg.data_files[0].read_bytes()


def test_failed_refresh_uses_the_stale_copy_with_a_warning(tmp_path, server):
    sources = [{"type": "url", "url": server.url("/items.jsonl"), "id": "web"}]
    path = remote_config(tmp_path, sources, data_cache={"ttl_seconds": 0})
    load_config(path)
    del server.files["/items.jsonl"]
    cfg = load_config(path)
    assert cfg.data_files and cfg.data_files[0].is_file()
    warning = next(w for w in cfg.warnings if "could not refresh" in w)
    assert "url source 'web'" in warning and "answered 404" in warning


def test_failure_without_a_copy_names_the_source(tmp_path, server):
    sources = [{"type": "url", "url": server.url("/missing.jsonl"), "id": "gone"}]
    with pytest.raises(ConfigError) as err:
        load_config(remote_config(tmp_path, sources))
    assert (
        f"url source 'gone' ({server.url('/missing.jsonl')}): the remote server answered 404"
        in (str(err.value))
    )


def test_content_type_decides_the_format_and_a_web_page_is_refused(tmp_path, server):
    cfg = load_config(remote_config(tmp_path, [{"type": "url", "url": server.url("/export")}]))
    assert cfg.data_files[0].suffix == ".csv"
    with pytest.raises(ConfigError) as err:
        load_config(remote_config(tmp_path, [{"type": "url", "url": server.url("/page")}]))
    assert "'text/html'" in str(err.value) and "a web page, not a data file" in str(err.value)


def test_size_cap_and_redirects(tmp_path, server):
    server.files["/big.jsonl"] = ("application/x-ndjson", jsonl(*map(str, range(100))))
    big = [{"type": "url", "url": server.url("/big.jsonl"), "max_size_mb": 0.001}]
    with pytest.raises(ConfigError, match="larger than 1048 bytes"):
        load_config(remote_config(tmp_path, big))
    hop = [{"type": "url", "url": server.url("/redirect-to/items.jsonl"), "format": "jsonl"}]
    cfg = load_config(remote_config(tmp_path, hop))
    assert b"r1" in cfg.data_files[0].read_bytes()


def test_headers_are_sent_and_an_unset_one_is_a_problem(tmp_path, server, monkeypatch):
    monkeypatch.setenv("DATA_TOKEN", "t0k")
    text = (
        "annotation_task_name: t\n"
        "data_sources:\n"
        f"  - {{type: url, url: '{server.url('/secret.jsonl')}', format: jsonl,\n"
        "      headers: {Authorization: 'Bearer ${DATA_TOKEN}'}}\n"
        "media: {allow_fetch_hosts: [127.0.0.1]}\n"
        "item_properties: {id_key: id, text_key: text}\n"
        "annotation_schemes:\n"
        "  - {annotation_type: radio, name: s, description: d, labels: [a, b]}\n"
    )
    (tmp_path / "config.yaml").write_text(text)
    cfg = load_config(tmp_path / "config.yaml")
    assert b"s1" in cfg.data_files[0].read_bytes()
    assert server.hits[-1] == ("/secret.jsonl", "Bearer t0k")
    monkeypatch.delenv("DATA_TOKEN")
    (tmp_path / ".potato_cache").rename(tmp_path / "old_cache")
    with pytest.raises(ConfigError, match=r"headers.Authorization: is empty"):
        load_config(tmp_path / "config.yaml")


def test_headers_are_not_sent_to_another_host_after_a_redirect(server):
    policy = FetchPolicy(allow_hosts=("127.0.0.1", "localhost"), accept=("application/",))
    result = fetch(
        server.url("/redirect-host/items.jsonl"), policy, {"Authorization": "Bearer t0k"}
    )
    assert b"r1" in result.body
    assert server.hits == [
        ("/redirect-host/items.jsonl", "Bearer t0k"),
        ("/items.jsonl", None),
    ]


def test_share_links_become_download_addresses():
    drive = "https://drive.google.com/file/d/1AbC_d-9/view?usp=sharing"
    assert google_drive_url(drive, None) == (
        "https://drive.google.com/uc?export=download&id=1AbC_d-9"
    )
    assert google_drive_url(None, "XYZ") == "https://drive.google.com/uc?export=download&id=XYZ"
    assert google_drive_url("https://drive.google.com/open?id=Q1", None).endswith("id=Q1")
    assert google_drive_url("https://example.org/nothing", None) is None
    assert dropbox_url("https://www.dropbox.com/s/abc/items.jsonl?dl=0") == (
        "https://www.dropbox.com/s/abc/items.jsonl?dl=1"
    )


def test_private_drive_dropbox_and_sdk_sources_are_refused(tmp_path):
    sources = [
        {"type": "google_drive", "file_id": "x", "credentials_file": "sa.json"},
        {"type": "dropbox", "path": "/data/items.jsonl", "access_token": "t"},
        {"type": "huggingface", "dataset": "squad", "split": "train"},
        {"type": "google_sheets", "spreadsheet_id": "abc"},
        {"type": "google_drive", "url": "https://example.org/not-a-drive-link"},
    ]
    with pytest.raises(ConfigError) as err:
        load_config(remote_config(tmp_path, sources))
    text = str(err.value)
    assert "data_sources[0].credentials_file: private Google Drive files" in text
    assert "data_sources[1].access_token: private Dropbox files need the Dropbox SDK" in text
    assert "data_sources[2].type: 'huggingface' sources are not supported" in text
    assert "resolve/main/<file>" in text
    assert "data_sources[3].type: 'google_sheets' sources are not supported" in text
    assert "data_sources[4].url: give a Drive share link" in text


def test_cache_dir_must_stay_inside_task_dir(tmp_path, server):
    sources = [{"type": "url", "url": server.url("/items.jsonl")}]
    with pytest.raises(ConfigError, match=r"data_cache\.cache_dir: .\.\./out. must be a directory"):
        load_config(remote_config(tmp_path, sources, data_cache={"cache_dir": "../out"}))


def test_admin_lists_and_refreshes_a_source(tmp_path, server, open_app):
    from tests.conftest import ADMIN

    sources = [{"type": "url", "url": server.url("/items.jsonl"), "id": "web"}]
    app = open_app(remote_config(tmp_path, sources))
    client = app.test_client()
    assert client.get("/admin/api/data_sources").status_code in (401, 403)
    listed = client.get("/admin/api/data_sources", headers=ADMIN).json
    assert listed["count"] == 1 and listed["sources"][0]["id"] == "web" and listed["enabled"]
    assert listed["sources"][0]["cached"] is True and listed["sources"][0]["type"] == "url"
    server.files["/items.jsonl"] = ("application/x-ndjson", jsonl("r1", "r2", "r3", "r9"))
    r = client.post("/admin/api/data_sources/web/refresh", headers=ADMIN)
    assert r.status_code == 200, r.json
    assert r.json["success"] is True and r.json["imported"]["added"] == 1
    assert r.json["status"] == "success" and r.json["source_id"] == "web"
    assert app.extensions["potato_like"].store.items.count() == 4
    missing = client.post("/admin/api/data_sources/nope/refresh", headers=ADMIN)
    assert missing.status_code == 404 and "'nope'" in missing.json["error"]
    del server.files["/items.jsonl"]
    failed = client.post("/admin/api/data_sources/web/refresh", headers=ADMIN)
    assert failed.status_code == 422
    assert "url source 'web'" in failed.json["error"] and "404" in failed.json["error"]
    assert app.extensions["potato_like"].store.items.count() == 4  # nothing lost
