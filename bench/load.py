"""Load test: start the real server, drive it with concurrent simulated annotators over HTTP.

    python bench/load.py --project DIR --annotators K --requests-per-annotator M \
        --max-seconds S [--port 0] [--threads 16] [--server NAME] [--reset] [--restart]
        [--py-spy FILE]

What it does, in order:
1. (--reset) deletes DIR/annotation_output/ (SQLite file, keys, per-user output), so the
   start below imports the data from scratch.
2. Spawns `python run.py DIR/config.yaml --host 127.0.0.1 --port P --threads T` (plus
   `--server NAME` with --server) and times
   spawn -> first 200 from GET /health ("boot"). The server's output goes to bench/out/.
   With --restart the server is then stopped (SIGTERM) and started again; the second start
   (no import, the data files are unchanged) is timed as "restart".
3. Probes registration at rest: --probe-users users register one after another
   (POST /auth + first GET /api/current_instance), with no other load.
4. Load phase: K annotator threads, each with its own HTTP session (its own cookie and
   keep-alive connection: `light_client.LightSession` on http.client by default,
   `--client requests` for a requests.Session), released together. Each one registers/logs
   in (POST /auth, form field `username`, a name unique to this run), loads its first page
   (GET /api/current_instance), then loops
       GET /api/current_instance -> POST /updateinstance -> POST /go_to next_instance
   until it has sent M loop requests, the project has nothing left for it, or S seconds
   have passed since the release.
5. Reads the server's VmRSS / VmHWM from /proc, stops it (SIGTERM, then SIGKILL after 15 s)
   and prints ONE JSON object on stdout (progress goes to stderr).

Every request goes to 127.0.0.1. A response counts as an error when it is not 2xx or when
the request raised (timeout, connection reset); a few sample messages are kept per kind.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests
from light_client import ClientError, LightSession

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
HOST = "127.0.0.1"
JSON_HEADERS = {"Accept": "application/json"}
ANSWER = {"sentiment:positive": "1"}
# How a simulated annotator talks HTTP (--client): both keep one connection and the cookies.
CLIENTS = {"light": LightSession, "requests": requests.Session}


# -- statistics ------------------------------------------------------------------------------
def pct(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of latencies in ms, rounded to 0.01 ms."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100)
    return round(ordered[int(rank) - 1], 2)


def summary(values: list[float]) -> dict[str, float | int | None]:
    return {
        "n": len(values),
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "p99": pct(values, 99),
        "max": round(max(values), 2) if values else None,
    }


class Recorder:
    """Latencies (ms) by request kind, and errors with a few sample messages."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []
        self.requests = 0

    def ok(self, kind: str, ms: float) -> None:
        with self.lock:
            self.latency[kind].append(ms)
            self.requests += 1

    def error(self, kind: str, message: str, ms: float | None = None) -> None:
        with self.lock:
            self.requests += 1
            self.errors[kind] += 1
            if ms is not None:
                self.latency[kind].append(ms)
            if len(self.samples) < 8:
                self.samples.append(f"{kind}: {message[:300]}")


def call(rec: Recorder, kind: str, session, method: str, url: str, **kw):
    """One timed request; returns the parsed JSON body on 2xx, else None (error recorded)."""
    started = time.perf_counter()
    try:
        resp = session.request(method, url, timeout=60, allow_redirects=False, **kw)
        ms = (time.perf_counter() - started) * 1000
    except (requests.RequestException, ClientError) as exc:
        rec.error(kind, f"{type(exc).__name__}: {exc}")
        return None
    if not 200 <= resp.status_code < 300:
        rec.error(kind, f"HTTP {resp.status_code}: {resp.text[:200]}", ms)
        return None
    try:
        body = resp.json()
    except ValueError:
        rec.error(kind, f"HTTP {resp.status_code} but not JSON: {resp.text[:200]}", ms)
        return None
    rec.ok(kind, ms)
    return body


