"""The built-in web server: cheroot with a request gate in front of its worker threads.

cheroot hands a connection to a worker thread as soon as it is accepted or becomes
readable, and the worker then reads the request line, headers and body with blocking
reads. A client that sends slowly therefore holds a worker for as long as it likes; 16 such
clients held all 16 workers and `/health` stopped answering (issue 13).

The gate sits between cheroot's connection manager and its worker queue
(`HTTPServer.process_conn`). It looks at a connection's bytes with `MSG_PEEK` (so cheroot
later reads them exactly as before) and queues the connection for a worker only when the
whole request head, and the body up to `BODY_PREBUFFER` bytes, has arrived. Until then the
connection waits in an edge-triggered epoll set that costs no thread. The gate also
answers 414 / 431 for an oversized request line / head without reading it into memory,
408 when the head or body does not arrive in time, and refuses connections beyond the
per-address cap. Where epoll is missing (not Linux) the gate is off and cheroot's own
per-read time-out is all there is: put a buffering reverse proxy in front (deployment.md).

This relies on cheroot internals (`process_conn`, `ConnectionClass`, `conn.socket`,
`conn.rfile.has_data()` and its `_read_buf`/`_read_pos`, `conn.remote_addr`), checked for
cheroot 10.x-11.x; tests/unit/test_serving.py fails loudly when they change (hence
cheroot<12 in setup.cfg).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import re
import select
import signal
import socket
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass

from cheroot import server as cheroot_server
from cheroot import wsgi

from .config.server import ServerLimits

log = logging.getLogger(__name__)

BODY_PREBUFFER = 65536  # body bytes that must have arrived before a worker is involved
LINGER_SECONDS = 2.0  # after an error answer, read and drop what the client still sends
LINGER_BYTES = 1 << 22
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*(\d+)[ \t]*(?=\r\n)", re.I)
_EXPECT_CONTINUE = re.compile(rb"\r\nexpect[ \t]*:[ \t]*100-continue", re.I)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding[ \t]*:[^\r\n]*chunked", re.I)
READY, WAIT, GONE = "ready", "wait", "gone"
_PEER_GONE = getattr(select, "EPOLLRDHUP", 0) | getattr(select, "EPOLLHUP", 0)
_STATUS_TEXT = {
    408: "Request Timeout",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    503: "Service Unavailable",
}


def address_key(address: str) -> str:
    """What the per-address cap counts: an IPv4 address, or an IPv6 /64 (one subscriber)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass
class _Waiting:
    conn: object
    since: float
    deadline: float
    head_done: bool = False
    prefix: bytes = b""  # bytes cheroot had already read into its buffer
    continued: bool = False  # "100 Continue" sent
    lingering: bool = False
    drained: int = 0


