"""`run.py CONFIG --workers N`: N server processes on one port.

One Python process serves at most about one core (the GIL). With `--workers N` the command
becomes a small master that

1. opens the project once (migrations, data import, keys, the output files brought up to
   date) and closes it again, so the workers start on a ready database;
2. forks N worker processes, each a whole server with its own threads that binds the same
   host:port with SO_REUSEPORT: the kernel spreads new connections over the workers'
   listening sockets;
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
import sys
import threading
import time
import traceback
from collections.abc import Callable

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


def claim_port(host: str, port: int) -> socket.socket:
    """The master's hold on host:port for its workers (bound with SO_REUSEPORT, not
    listening). SO_REUSEPORT would also let a second server started on the same port join
    the first one's group and take half its connections, so a fixed port is first bound
    without it: that fails (EADDRINUSE) while any server listens there."""
    if port:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is fine
            probe.bind(address)
            probe.listen(1)  # a listening probe also meets a bound, non-listening holder
    return reuse_port_socket(host, port)


def start_leader_timer(project) -> threading.Event:
    """Worker 0: poke the leader-only background work every few seconds, so it runs even
    when none of the annotators' connections landed on this process."""
    from .quality.mace_runs import runner

    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(LEADER_TICK_SECONDS):
            try:
                project.poll_ibws_round()
                for ingestor in project.live_sources().values():
                    ingestor.ensure_running()
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
    """Forks, watches and stops the worker processes. A worker is a fork of the master taken
    after the project was opened and closed again: no thread but the main one is running
    then, and every module is already imported, so a worker starts in a fraction of a
    fresh interpreter's time."""

    def __init__(self, run_worker: Callable[[int], int], count: int) -> None:
        self.run_worker = run_worker
        self.count = count
        self.pids: dict[int, int] = {}
        self.started: dict[int, float] = {}
        self.quick_deaths: dict[int, int] = {}
        self.stopping = threading.Event()
        self.restarts = 0

    def _spawn(self, index: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                code = self.run_worker(index)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        self.pids[index] = pid
        self.started[index] = time.monotonic()

    def _reap(self, pid: int) -> int | None:
        """The worker's exit code once it has ended, else None."""
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return -1
        return os.waitstatus_to_exitcode(status) if done == pid else None

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
            for index, pid in list(self.pids.items()):
                code = self._reap(pid)
                if code is None:
                    continue
                del self.pids[index]
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
        for pid in self.pids.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        worst = 0
        waiting = dict(self.pids)
        while waiting:
            for index, pid in list(waiting.items()):
                code = self._reap(pid)
                if code is None and time.monotonic() > deadline:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
                if code is not None:
                    del waiting[index]
                    if code not in (0, -signal.SIGTERM) and not worst:
                        worst = code
            time.sleep(0.05)
        return worst
