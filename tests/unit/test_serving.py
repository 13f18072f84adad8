"""The built-in server's settings, guards and helpers (the real server is exercised in
tests/web/test_server_limits.py): server.* config keys, the warning for public binds, the
cheroot internals the request gate relies on, and the access log's redaction."""

from __future__ import annotations

import inspect
import json
import socket
from types import SimpleNamespace

import pytest
from cheroot import connections, makefile, server, wsgi
from flask import Flask
from werkzeug.test import Client

from potato_like import cli
from potato_like.access_log import redact_query, with_access_log
from potato_like.config import load_config
from potato_like.config.server import ServerLimits
from potato_like.errors import ConfigError
from potato_like.serving import GatedServer, RequestGate, address_key
from tests.conftest import base_config, write_config, write_items


@pytest.fixture
def project_dir(tmp_path):
    write_items(tmp_path / "data.jsonl", 2)
    return tmp_path


def test_server_limits_have_safe_defaults(project_dir):
    limits = load_config(base_config(), config_dir=project_dir).server_limits
    assert limits == ServerLimits()
    assert (limits.header_timeout, limits.body_timeout) == (10.0, 30.0)
    assert limits.max_connections_per_address == 64
    assert (limits.max_request_line_bytes, limits.max_header_bytes) == (8192, 65536)
    assert limits.access_log is None


def test_server_limits_are_read_and_checked(project_dir):
    good = base_config(
        server={"header_timeout": 2, "access_log": "logs/access.log", "uncapped_addresses": []}
    )
    limits = load_config(good, config_dir=project_dir).server_limits
    assert limits.header_timeout == 2.0 and limits.uncapped_addresses == ()
    assert limits.access_log == str(project_dir / "logs" / "access.log")
    assert load_config(base_config(server={"access_log": True}), config_dir=project_dir)
    bad = base_config(
        server={
            "header_timeout": 0,
            "body_timeout": "soon",
            "max_connections_per_address": -1,
            "max_request_line_bytes": 9000,
            "max_header_bytes": 4096,
            "access_log": 3,
            "header_timeoutt": 1,
        }
    )
    with pytest.raises(ConfigError) as err:
        load_config(bad, config_dir=project_dir)
    text = str(err.value)
    assert "server.header_timeout: must be at least 0.5" in text
    assert "server.body_timeout: must be a number" in text
    assert "server.max_connections_per_address: must be at least 0" in text
    assert "server.max_header_bytes: must be at least max_request_line_bytes (9000)" in text
    assert "server.access_log: must be a file path" in text


def test_unknown_server_key_gets_a_did_you_mean(project_dir):
    config = load_config(base_config(server={"header_timout": 5}), config_dir=project_dir)
    assert any("header_timout" in w and "header_timeout" in w for w in config.warnings)


@pytest.mark.parametrize(
    ("settings", "warned"),
    [
        ({}, False),
        ({"host": "localhost"}, False),
        ({"host": "::1"}, False),
        ({"host": "0.0.0.0"}, True),  # noqa: S104
        ({"host": "192.0.2.10"}, True),
        ({"host": "0.0.0.0", "behind_proxy": 1}, False),  # noqa: S104
    ],
)
def test_check_warns_when_binding_a_public_address_without_a_proxy(
    project_dir, capsys, settings, warned
):
    config = write_config(project_dir, base_config(**settings))
    assert cli.main(["check", str(config)]) == 0
    err = capsys.readouterr().err
    assert ("accepts connections from other machines without TLS" in err) is warned


def test_cheroot_internals_the_request_gate_relies_on():
    """If this fails after a cheroot upgrade, potato_like/serving.py must be revisited."""
    assert "process_conn" in inspect.getsource(connections.ConnectionManager._run)
    assert "has_data" in inspect.getsource(connections.ConnectionManager.put)
    assert "ConnectionClass" in inspect.getsource(connections.ConnectionManager)
    assert callable(server.HTTPServer.process_conn)
    assert issubclass(GatedServer.ConnectionClass, server.HTTPConnection)
    assert "self._read_buf" in inspect.getsource(makefile.StreamReader.has_data)
    assert "self._read_pos" in inspect.getsource(makefile.StreamReader.has_data)
    init = inspect.getsource(server.HTTPConnection.__init__)
    assert "self.socket = sock" in init and "self.rfile" in init
    assert "remote_addr" in inspect.getsource(connections.ConnectionManager._from_server_socket)
    assert hasattr(wsgi.Server, "max_request_header_size")


def test_address_key_groups_ipv6_by_64_and_unwraps_mapped_ipv4():
    assert address_key("203.0.113.7") == "203.0.113.7"
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    assert address_key("::ffff:203.0.113.7") == "203.0.113.7"


def test_redact_query_hides_secrets_and_worker_ids_but_keeps_the_rest():
    query = "password=hunter2&TOKEN=abc&PROLIFIC_PID=5f1a&workerId=A1&STUDY_ID=s1&page=2&key="
    assert redact_query(query) == (
        "password=REDACTED&TOKEN=REDACTED&PROLIFIC_PID=REDACTED&workerId=REDACTED"
        "&STUDY_ID=s1&page=2&key="
    )


def test_access_log_line_in_combined_format(tmp_path):
    app = Flask(__name__)

    @app.get("/hello")
    def hello():
        return "hi there"

    log_file = tmp_path / "access.log"
    client = Client(with_access_log(app, str(log_file)))
    response = client.get(
        "/hello?api_key=s3cret&x=1",
        headers={"Referer": "https://ex.org/a?token=t0k&b=2"},
        environ_base={"REMOTE_ADDR": "198.51.100.4", "HTTP_USER_AGENT": 'evil"\nagent'},
    )
    assert response.status_code == 200 and response.get_data() == b"hi there"
    (line,) = log_file.read_text().splitlines()
    assert line.startswith("198.51.100.4 - - [")
    assert line.endswith(
        '"GET /hello?api_key=REDACTED&x=1 HTTP/1.1" 200 8 '
        '"https://ex.org/a?token=REDACTED&b=2" "evil\\"agent"'
    )
    assert "s3cret" not in line and "t0k" not in line


def test_the_gate_answers_errors_in_both_json_shapes():
    """The request gate's own refusals (408, 414, 431, 503) carry seed 003's `error` and
    Potato's `status`/`message`, like the app's errors."""
    ours, theirs = socket.socketpair()
    with ours, theirs:
        RequestGate._send_error(SimpleNamespace(socket=ours), 503, "server busy")
        head, _, body = theirs.recv(4096).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 503") and b"Retry-After: 5" in head
    assert json.loads(body) == {"status": "error", "message": "server busy", "error": "server busy"}
