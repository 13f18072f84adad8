"""`trusted_hosts`: a request naming another host gets a 400 (DNS rebinding); empty: any."""

from __future__ import annotations

import http.client
import threading

import pytest
from werkzeug.serving import make_server

from potato_like.config import load_config
from potato_like.errors import ConfigError
from tests.conftest import base_config, write_config, write_items

TRUSTED = ["annotate.example.org", ".lab.example.edu"]


def test_other_hosts_get_a_400_page_or_json(make_project):
    c = make_project(trusted_hosts=TRUSTED).test_client()
    page = c.get("/", headers={"Host": "rebound.attacker.example"})
    assert page.status_code == 400
    assert "does not answer to the host name" in page.get_data(as_text=True)
    assert page.headers["X-Frame-Options"] == "DENY"  # the refusal is a normal response
    api = c.post(
        "/auth", json={"username": "ann"}, headers={"Host": "rebound.attacker.example:8000"}
    )
    assert api.status_code == 400
    refused = "this server does not answer to the host name 'rebound.attacker.example:8000'"
    assert api.json == {"error": refused, "status": "error", "message": refused}
    assert c.get("/health", headers={"Host": "example.org"}).status_code == 400
    # ".lab.example.edu" means that name and its subdomains, not a name ending the same way.
    assert c.get("/", headers={"Host": "evil-lab.example.edu"}).status_code == 400


def test_listed_hosts_are_served_on_any_port(make_project):
    c = make_project(trusted_hosts=TRUSTED).test_client()
    for host in ("annotate.example.org", "annotate.example.org:8443", "ANNOTATE.example.org"):
        assert c.get("/health", headers={"Host": host}).status_code == 200, host
    for host in ("lab.example.edu", "a.lab.example.edu:8000"):
        assert c.get("/health", headers={"Host": host}).status_code == 200, host
    response = c.post("/auth", data={"username": "ann"}, headers={"Host": "annotate.example.org"})
    assert response.status_code == 302


def test_without_the_setting_any_host_is_served(make_project):
    c = make_project().test_client()
    assert c.get("/health", headers={"Host": "whatever.example"}).status_code == 200


def test_behind_a_proxy_the_forwarded_host_is_checked(make_project):
    c = make_project(trusted_hosts=["annotate.example.org"], behind_proxy=1).test_client()
    good = {"Host": "127.0.0.1:8000", "X-Forwarded-Host": "annotate.example.org"}
    bad = {"Host": "127.0.0.1:8000", "X-Forwarded-Host": "rebound.attacker.example"}
    assert c.get("/health", headers=good).status_code == 200
    assert c.get("/health", headers=bad).status_code == 400


@pytest.mark.parametrize(
    "value",
    [
        "https://annotate.example.org",
        "annotate.example.org:8000",
        "example.org/path",
        "",
        {"host": "x"},
    ],
)
def test_entries_must_be_host_names(tmp_path, value):
    write_items(tmp_path / "data.jsonl", 1)
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path, base_config(trusted_hosts=["ok.example", value])))
    assert any(p.startswith("trusted_hosts[1]") for p in err.value.problems), err.value.problems


def test_names_are_kept_lower_case(tmp_path):
    write_items(tmp_path / "data.jsonl", 1)
    cfg = load_config(write_config(tmp_path, base_config(trusted_hosts=" Annotate.Example.ORG")))
    assert cfg.trusted_hosts == ("annotate.example.org",)


def raw_get(port: int, host: str | None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", "/health", skip_host=True)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.slow
def test_a_real_server_refuses_other_host_headers(open_app, tmp_path):
    write_items(tmp_path / "data.jsonl", 2)
    app = open_app(write_config(tmp_path, base_config(trusted_hosts=["annotate.example.org"])))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_port
        assert raw_get(port, "annotate.example.org") == 200
        assert raw_get(port, f"annotate.example.org:{port}") == 200
        assert raw_get(port, f"127.0.0.1:{port}") == 400
        assert raw_get(port, "rebound.attacker.example") == 400
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
