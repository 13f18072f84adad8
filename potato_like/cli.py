"""Command line: `python run.py CONFIG` serves; `check` validates; `export` writes a file.

python run.py CONFIG [--port N] [--host H] [--threads N] [--workers N] [--debug]
python run.py DIR [--port N] [--host H]   (a workspace: DIR/workspace.yaml + projects/<slug>/)
python run.py start CONFIG ...          (Potato's spelling)
python run.py check CONFIG
python run.py export CONFIG --format csv --out FILE
python run.py mturk-xml CONFIG --url https://your-server/
python run.py import-potato CONFIG DIR [--apply]   (a Potato annotation_output/ directory)
python run.py reset-password CONFIG USERNAME [--base-url URL | --password-stdin]
python run.py keys create|list|revoke CONFIG ...   (API keys for scripts)
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import signal
import sys
import time
from pathlib import Path

from .errors import ConfigError
from .private_files import make_private_dir, open_private

COMMANDS = (
    "run", "start", "check", "export", "mturk-xml", "import-potato", "reset-password", "keys",
    "import-images", "import-traces",
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in COMMANDS and not argv[0].startswith("-"):
        argv.insert(0, "run")
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "export":
            return _export(args)
        if args.command == "mturk-xml":
            return _mturk_xml(args)
        if args.command == "import-potato":
            return _import_potato(args)
        if args.command == "import-images":
            from .data.image_datasets import run as import_images

            return import_images(args)
        if args.command == "keys":
            from .api_keys_cli import run as keys

            return keys(args)
        if args.command == "import-traces":
            from .traces.cli import run as import_traces

            return import_traces(args)
        if args.command == "reset-password":
            from .password_reset_cli import run as reset_password

            return reset_password(args)
        return _serve(args)
    except ConfigError as err:
        _print_problems(err)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py", description="Serve a Potato-style annotation project."
    )
    sub = parser.add_subparsers(dest="command")
    for name in ("run", "start"):
        run = sub.add_parser(name, help="serve a project")
        run.add_argument("config")
        run.add_argument("-p", "--port", type=int, default=None)
        run.add_argument("--host", default=None)
        run.add_argument("--threads", type=int, default=16)
        run.add_argument(
            "--workers",
            type=int,
            default=None,
            metavar="N",
            help="server processes on the one port (default: the number of CPUs; 1: one "
            "process, as before; see docs/deployment.md)",
        )
        run.add_argument(
            "--job-workers",
            type=int,
            choices=(0, 1),
            default=1,
            help="background job worker processes for /api/v1 jobs (training, inference, "
            "exports): 1 (default) started next to the server (by the leader of --workers N), "
            "0: none (run `python -m potato_like.jobs.worker CONFIG` yourself)",
        )
        # Set by the master of --workers N for the processes it starts.
        run.add_argument("--worker-index", type=int, default=None, help=argparse.SUPPRESS)
        run.add_argument("--worker-count", type=int, default=None, help=argparse.SUPPRESS)
        run.add_argument("--master-pid", type=int, default=None, help=argparse.SUPPRESS)
        run.add_argument(
            "--server",
            choices=("cheroot", "waitress"),
            default="cheroot",
            help="WSGI server (default cheroot; see docs/performance.md)",
        )
        run.add_argument(
            "--debug",
            action="store_true",
            help="Flask's development server and debugger (loopback addresses only)",
        )
        run.add_argument(
            "--access-log",
            nargs="?",
            const="-",
            default=None,
            metavar="FILE",
            help="log every request (combined log format) to FILE, or to stderr without FILE",
        )
    check = sub.add_parser("check", help="validate a config and its data files, then exit")
    check.add_argument("config")
    export = sub.add_parser("export", help="export annotations to a file")
    export.add_argument("config")
    export.add_argument("--format", "-f", required=True)
    export.add_argument("--out", "-o", required=True, help="output file ('-' for stdout)")
    export.add_argument(
        "--raw-cells",
        action="store_true",
        help="csv/tsv: write cells starting with = + - @ as they are (no leading '), for "
        "programs that are not spreadsheets; overrides export_escape_formulas",
    )
    xml = sub.add_parser(
        "mturk-xml", help="print the MTurk ExternalQuestion XML for the project's public URL"
    )
    xml.add_argument("config")
    xml.add_argument("--url", required=True, help="the project's public https:// address")
    xml.add_argument("--frame-height", type=int, default=None)
    imp = sub.add_parser(
        "import-potato",
        help="import a Potato annotation_output/ directory (a dry run unless --apply)",
    )
    imp.add_argument("config")
    imp.add_argument("directory", help="Potato's output_annotation_dir")
    imp.add_argument("--apply", action="store_true", help="write (default: report only)")
    from .api_keys_cli import add_parser as add_keys
    from .data.image_datasets import add_parser as add_import_images
    from .password_reset_cli import add_parser as add_reset_password

    add_import_images(sub)
    from .traces.cli import add_parser as add_import_traces

    add_import_traces(sub)

    add_reset_password(sub)
    add_keys(sub)
    return parser


def _import_potato(args) -> int:
    from .potato_import.importer import import_potato_dir

    directory = Path(args.directory)
    if not directory.is_dir():
        print(f"{directory}: not a directory", file=sys.stderr)
        return 2
    project = _open(args.config)
    try:
        report = import_potato_dir(project, directory, apply=args.apply)
    finally:
        project.close()  # writes the imported users' output files
    print("\n".join(report.lines()))
    return 0


def _mturk_xml(args) -> int:
    """The question of an ExternalQuestion HIT; MTurk appends workerId, assignmentId, hitId
    and turkSubmitTo to the URL when it shows the HIT."""
    from urllib.parse import urlsplit

    from .config import load_config
    from .crowd.mturk import external_question_xml

    parts = urlsplit(args.url)
    if parts.scheme != "https" or not parts.netloc:
        print(
            f"--url must be an https:// address (MTurk requires it), got {args.url!r}",
            file=sys.stderr,
        )
        return 2
    config = load_config(args.config)
    crowd = config.crowd
    if crowd is None or not config.login.from_url:
        print(
            "warning: this config does not log workers in from the URL; set login.type: "
            "url_direct (with url_argument: workerId) or crowdsourcing.provider: mturk",
            file=sys.stderr,
        )
    elif crowd.id_param != "workerId":
        print(
            f"warning: workers are identified by {crowd.id_param!r}, but MTurk sends workerId",
            file=sys.stderr,
        )
    height = args.frame_height or (crowd.frame_height if crowd else 800)
    sys.stdout.write(external_question_xml(args.url, height))
    return 0


def _print_problems(err: ConfigError) -> None:
    print(f"The project cannot start: {len(err.problems)} problem(s):", file=sys.stderr)
    for problem in err.problems:
        print(f"  - {problem}", file=sys.stderr)
    for warning in err.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _print_warnings(config, *, unsafe: bool) -> None:
    from .unsafe_settings import unsafe_settings

    for warning in (*config.warnings, *(unsafe_settings(config) if unsafe else ())):
        print(f"warning: {warning}", file=sys.stderr)
    for warning in exposure_warnings(config):
        print(f"warning: {warning}", file=sys.stderr)


def exposure_warnings(config) -> list[str]:
    """Unsafe ways to face the network that the config allows (shown by check and start)."""
    import ipaddress

    host = config.host.strip("[]")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback or config.behind_proxy:
        return []
    return [
        f"host: {config.host!r} accepts connections from other machines without TLS; for "
        "public use keep 127.0.0.1, put a TLS reverse proxy in front and set behind_proxy: 1 "
        "(docs/deployment.md)"
    ]


def _progress_printer():
    """A progress bar on stderr for the data import (only drawn when it takes a while)."""
    state = {"start": time.monotonic(), "last": 0.0, "drawn": False}

    def show(rows: int, done: int, total: int) -> None:
        now = time.monotonic()
        if now - state["last"] < 0.25 and done < total:
            return
        if now - state["start"] < 0.5 and (done < total or not state["drawn"]):
            return
        state["last"] = now
        state["drawn"] = True
        frac = min(1.0, done / total) if total else 1.0
        bar = "#" * int(frac * 30)
        rate = rows / max(now - state["start"], 1e-6)
        end = "\n" if done >= total else ""
        print(
            f"\rimporting items [{bar:<30}] {frac:4.0%} {rows:,} rows ({rate:,.0f}/s)",
            end=end,
            file=sys.stderr,
            flush=True,
        )

    return show


def _open(config_path: str, *, warn_unsafe: bool = False, **overrides):
    """Load and open the project; `warn_unsafe` also prints settings unsafe on a public
    server (check and serve)."""
    from .config import load_config
    from .project import Project

    config = load_config(config_path, **overrides)
    _print_warnings(config, unsafe=warn_unsafe)
    return Project.open(config, progress=_progress_printer())


def _check(args) -> int:
    from .workspace import cli as workspace_cli

    if workspace_cli.is_workspace(args.config):
        return workspace_cli.check(args)
    project = _open(args.config, warn_unsafe=True)
    try:
        cfg = project.config
        report = project.import_report
        print(
            f"{args.config}: OK — {cfg.annotation_task_name!r}, {len(cfg.schemes)} scheme(s), "
            f"{project.store.items.count():,} items"
            + (f" (imported {report.rows:,} rows)" if report.changed else "")
        )
        for name in claimed_staff_names(project):
            print(
                f"warning: admin_users: the account {name!r} exists but has no password in "
                "user_config.users; if nobody you know created it, someone may have claimed the "
                "name before it was reserved: delete the account or configure its password",
                file=sys.stderr,
            )
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        return 0
    finally:
        project.close()


def claimed_staff_names(project) -> list[str]:
    """Staff names without a configured password that have an account anyway."""
    from .accounts import unprotected_staff

    unprotected = set(unprotected_staff(project.config))
    return [name for _id, name in project.store.users.all_names() if name.casefold() in unprotected]


def _export(args) -> int:
    from .export.registry import exporter, formats

    chosen = exporter(args.format)
    if chosen is None:
        names = ", ".join(cls.name for cls in formats())
        print(f"unknown format {args.format!r}; choose one of: {names}", file=sys.stderr)
        return 2
    if args.raw_cells:
        chosen.escape_formulas = False
    project = _open(args.config)
    try:
        if args.out == "-":
            for chunk in chosen.stream(project):
                sys.stdout.write(chunk)
            return 0
        out = Path(args.out)
        make_private_dir(out.parent)
        tmp = out.with_name(f".{out.name}.tmp")
        # 0600 like the database it comes from (private_files.py)
        with os.fdopen(open_private(tmp), "w", encoding="utf-8", newline="") as fh:
            for chunk in chosen.stream(project):
                fh.write(chunk)
        tmp.replace(out)
        print(f"wrote {out}", file=sys.stderr)
        return 0
    finally:
        project.close()


def _worker_count(args) -> int:
    from .workers import can_share_port, default_workers

    if args.debug or args.worker_index is not None:
        return 1
    wanted = default_workers() if args.workers is None else args.workers
    if wanted < 1:
        raise ConfigError([f"--workers must be at least 1, got {wanted}"])
    if wanted > 1 and not can_share_port():
        print("this system has no SO_REUSEPORT: serving with one process", file=sys.stderr)
        return 1
    return wanted


def _serve(args) -> int:
    from . import create_app
    from .workspace import cli as workspace_cli

    if args.worker_index is None and workspace_cli.is_workspace(args.config):
        return workspace_cli.serve(args)  # run.py DIR: every project under DIR/projects/
    from .key_policy import refusal as key_refusal
    from .webhooks.worker import start_for_project

    workers = _worker_count(args)
    worker = args.worker_index is not None

    overrides = {}
    if args.port is not None:
        overrides["port"] = args.port
    if args.host is not None:
        overrides["host"] = args.host
    if args.debug:
        from .config import load_config
        from .unsafe_settings import debug_refusal

        refusal = debug_refusal(load_config(args.config, **overrides).host)
        if refusal:
            print(refusal, file=sys.stderr)
            return 2
    started = time.perf_counter()
    if worker:
        from .config import load_config
        from .project import Project

        project = Project.open(load_config(args.config, **overrides))
        project.leader = args.worker_index == 0
        project.output.records_flushes = False  # the master records it (user_files.py)
        project.shared_rate_limits = True  # N processes count into one window
    else:
        project = _open(args.config, warn_unsafe=True, **overrides)
    cfg = project.config
    if (refused := key_refusal(cfg, cfg.host)) is not None:
        project.close()
        print(refused, file=sys.stderr)
        return 1
    app = create_app(project)
    if args.debug:  # loopback only (checked above): admin pages without the key, as Potato
        from .web.security import DEBUG_OPEN_ADMIN

        app.config[DEBUG_OPEN_ADMIN] = True
    report = project.import_report
    if worker:
        return _serve_worker(args, project, app)
    if report.changed:
        print(
            f"imported {report.rows:,} items in {report.seconds:.1f}s "
            f"(+{report.added:,} new, {report.updated:,} changed, {report.retired:,} retired)",
            file=sys.stderr,
        )
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    shown_host = "localhost" if cfg.host in ("127.0.0.1", "0.0.0.0", "::") else cfg.host  # noqa: S104
    print(
        f"\n  {cfg.annotation_task_name} — {project.store.items.count():,} items, ready in "
        f"{time.perf_counter() - started:.1f}s"
    )
    print(f"  Annotators:  http://{shown_host}:{cfg.port}/")
    how = "--debug: no key from this machine" if args.debug else "sign in with the admin key"
    print(f"  Dashboard:   http://{shown_host}:{cfg.port}/admin ({how})")
    if project.admin_key_path is not None:
        print(f"  Admin API key: stored in {project.admin_key_path} (send it as X-API-Key)")
    else:
        print("  Admin API key: from admin_api_key / POTATO_ADMIN_API_KEY")
    print(f"  Output:      {cfg.output_dir}")
    if workers > 1:
        return _serve_master(args, project, workers)
    print(flush=True)
    job_worker = _start_job_worker(args)
    deliveries = start_for_project(project)

    def stop(signum, _frame):
        raise KeyboardInterrupt  # unwinds the server loop; `finally` flushes and closes

    signal.signal(signal.SIGTERM, stop)
    limits = cfg.server_limits
    access_log = args.access_log or limits.access_log
    if access_log:
        from .access_log import with_access_log

        wsgi_app = with_access_log(app, access_log)
    else:
        wsgi_app = app
    try:
        if args.debug:
            app.run(host=cfg.host, port=cfg.port, debug=True, use_reloader=False, threaded=True)
        elif args.server == "waitress":
            from waitress import serve

            # waitress reads whole requests before a thread sees them; its header cap
            # answers 431. It has no per-address cap (docs/deployment.md).
            serve(
                wsgi_app,
                host=cfg.host,
                port=cfg.port,
                threads=args.threads,
                connection_limit=1000,
                channel_timeout=60,
                max_request_header_size=limits.max_header_bytes,
                ident="potato_like",
            )
        else:
            from .serving import serve

            serve(wsgi_app, cfg.host, cfg.port, args.threads, limits, cfg.behind_proxy)
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        # waitress raises the bind error itself; cheroot wraps it without an errno.
        cannot_bind = exc.errno in (errno.EADDRINUSE, errno.EACCES) or (
            exc.errno is None and "No socket could be created" in str(exc)
        )
        if cannot_bind:
            print(
                f"cannot listen on {cfg.host}:{cfg.port}: {exc.strerror or exc}. "
                "Choose another port with --port.",
                file=sys.stderr,
            )
            return 1
        raise
    finally:
        if deliveries is not None:
            deliveries.stop()
        _stop_job_worker(job_worker)
        project.close()
    return 0


def _start_job_worker(args):
    """The /api/v1 job worker process next to this server (--job-workers 1, the default)."""
    if not getattr(args, "job_workers", 1):
        return None
    from .jobs.process import start_job_worker

    return start_job_worker(os.path.abspath(args.config))


def _stop_job_worker(proc) -> None:
    if proc is not None:
        from .jobs.process import stop_job_worker

        stop_job_worker(proc)


def _serve_master(args, project, workers: int) -> int:
    """--workers N: bring the output files up to date, then fork, watch and stop N worker
    processes on the one port (workers.py)."""
    from .workers import Master, claim_port

    cfg = project.config
    try:
        # Held (bound, not listening) while the master lives: --port 0 becomes a concrete
        # port for every worker, and nobody else takes it between worker restarts.
        reserved = claim_port(cfg.host, cfg.port)
    except OSError as exc:
        project.close()
        print(
            f"cannot listen on {cfg.host}:{cfg.port}: {exc.strerror or exc}. "
            "Choose another port with --port.",
            file=sys.stderr,
        )
        return 1
    port = reserved.getsockname()[1]
    flushed_from = time.time()
    project.output.flush()
    if not project.output.pending():
        project.output.mark_flushed(flushed_from)
    print(f"  Processes:   {workers} workers on port {port} (--workers)\n", flush=True)
    url = project.store.engine.url.render_as_string(hide_password=False)
    project.close()  # the workers are forks: no open database, no thread but this one

    def run_worker(index: int) -> int:
        reserved.close()
        args.worker_index, args.worker_count, args.master_pid = index, workers, master_pid
        args.host, args.port = cfg.host, port
        return _serve(args)

    master_pid = os.getpid()
    try:
        code = Master(run_worker, workers).run()
        stopped_from = time.time()
    finally:
        reserved.close()
    if code == 0:  # every worker flushed its output files at its clean stop
        from .export.user_files import FLUSHED_AT
        from .store import Store

        store = Store.open(url)
        try:
            with store.write() as conn:
                store.set_meta(conn, FLUSHED_AT, repr(stopped_from))
        finally:
            store.close()
    return code


def _serve_worker(args, project, app) -> int:
    """One of the --workers N processes: serve on the shared port until SIGTERM."""
    from .webhooks.worker import start_for_project
    from .workers import die_with_master, reuse_port_socket, start_leader_timer

    cfg = project.config
    leader_timer = start_leader_timer(project) if project.leader else None
    job_worker = _start_job_worker(args) if project.leader else None
    deliveries = start_for_project(project) if project.leader else None

    def stop(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the master stops us with SIGTERM
    if args.master_pid is not None:
        die_with_master(args.master_pid)
    limits = cfg.server_limits
    wsgi_app = app
    if args.access_log or limits.access_log:
        from .access_log import with_access_log

        wsgi_app = with_access_log(app, args.access_log or limits.access_log)
    try:
        if args.server == "waitress":
            from waitress import serve

            sock = reuse_port_socket(cfg.host, cfg.port)
            sock.listen(1024)
            serve(
                wsgi_app,
                sockets=[sock],
                threads=args.threads,
                connection_limit=1000,
                channel_timeout=60,
                max_request_header_size=limits.max_header_bytes,
                ident="potato_like",
            )
        else:
            from .serving import serve

            serve(
                wsgi_app,
                cfg.host,
                cfg.port,
                args.threads,
                limits,
                cfg.behind_proxy,
                reuse_port=True,
            )
    except KeyboardInterrupt:
        pass
    finally:
        if leader_timer is not None:
            leader_timer.set()
        if deliveries is not None:
            deliveries.stop()
        _stop_job_worker(job_worker)
        project.close()
    return 3 if project.output.pending() else 0
