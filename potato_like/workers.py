"""`run.py CONFIG --workers N`: N server processes on one port.

One Python process serves at most about one core (the GIL). With `--workers N` the command
becomes a small master that

1. opens the project once (migrations, data import, keys, the output files brought up to
   date) and closes it again, so the workers start on a ready database;
2. starts N worker processes (`python -m potato_like.cli run CONFIG --worker-index i ...`),
   each a whole server with its own threads that binds the same host:port with
   SO_REUSEPORT: the kernel spreads new connections over the workers' listening sockets;
3. restarts a worker that dies (kill -9, out of memory) with the same index, and on SIGTERM
   or Ctrl-C stops them all (SIGTERM, then SIGKILL after 20 s).

The workers share everything through the store (one SQLite file, or PostgreSQL): accounts,
login sessions, leases, answers. On SQLite their writes take turns through a file lock
(store/process_turn.py), never SQLite's sleeping busy handler. Worker 0 is the leader: it
alone starts the work that must not run N times over (IBWS rounds, MACE runs on
`trigger_every_n`), from a timer as well as on its requests. What each piece does with
several processes is listed in docs/deployment.md ("Several processes on one machine").
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

STOP_SECONDS = 20.0
LEADER_TICK_SECONDS = 5.0
# A worker that dies this soon after its start, twice in a row, is not restarted again (it
# cannot bind, cannot open the database ...): the master stops and says so.
CRASH_LOOP_SECONDS = 5.0


def default_workers() -> int:
    return os.cpu_count() or 1


def can_share_port() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port with SO_REUSEPORT (not listening yet)."""
    family, kind, proto, _name, address = socket.getaddrinfo(
        host, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock


def start_leader_timer(project) -> threading.Event:
    """Worker 0: poke the leader-only background work every few seconds, so it runs even
    when none of the annotators' connections landed on this process."""
    from .quality.mace_runs import runner

    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(LEADER_TICK_SECONDS):
            try:
                project.poll_ibws_round()
                if project.config.mace.enabled:
                    runner(project).maybe_trigger()
            except Exception:  # the timer must outlive a failed poll; it is logged
                import logging

                logging.getLogger("potato_like").exception("leader timer")

    threading.Thread(target=tick, name="potato-like-leader", daemon=True).start()
    return stop


def die_with_master(master_pid: int) -> None:
    """A worker must not outlive its master (a master killed with kill -9 would leave its
    workers serving the port with no one to stop them): on Linux the kernel sends SIGTERM
    when the master dies (PR_SET_PDEATHSIG); everywhere, a watchdog thread notices the new
    parent within half a second and sends SIGTERM itself."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != master_pid:  # it died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)

    def watch() -> None:
        while os.getppid() == master_pid:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="potato-like-master-watch", daemon=True).start()


class Master:
    """Starts, watches and stops the worker processes."""

    def __init__(self, worker_args: list[str], count: int) -> None:
        self.worker_args = worker_args
        self.count = count
        self.procs: dict[int, subprocess.Popen] = {}
        self.started: dict[int, float] = {}
        self.quick_deaths: dict[int, int] = {}
        self.stopping = threading.Event()
        self.restarts = 0

    def _env(self) -> dict[str, str]:
        # The workers import this very copy of the package, wherever it was imported from.
        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        return env

    def _spawn(self, index: int) -> None:
        cmd = [
            sys.executable,
            "-m",
            "potato_like.cli",
            *self.worker_args,
            "--worker-index",
            str(index),
            "--worker-count",
            str(self.count),
            "--master-pid",
            str(os.getpid()),
        ]
        self.procs[index] = subprocess.Popen(cmd, env=self._env(), stdin=subprocess.DEVNULL)
        self.started[index] = time.monotonic()

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT; returns 0 when every worker stopped cleanly."""

        def stop(_signum, _frame):
            self.stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for index in range(self.count):
            self._spawn(index)
        failed = False
        while not self.stopping.wait(0.1):
            for index, proc in list(self.procs.items()):
                code = proc.poll()
                if code is None:
                    continue
                quick = time.monotonic() - self.started[index] < CRASH_LOOP_SECONDS
                self.quick_deaths[index] = self.quick_deaths.get(index, 0) + 1 if quick else 0
                if self.quick_deaths[index] >= 2:
                    print(
                        f"worker {index} exited with code {code} twice right after starting; "
                        "stopping",
                        file=sys.stderr,
                    )
                    failed = True
                    self.stopping.set()
                    break
                print(f"worker {index} exited with code {code}; restarting it", file=sys.stderr)
                self.restarts += 1
                self._spawn(index)
        return self._stop_all() or int(failed)

    def _stop_all(self) -> int:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        worst = 0
        for proc in self.procs.values():
            try:
                code = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
            worst = worst or (code if code not in (0, -signal.SIGTERM) else 0)
        return worst