# -- the server --------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    def __init__(
        self,
        config: Path,
        port: int,
        threads: int,
        python: str,
        log: Path,
        script: Path = REPO / "run.py",
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.config, self.port, self.threads, self.python, self.log = (
            config,
            port,
            threads,
            python,
            log,
        )
        self.script = script
        self.extra_args = list(extra_args)
        self.proc: subprocess.Popen | None = None
        self.base = f"http://{HOST}:{port}"

    def start(self, timeout: float) -> float:
        """Spawn and wait for /health; returns seconds from spawn to the first 200."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        fh = self.log.open("ab")
        cmd = [
            self.python,
            str(self.script),
            str(self.config),
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--threads",
            str(self.threads),
            *self.extra_args,
        ]
        fh.write(f"\n$ {' '.join(cmd)}\n".encode())
        fh.flush()
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd, cwd=REPO, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        fh.close()
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with code {self.proc.returncode} during boot; see {self.log}"
                )
            try:
                if requests.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except requests.RequestException:
                pass
            time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"server did not answer /health within {timeout}s; see {self.log}")

    def pids(self) -> list[int]:
        """The server process and its descendants (`--workers N`: the master and its N
        worker processes); memory and CPU are summed over them."""
        out, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                with contextlib.suppress(OSError):
                    todo.extend(int(c) for c in task.read_text().split())
        return out

    def memory_mb(self) -> dict[str, float | None]:
        out: dict[str, float | None] = {"VmRSS": None, "VmHWM": None}
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for key in out:
                m = re.search(rf"^{key}:\s+(\d+) kB", status, re.M)
                if m:
                    out[key] = round((out[key] or 0) + int(m.group(1)) / 1024, 1)
        return out

    def cpu_seconds(self) -> float | None:
        ticks, total, seen = os.sysconf("SC_CLK_TCK"), 0.0, False
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            seen = True
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        return total if seen else None

    def stop(self) -> dict[str, object]:
        """SIGTERM, wait up to 15 s, then SIGKILL. Returns how it went."""
        if self.proc is None or self.proc.poll() is not None:
            return {"exit_code": None if self.proc is None else self.proc.returncode}
        started = time.perf_counter()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=15)
            killed = False
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
            killed = True
        return {
            "exit_code": code,
            "killed": killed,
            "stop_seconds": round(time.perf_counter() - started, 2),
        }


def import_info(log: Path) -> dict[str, object]:
    """What the server printed about its last start: items, and the import if there was one."""
    text = log.read_text(errors="replace")
    last = text.rsplit("\n$ ", 1)[-1]
    info: dict[str, object] = {"imported": False}
    m = re.search(r"imported ([\d,]+) items in ([\d.]+)s", last)
    if m:
        info.update(imported=True, import_rows=int(m.group(1).replace(",", "")))
        info["import_seconds_reported"] = float(m.group(2))
    m = re.search(r"— ([\d,]+) items, ready in ([\d.]+)s", last)
    if m:
        info["items"] = int(m.group(1).replace(",", ""))
        info["ready_seconds_reported"] = float(m.group(2))
    return info


# -- annotators ----------------------------------------------------------------------------------
def register(
    rec: Recorder, base: str, session, username: str, password: str | None = None
) -> dict | None:
    """POST /auth (with `password`: POST /register with a password, so the server hashes it)
    + first GET /api/current_instance; records `auth`, `first_page` and their sum as
    `registration` (only when both succeeded). Returns the first position."""
    started = time.perf_counter()
    form = {"username": username}
    if password:
        form["password"] = password
    url = f"{base}/register" if password else f"{base}/auth"
    if call(rec, "auth", session, "POST", url, data=form, headers=JSON_HEADERS) is None:
        return None
    pos = call(rec, "first_page", session, "GET", f"{base}/api/current_instance")
    if pos is not None:
        with rec.lock:
            rec.latency["registration"].append((time.perf_counter() - started) * 1000)
    return pos


def annotator(
    rec: Recorder,
    base: str,
    username: str,
    max_requests: int,
    deadline_box: list[float],
    release: threading.Barrier,
    counts: dict[str, int],
    think_ms: float = 0.0,
    seed: int = 0,
    arrival_s: float = 0.0,
    client=LightSession,
    password: str | None = None,
) -> None:
    """One simulated annotator. With think_ms > 0 it pauses a uniformly random 0.5x-1.5x
    think_ms after each request (a person reading and clicking); 0 is a closed-loop stress."""
    session = client()
    rng = random.Random(seed)
    try:
        release.wait()
        deadline = deadline_box[0]
        if arrival_s:
            time.sleep(arrival_s)
        if register(rec, base, session, username, password) is None:
            return
        sent = 0

        def more() -> bool:
            """Count one request; pause; may the annotator send another?"""
            nonlocal sent
            sent += 1
            if sent >= max_requests:
                return False
            if think_ms > 0:
                pause = think_ms * rng.uniform(0.5, 1.5) / 1000
                time.sleep(max(0.0, min(pause, deadline - time.perf_counter())))
            return sent < max_requests and time.perf_counter() < deadline

        while sent < max_requests and time.perf_counter() < deadline:
            pos = call(rec, "current_instance", session, "GET", f"{base}/api/current_instance")
            if pos is not None and (pos.get("finished") or not pos.get("instance_id")):
                with rec.lock:
                    counts["finished_annotators"] += 1
                return
            if not more() or pos is None:
                continue
            call(
                rec,
                "updateinstance",
                session,
                "POST",
                f"{base}/updateinstance",
                json={"instance_id": pos["instance_id"], "annotations": ANSWER},
            )
            if not more():
                break
            call(rec, "go_to", session, "POST", f"{base}/go_to", json={"action": "next_instance"})
            more()
    finally:
        session.close()


def probe_registrations(
    base: str, n: int, prefix: str, client=LightSession, password: str | None = None
) -> list[float]:
    """Register n users one after another, nothing else running; registration ms each."""
    rec = Recorder()
    for i in range(n):
        with client() as session:
            register(rec, base, session, f"{prefix}-probe-{i:03d}", password)
    if rec.errors:
        print(f"probe errors: {rec.samples}", file=sys.stderr)
    return rec.latency["registration"]


def run_load(
    base: str,
    annotators: int,
    max_requests: int,
    max_seconds: float,
    prefix: str,
    think_ms: float = 0.0,
    arrive_over: float = 0.0,
    client=LightSession,
    password: str | None = None,
):
    rec = Recorder()
    counts: dict[str, int] = defaultdict(int)
    release = threading.Barrier(annotators + 1)
    deadline_box = [0.0]
    threads = [
        threading.Thread(
            target=annotator,
            args=(
                rec,
                base,
                f"{prefix}-{i:04d}",
                max_requests,
                deadline_box,
                release,
                counts,
                think_ms,
                i,
                arrive_over * i / annotators,
                client,
                password,
            ),
            name=f"annotator-{i}",
            daemon=True,
        )
        for i in range(annotators)
    ]
    for t in threads:
        t.start()
    cpu0 = time.process_time()
    started = time.perf_counter()
    deadline_box[0] = started + max_seconds
    release.wait()
    for t in threads:
        t.join(max_seconds + 120)
    wall = time.perf_counter() - started
    stuck = sum(t.is_alive() for t in threads)
    return rec, wall, time.process_time() - cpu0, stuck, counts


# -- main ------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Start the real server and drive it with concurrent simulated annotators."
    )
    parser.add_argument("--project", type=Path, required=True, help="dir with config.yaml")
    parser.add_argument("--annotators", type=int, default=8)
    parser.add_argument(
        "--requests-per-annotator",
        type=int,
        default=200,
        help="loop requests per annotator (registration not counted)",
    )
    parser.add_argument(
        "--max-seconds", type=float, default=60.0, help="time limit of the load phase"
    )
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="pause after each loop request, uniformly 0.5x-1.5x this (0: no pause, stress)",
    )
    parser.add_argument(
        "--arrive-over",
        type=float,
        default=0.0,
        help="spread the annotators' arrivals evenly over this many seconds (0: all at once)",
    )
    parser.add_argument(
        "--client",
        choices=sorted(CLIENTS),
        default="light",
        help="HTTP client of the simulated annotators: light (http.client, the default: "
        "about 1 ms less client CPU per call) or requests (the figures before 2026-11-23)",
    )
    parser.add_argument("--port", type=int, default=0, help="0: pick a free port")
    parser.add_argument("--threads", type=int, default=16, help="server worker threads")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="pass `--workers N` to run.py (N server processes); default: run.py's default",
    )
    parser.add_argument(
        "--password",
        default=None,
        help="annotators register with this password (POST /register: the server hashes "
        "it); default: passwordless POST /auth",
    )
    parser.add_argument(
        "--server",
        default=None,
        help="pass `--server NAME` to run.py (cheroot, waitress); default: run.py's default",
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="delete DIR/annotation_output first (the start imports the data)",
    )
    parser.add_argument(
        "--restart",
        action="store_true",
        help="stop the server after its first boot and time a second start",
    )
    parser.add_argument(
        "--probe-users",
        type=int,
        default=20,
        help="sequential registrations measured before the load (0: none)",
    )
    parser.add_argument("--boot-timeout", type=float, default=900.0)
    parser.add_argument("--python", default=sys.executable, help="interpreter for run.py")
    parser.add_argument(
        "--server-script",
        type=Path,
        default=REPO / "run.py",
        help="entry point to start instead of run.py (same arguments), for A/B experiments",
    )
    parser.add_argument(
        "--py-spy",
        type=Path,
        default=None,
        metavar="FILE",
        help="record the server with py-spy during the load phase "
        "(FILE.svg: flame graph, FILE.txt: collapsed stacks)",
    )
    parser.add_argument(
        "--py-spy-gil",
        action="store_true",
        help="with --py-spy: sample only the thread holding the GIL "
        "(where CPU time goes) instead of every thread (where time is spent)",
    )
    args = parser.parse_args(argv)

    project = args.project.resolve()
    config = project / "config.yaml"
    if not config.is_file():
        parser.error(f"{config} does not exist (make one with bench/make_project.py)")
    if args.reset:
        shutil.rmtree(project / "annotation_output", ignore_errors=True)
    port = args.port or free_port()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    log = OUT / f"server-{project.name}-{stamp}.log"
    extra = ("--server", args.server) if args.server else ()
    if args.workers is not None:
        extra += ("--workers", str(args.workers))
    server = Server(
        config, port, args.threads, args.python, log, args.server_script.resolve(), extra
    )
    result: dict[str, object] = {"project": str(project)}
    if args.server_script.resolve() != (REPO / "run.py").resolve():
        result["server_script"] = str(args.server_script)
    result["code"] = code_version(args.server_script.resolve().parent)
    prefix = f"bench{stamp}-{os.getpid()}"
    spy = None
    try:
        print(f"starting server on port {port} (log: {log})", file=sys.stderr)
        result["boot_seconds"] = round(server.start(args.boot_timeout), 3)
        first = import_info(log)
        boot_memory = server.memory_mb()  # VmHWM here includes the import, if there was one
        first.update(rss_mb=boot_memory["VmRSS"], rss_peak_mb=boot_memory["VmHWM"])
        result["first_start"] = first
        if args.restart:
            result["first_stop"] = server.stop()
            print("restarting", file=sys.stderr)
            result["restart_seconds"] = round(server.start(args.boot_timeout), 3)
            second = import_info(log)
            restart_memory = server.memory_mb()
            second.update(rss_mb=restart_memory["VmRSS"], rss_peak_mb=restart_memory["VmHWM"])
            result["restart"] = second
        info = import_info(log)
        result["items"] = info.get("items")
        result["annotators"] = args.annotators
        result["requests_per_annotator"] = args.requests_per_annotator
        result["max_seconds"] = args.max_seconds
        result["think_ms"] = args.think_ms
        result["arrive_over_s"] = args.arrive_over
        result["server_threads"] = args.threads
        result["server"] = args.server or "default"
        result["client"] = args.client
        result["workers"] = args.workers if args.workers is not None else "default"
        result["password"] = bool(args.password)
        result["cpus"] = os.cpu_count()
        result["rss_mb_idle"] = server.memory_mb()["VmRSS"]

        if args.probe_users:
            probe = probe_registrations(
                server.base, args.probe_users, prefix, CLIENTS[args.client], args.password
            )
            result["registration_idle_ms"] = {
                "n": len(probe),
                "p50": pct(probe, 50),
                "max": round(max(probe), 2) if probe else None,
            }

        if args.py_spy:
            spy = start_py_spy(server.proc.pid, args.py_spy, gil=args.py_spy_gil)
        print(
            f"load: {args.annotators} annotators x {args.requests_per_annotator} requests, "
            f"<= {args.max_seconds}s",
            file=sys.stderr,
        )
        cpu_before = server.cpu_seconds()
        load_before = os.getloadavg()
        rec, wall, client_cpu, stuck, counts = run_load(
            server.base,
            args.annotators,
            args.requests_per_annotator,
            args.max_seconds,
            prefix,
            args.think_ms,
            args.arrive_over,
            CLIENTS[args.client],
            args.password,
        )
        cpu_after = server.cpu_seconds()
        # The machine's load average (1, 5, 15 min) before and after the load phase: other
        # work on a shared machine makes the figures noisy; this says how noisy.
        result["loadavg_before"] = [round(x, 2) for x in load_before]
        result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        if spy is not None:
            stop_py_spy(spy)
            spy = None
        memory = server.memory_mb()
        result["rss_mb"] = memory["VmRSS"]
        result["rss_peak_mb"] = memory["VmHWM"]
        lat = rec.latency
        reg = lat["registration"]
        result["registration_ms"] = {
            "n": len(reg),
            "p50": pct(reg, 50),
            "p99": pct(reg, 99),
            "max": round(max(reg), 2) if reg else None,
        }
        upd = summary(lat["updateinstance"])
        result["updateinstance_ms"] = {k: upd[k] for k in ("n", "p50", "p95", "p99", "max")}
        nav = summary(lat["go_to"])
        result["go_to_ms"] = {k: nav[k] for k in ("n", "p50", "p99", "max")}
        cur = summary(lat["current_instance"])
        result["current_instance_ms"] = {k: cur[k] for k in ("n", "p50", "p99", "max")}
        everything = [ms for kind, values in lat.items() if kind != "registration" for ms in values]
        result["all_requests_ms"] = summary(everything) if everything else None
        result["total_requests"] = rec.requests
        result["load_seconds"] = round(wall, 2)
        result["req_per_s"] = round(rec.requests / wall, 1) if wall else None
        result["finished_annotators"] = counts.get("finished_annotators", 0)
        result["stuck_annotators"] = stuck
        result["server_cpu_seconds"] = (
            round(cpu_after - cpu_before, 2)
            if cpu_before is not None and cpu_after is not None
            else None
        )
        result["client_cpu_seconds"] = round(client_cpu, 2)
        result["errors"] = {
            "count": sum(rec.errors.values()),
            "by_kind": dict(rec.errors),
            "samples": rec.samples,
        }
    finally:
        if spy is not None:
            stop_py_spy(spy)
        result["shutdown"] = server.stop()
        result["server_log"] = str(log)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def code_version(app_dir: Path) -> dict[str, object]:
    """The code measured: its commit, and whether potato_like/ or run.py had uncommitted
    changes. A tree that is not a git checkout (e.g. `git archive HEAD | tar -x -C DIR`,
    used with --server-script DIR/run.py) may name its commit in DIR/COMMIT."""

    def git(*args: str) -> str:
        try:
            out = subprocess.run(
                ["git", *args], cwd=app_dir, capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return out.stdout.strip() if out.returncode == 0 else ""

    info: dict[str, object] = {"app_dir": str(app_dir)}
    top = git("rev-parse", "--show-toplevel")
    if top and Path(top).resolve() == app_dir.resolve():
        info["commit"] = git("rev-parse", "--short", "HEAD") or None
        info["app_dirty"] = bool(git("status", "--porcelain", "--", "potato_like", "run.py"))
    elif (app_dir / "COMMIT").is_file():
        info["commit"] = (app_dir / "COMMIT").read_text().strip()[:7]
        info["app_dirty"] = False
    return info


def start_py_spy(pid: int, out: Path, gil: bool = False):
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    out.parent.mkdir(parents=True, exist_ok=True)
    procs = []
    for fmt, suffix in (("flamegraph", ".svg"), ("raw", ".txt")):
        procs.append(
            subprocess.Popen(
                [
                    exe,
                    "record",
                    "--pid",
                    str(pid),
                    "--rate",
                    "200",
                    "--format",
                    fmt,
                    "--output",
                    str(out.with_suffix(suffix)),
                    "--nonblocking",
                ]
                + (["--gil"] if gil else []),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    time.sleep(1.0)  # let py-spy attach before the load starts
    return procs


def stop_py_spy(procs) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
    for p in procs:
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


if __name__ == "__main__":
    sys.exit(main())