class RequestGate:
    """Holds connections without a thread until their request has arrived (see module doc)."""

    def __init__(self, limits: ServerLimits, hand_over, *, cap_addresses: bool) -> None:
        self.limits = limits
        self._hand_over = hand_over
        self._cap = limits.max_connections_per_address if cap_addresses else 0
        self._uncapped = {address_key(a) for a in limits.uncapped_addresses}
        self._lock = threading.Lock()
        self._waiting: dict[int, _Waiting] = {}
        self._per_address: Counter[str] = Counter()
        self._epoll = select.epoll()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="potato-like-gate", daemon=True)
        self._thread.start()

    # -- called by cheroot's connection manager (and by workers for kept-alive connections)
    def admit(self, conn) -> None:
        if getattr(conn, "gate_address", None) is None and not self._count(conn):
            self._answer_and_close(conn, 503, "too many connections from your address")
            return
        if isinstance(conn.socket, ssl.SSLSocket):
            self._hand_over(conn)  # TLS bytes cannot be peeked at; run.py does not use TLS
            return
        now = time.monotonic()
        entry = _Waiting(conn, now, now + self.limits.header_timeout)
        if conn.rfile.has_data():
            # cheroot read ahead into the next (pipelined) request: judge those bytes too,
            # or a request cut short after a complete one would hold a worker.
            entry.prefix = bytes(conn.rfile._read_buf[conn.rfile._read_pos :])
        decision = self._examine(entry, now)
        if decision == READY:
            self._hand_over(conn)
        elif decision == WAIT:
            fd = conn.socket.fileno()
            with self._lock:
                self._waiting[fd] = entry
            # Edge-triggered: one wake-up per arrival of new bytes, although the bytes stay
            # unread in the socket until cheroot reads them. Adding an fd that is already
            # readable reports it at once, so nothing that came before this line is missed.
            if not self._watch(fd):
                with self._lock:
                    self._waiting.pop(fd, None)
                conn.close()

    def release(self, conn) -> None:
        """A connection closed: it no longer counts against its address."""
        key = getattr(conn, "gate_address", None)
        if key is None:
            return
        conn.gate_address = None
        with self._lock:
            self._per_address[key] -= 1
            if self._per_address[key] <= 0:
                del self._per_address[key]

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=2)
        with self._lock:
            waiting, self._waiting = list(self._waiting.values()), {}
        for entry in waiting:
            entry.conn.close()
        self._epoll.close()

    def waiting_count(self) -> int:
        with self._lock:
            return len(self._waiting)

    # -- internals -------------------------------------------------------------------
    def _count(self, conn) -> bool:
        key = address_key(str(getattr(conn, "remote_addr", "") or ""))
        with self._lock:
            if self._cap and key not in self._uncapped and self._per_address[key] >= self._cap:
                return False
            self._per_address[key] += 1
        conn.gate_address = key
        return True

    def _watch(self, fd: int) -> bool:
        try:
            self._epoll.register(fd, select.EPOLLIN | select.EPOLLRDHUP | select.EPOLLET)
            return True
        except OSError:
            return False

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                events = self._epoll.poll(0.25)
            except OSError:
                if self._stopping.is_set():
                    return
                raise
            now = time.monotonic()
            for fd, mask in events:
                with self._lock:
                    entry = self._waiting.get(fd)
                if entry is None:
                    continue
                decision = self._examine(entry, now)
                if decision == READY:
                    # Forget before handing over: once a worker has it, the fd may be
                    # closed and its number reused by a new connection.
                    self._forget(fd)
                    self._hand_over(entry.conn)
                elif decision == WAIT and mask & _PEER_GONE:
                    self._close_entry(entry)  # the client stopped sending mid-request
            with self._lock:
                late = [(fd, e) for fd, e in self._waiting.items() if e.deadline <= now]
            for fd, entry in late:
                self._forget(fd)
                if entry.lingering or not self._peek(entry.conn, 1):
                    entry.conn.close()  # sent nothing (or we answered already): just close
                else:
                    self._answer_and_close(entry.conn, 408, "the request took too long to arrive")

    def _forget(self, fd: int) -> None:
        with self._lock:
            self._waiting.pop(fd, None)
        with contextlib.suppress(OSError, ValueError):
            self._epoll.unregister(fd)

    def _peek(self, conn, size: int) -> bytes | None:
        """The bytes waiting in the socket, b"" at end of stream, None when none yet."""
        try:
            return _nonblocking(conn.socket, conn.socket.recv, size, socket.MSG_PEEK)
        except BlockingIOError:
            return None
        except OSError:
            return b""

    def _examine(self, entry: _Waiting, now: float) -> str:
        """READY: the request has arrived, hand the connection to a worker; WAIT: keep it;
        GONE: answered with an error (it lingers in the gate, or is closed)."""
        conn = entry.conn
        if entry.lingering:
            self._drain(entry)
            return GONE
        limits = self.limits
        sent = self._peek(conn, min(16384, limits.max_header_bytes + 1))
        if sent and len(sent) == 16384 and b"\r\n\r\n" not in entry.prefix + sent:
            sent = self._peek(conn, limits.max_header_bytes + 1) or sent
        if sent == b"":
            return READY  # end of stream: cheroot reads what is left and closes quietly
        data = entry.prefix + (sent or b"")
        if not data:
            return WAIT
        line_end = data.find(b"\r\n")
        if line_end > limits.max_request_line_bytes or (
            line_end < 0 and len(data) > limits.max_request_line_bytes
        ):
            return self._reject(entry, 414, "the request line is too long")
        head_end = data.find(b"\r\n\r\n")
        if head_end < 0 or head_end + 4 > limits.max_header_bytes:
            if head_end >= 0 or len(data) > limits.max_header_bytes:
                return self._reject(entry, 431, "the request headers are too large")
            return WAIT
        if not entry.head_done:
            entry.head_done = True
            entry.deadline = now + limits.body_timeout
        head = data[: head_end + 2]  # the last header with its line end
        body_start = head_end + 4
        if _CHUNKED.search(head):
            wanted = BODY_PREBUFFER
            done_marker = True
        else:
            match = _CONTENT_LENGTH.search(head)
            wanted = min(int(match.group(1)), BODY_PREBUFFER) if match else 0
            done_marker = False
        if len(data) - body_start < wanted:
            more = self._peek(conn, body_start + wanted - len(entry.prefix))
            data = entry.prefix + more if more else data
        body = data[body_start:]
        if len(body) >= wanted or (done_marker and b"0\r\n\r\n" in body):
            return READY
        if not entry.continued and _EXPECT_CONTINUE.search(head):
            # The client waits for this before sending its body (curl does, for a second).
            # cheroot may send another when the app reads the body: clients accept several.
            entry.continued = True
            with contextlib.suppress(OSError):
                _nonblocking(conn.socket, conn.socket.send, b"HTTP/1.1 100 Continue\r\n\r\n")
        return WAIT

    def _reject(self, entry: _Waiting, status: int, message: str) -> str:
        """Answer with an error, then linger: read and drop what the client still sends,
        so that closing does not reset the connection before the client read the answer."""
        conn = entry.conn
        self._send_error(conn, status, message)
        try:
            conn.socket.shutdown(socket.SHUT_WR)
        except OSError:
            self._close_entry(entry)
            return GONE
        entry.lingering = True
        entry.deadline = time.monotonic() + LINGER_SECONDS
        fd = conn.socket.fileno()
        with self._lock:
            known = fd in self._waiting
            self._waiting[fd] = entry
        if not known and not self._watch(fd):
            self._close_entry(entry)
            return GONE
        self._drain(entry)
        return GONE

    def _drain(self, entry: _Waiting) -> None:
        while True:
            try:
                chunk = _nonblocking(entry.conn.socket, entry.conn.socket.recv, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            entry.drained += len(chunk)
            if not chunk or entry.drained > LINGER_BYTES:
                self._close_entry(entry)
                return

    def _close_entry(self, entry: _Waiting) -> None:
        fd = entry.conn.socket.fileno()
        if fd >= 0:
            self._forget(fd)
        entry.conn.close()

    def _answer_and_close(self, conn, status: int, message: str) -> None:
        self._send_error(conn, status, message)
        conn.close()

    @staticmethod
    def _send_error(conn, status: int, message: str) -> None:
        # Both error shapes (web/errors.py): seed 003's "error", Potato's status/message.
        body = json.dumps({"status": "error", "message": message, "error": message}).encode()
        head = (
            f"HTTP/1.1 {status} {_STATUS_TEXT[status]}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n" + ("Retry-After: 5\r\n" if status == 503 else "") + "\r\n"
        )
        with contextlib.suppress(OSError):
            _nonblocking(conn.socket, conn.socket.send, head.encode("latin-1") + body)


def _nonblocking(sock, call, *args):
    """`call(*args)` with the socket in non-blocking mode. (With a time-out set, Python
    waits for the socket to become ready before each call, MSG_DONTWAIT or not.)"""
    timeout = sock.gettimeout()
    sock.settimeout(0)
    try:
        return call(*args)
    finally:
        sock.settimeout(timeout)


class _GatedConnection(cheroot_server.HTTPConnection):
    gate_address: str | None = None

    def close(self) -> None:
        try:
            super().close()
        finally:
            gate = getattr(self.server, "gate", None)
            if gate is not None:
                gate.release(self)


class GatedServer(wsgi.Server):
    """cheroot's WSGI server whose connections pass the RequestGate before a worker."""

    ConnectionClass = _GatedConnection
    gate: RequestGate | None = None

    def open_gate(self, limits: ServerLimits, *, cap_addresses: bool) -> None:
        if hasattr(select, "epoll"):
            self.gate = RequestGate(limits, super().process_conn, cap_addresses=cap_addresses)
        else:
            log.warning("slow-client protection needs epoll (Linux); serve behind a reverse proxy")

    def process_conn(self, conn) -> None:
        if self.gate is None:
            super().process_conn(conn)
        else:
            self.gate.admit(conn)


def serve(
    app,
    host: str,
    port: int,
    threads: int,
    limits: ServerLimits,
    behind_proxy: int,
    *,
    reuse_port: bool = False,
):
    """Serve until SIGTERM / Ctrl-C. cheroot keeps idle keep-alive connections in a
    selector, so hundreds of annotators cost nothing while they read; waitress polls every
    connection on each wake-up and spent 87% of its time there with 200 connections
    (docs/performance.md)."""
    server = GatedServer(
        (host, port),
        app,
        numthreads=threads,
        request_queue_size=1024,
        timeout=60,
        shutdown_timeout=10,
        server_name="potato_like",
        reuse_port=reuse_port,  # run.py --workers N: every worker binds the one port
    )
    # The gate answers 414/431 first; cheroot's own check stays as a second line.
    server.max_request_header_size = limits.max_header_bytes + 1024
    # Behind a proxy every connection comes from the proxy: the proxy caps per client.
    server.open_gate(limits, cap_addresses=not behind_proxy)
    stoppers: list[threading.Thread] = []

    def on_sigterm(signum, _frame):
        # Stop from another thread. Raising KeyboardInterrupt in the main thread (as for
        # waitress) can land while cheroot's serve loop holds one of its locks, and stop()
        # then waits for that lock forever: a rare hang on shutdown.
        if not stoppers:
            stoppers.append(threading.Thread(target=server.stop, name="potato-like-stop"))
            stoppers[0].start()

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        server.start()  # returns once stop() has run
    finally:
        for stopper in stoppers:
            stopper.join()
        server.stop()
        if server.gate is not None:
            server.gate.stop()
