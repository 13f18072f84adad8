"""The real server (`python run.py`, cheroot + the request gate) against slow and oversized
clients (issue 13): slow clients must not starve fast ones, heads have size caps, one
address has a connection cap, and the access log redacts secrets."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO, base_config, write_config, write_items

pytestmark = pytest.mark.slow

THREADS = 4
SLOW_CLIENTS = 12  # three times the worker threads
HEADER_TIMEOUT = 3.0
CAP = 24


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("limits")
    write_items(tmp / "data.jsonl", 3)
    config = write_config(
        tmp,
        base_config(
            server={
                "header_timeout": HEADER_TIMEOUT,
                "body_timeout": HEADER_TIMEOUT,
                "max_connections_per_address": CAP,
                "uncapped_addresses": [],  # the test connects from loopback
                "max_request_line_bytes": 8192,
                "max_header_bytes": 65536,
            }
        ),
    )
    port = free_port()
    log_file = tmp / "access.log"
    cmd = [sys.executable, str(REPO / "run.py"), str(config), "--port", str(port)]
    cmd += ["--threads", str(THREADS), "--access-log", str(log_file)]
    cmd += ["--workers", "1"]  # one process: its gate, its per-address cap, its memory
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            assert proc.poll() is None, "the server exited"
            try:
                if requests.get(f"{base}/health", timeout=1).ok:
                    break
            except requests.RequestException:
                assert time.time() < deadline, "server did not start in 30 s"
                time.sleep(0.1)
        yield {"proc": proc, "port": port, "base": base, "log": log_file}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def health_seconds(base: str) -> float:
    """The time /health takes on a fresh connection (it must answer within 2 s at all)."""
    started = time.perf_counter()
    with requests.Session() as s:
        assert s.get(f"{base}/health", timeout=2).ok
    return time.perf_counter() - started


def trickle(socks: list[socket.socket], head: bytes, piece: bytes, stop: threading.Event):
    """Send `head` on each socket, then one more `piece` every 0.2 s until stopped."""
    for s in socks:
        s.sendall(head)
    while not stop.wait(0.2):
        for s in socks:
            with contextlib.suppress(OSError):
                s.sendall(piece)


def read_status(sock: socket.socket) -> int | None:
    sock.settimeout(10)
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    if not data.startswith(b"HTTP/1."):
        return None
    return int(data.split(b" ", 2)[1])


def slow_attack_keeps_health_fast(server, head: bytes, piece: bytes) -> list[float]:
    socks = [connect(server["port"]) for _ in range(SLOW_CLIENTS)]
    stop = threading.Event()
    sender = threading.Thread(target=trickle, args=(socks, head, piece, stop), daemon=True)
    sender.start()
    try:
        time.sleep(0.5)  # every slow client is connected and sending
        return [health_seconds(server["base"]) for _ in range(5)]
    finally:
        stop.set()
        sender.join()
        for s in socks:
            s.close()


def test_slow_headers_do_not_starve_health(server):
    head = b"GET /health HTTP/1.1\r\nHost: localhost\r\n"
    times = slow_attack_keeps_health_fast(server, head, b"X-Slow: 1\r\n")
    assert max(times) < 0.5, times


def test_slow_bodies_do_not_starve_health(server):
    head = b"POST /auth HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\nusername="
    times = slow_attack_keeps_health_fast(server, head, b"a")
    assert max(times) < 0.5, times


def test_a_slow_request_behind_a_complete_one_does_not_starve_health(server):
    """The second of two pipelined requests, cut short: cheroot has read its start into
    its own buffer along with the first request."""
    head = (
        b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"
        b"GET /health HTTP/1.1\r\nHost: localhost\r\n"
    )
    times = slow_attack_keeps_health_fast(server, head, b"X-Slow: 1\r\n")
    assert max(times) < 0.5, times


def test_a_head_that_never_ends_gets_408_after_header_timeout(server):
    with connect(server["port"]) as sock:
        stop = threading.Event()
        head = b"GET /health HTTP/1.1\r\nHost: localhost\r\n"
        sender = threading.Thread(
            target=trickle, args=([sock], head, b"X-Slow: 1\r\n", stop), daemon=True
        )
        started = time.monotonic()
        sender.start()
        try:
            status = read_status(sock)
        finally:
            stop.set()
            sender.join()
        waited = time.monotonic() - started
    assert status == 408
    assert HEADER_TIMEOUT - 0.5 < waited < HEADER_TIMEOUT + 2


def test_a_body_that_never_ends_gets_408_after_body_timeout(server):
    with connect(server["port"]) as sock:
        stop = threading.Event()
        head = b"POST /auth HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9000\r\n\r\n"
        sender = threading.Thread(target=trickle, args=([sock], head, b"a", stop), daemon=True)
        sender.start()
        try:
            status = read_status(sock)
        finally:
            stop.set()
            sender.join()
    assert status == 408


def test_a_client_that_expects_100_continue_gets_it_before_sending_its_body(server):
    with connect(server["port"]) as sock:
        sock.sendall(
            b"POST /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
            b"Expect: 100-continue\r\n\r\n"
        )
        sock.settimeout(1)
        assert sock.recv(64).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(b"ping")
        sock.settimeout(5)
        answer = b""
        while b"HTTP/1.1 405" not in answer:
            chunk = sock.recv(4096)
            assert chunk, answer
            answer += chunk


def test_a_long_request_line_gets_414(server):
    with connect(server["port"]) as sock:
        sock.sendall(b"GET /health?" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert read_status(sock) == 414


def test_large_headers_get_431(server):
    with connect(server["port"]) as sock:
        filler = b"".join(b"X-Filler-%d: %s\r\n" % (i, b"b" * 1000) for i in range(100))
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n" + filler + b"\r\n")
        assert read_status(sock) == 431


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_huge_header_is_not_read_into_memory(server):
    before = rss_kib(server["proc"].pid)
    with connect(server["port"]) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
        try:
            for block in range(60):  # 60 MB of distinct headers, if the server kept reading
                lines = (b"X-H%d-%d: %s\r\n" % (block, i, b"v" * 1000) for i in range(1024))
                sock.sendall(b"".join(lines))
        except OSError:
            pass  # the server answered 431 and stopped reading: what we want
        time.sleep(0.3)
        grown_mib = (rss_kib(server["proc"].pid) - before) / 1024  # while still connected
    assert grown_mib < 20, f"server RSS grew by {grown_mib:.0f} MiB"
    assert health_seconds(server["base"]) < 0.5


def test_connections_beyond_the_per_address_cap_are_refused(server):
    time.sleep(0.5)  # the connections of earlier tests are closed
    socks = [connect(server["port"]) for _ in range(CAP + 6)]
    try:
        time.sleep(0.3)
        refused = 0
        for s in socks:
            s.settimeout(0.05)
            try:
                data = s.recv(4096)
            except TimeoutError:
                continue
            if data.startswith(b"HTTP/1.1 503"):
                refused += 1
        assert refused == 6, refused
    finally:
        for s in socks:
            s.close()
    # Closed connections no longer count (the server notices the closes within moments).
    deadline = time.monotonic() + 5
    while requests.get(f"{server['base']}/health", timeout=2).status_code == 503:
        assert time.monotonic() < deadline, "closed connections still count"
        time.sleep(0.1)


def test_the_access_log_has_one_combined_line_per_request_without_secrets(server):
    base = server["base"]
    requests.get(f"{base}/health?password=hunter2&PROLIFIC_PID=5f1a&lang=en", timeout=5)
    time.sleep(0.2)
    lines = server["log"].read_text().splitlines()
    line = next(x for x in lines if "lang=en" in x)
    assert line.startswith("127.0.0.1 - - [")
    assert '"GET /health?password=REDACTED&PROLIFIC_PID=REDACTED&lang=en HTTP/1.1" 200 ' in line
    assert "hunter2" not in line and "5f1a" not in line
    assert line.endswith('"-" "python-requests/' + requests.__version__ + '"')
