"""`run.py --debug` only on loopback; `run.py check` (and run) warn about unsafe settings."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import flask
import pytest

from potato_like import cli
from potato_like.unsafe_settings import is_loopback
from tests.conftest import base_config, write_config, write_items

ALL = "0.0.0.0"  # noqa: S104  (every interface: the unsafe case under test)


@pytest.fixture
def config_path(tmp_path):
    def make(**overrides):
        write_items(tmp_path / "data.jsonl", 2)
        return str(write_config(tmp_path, base_config(**overrides)))

    return make


@pytest.fixture
def debug_runs(monkeypatch) -> Iterator[list[dict]]:
    """Calls of Flask's development server (recorded instead of serving)."""
    calls: list[dict] = []
    monkeypatch.setattr(flask.Flask, "run", lambda app, **kw: calls.append(kw))
    on_sigterm = signal.getsignal(signal.SIGTERM)  # serving installs its own handler
    yield calls
    signal.signal(signal.SIGTERM, on_sigterm)


@pytest.mark.parametrize("host", [ALL, "::", "192.168.1.20", "annotate.example.org"])
def test_debug_is_refused_unless_bound_to_loopback(config_path, debug_runs, capsys, host):
    assert cli.main(["run", config_path(), "--debug", "--host", host]) == 2
    assert debug_runs == []
    err = capsys.readouterr().err
    assert f"--debug is refused on host {host!r}" in err
    assert "--host 127.0.0.1" in err


def test_debug_is_refused_for_a_public_host_from_the_config(config_path, debug_runs, capsys):
    assert cli.main(["run", config_path(host=ALL), "--debug"]) == 2
    assert debug_runs == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_debug_serves_on_loopback(config_path, debug_runs, host):
    assert cli.main(["run", config_path(), "--debug", "--host", host, "--port", "0"]) == 0
    assert debug_runs == [
        {"host": host, "port": 0, "debug": True, "use_reloader": False, "threaded": True}
    ]


def test_loopback_names():
    assert is_loopback("[::1]") and is_loopback("LOCALHOST") and is_loopback("127.9.9.9")
    assert not is_loopback(ALL) and not is_loopback("localhost.example.org")


def warnings_of_check(path: str, capsys) -> list[str]:
    assert cli.main(["check", path]) == 0
    err = capsys.readouterr().err
    return [line for line in err.splitlines() if line.startswith("warning: trusted_hosts")]


def test_check_warns_about_a_public_host_without_trusted_hosts(config_path, capsys):
    (warning,) = warnings_of_check(config_path(host=ALL), capsys)
    assert "host '0.0.0.0' is reachable from other machines" in warning
    assert "trusted_hosts: [annotate.example.org]" in warning


def test_check_warns_behind_a_proxy_without_trusted_hosts(config_path, capsys):
    (warning,) = warnings_of_check(config_path(behind_proxy=1), capsys)
    assert "behind a proxy" in warning


def test_check_is_quiet_on_loopback_or_with_trusted_hosts(config_path, capsys):
    assert warnings_of_check(config_path(), capsys) == []
    public = config_path(host=ALL, trusted_hosts=["annotate.example.org"])
    assert warnings_of_check(public, capsys) == []


def test_serving_prints_the_same_warning(config_path, debug_runs, capsys):
    cli.main(["run", config_path(host=ALL), "--debug"])
    assert "warning: trusted_hosts" not in capsys.readouterr().err  # refused before loading
    path = config_path(behind_proxy=1)
    assert cli.main(["run", path, "--debug", "--port", "0"]) == 0
    assert "warning: trusted_hosts: the server is behind a proxy" in capsys.readouterr().err
