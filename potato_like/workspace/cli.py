"""`python run.py DIR`: serve a workspace directory (every project under projects/) in one
process. `check DIR` validates it and `keys ... DIR` manages its API keys (api_keys_cli)."""

from __future__ import annotations

import errno
import signal
import sys
import time
from pathlib import Path


def is_workspace(path: str) -> bool:
    """A directory is served as a workspace (a file as a project config)."""
    return Path(path).is_dir()


def refuse_workers(args) -> str | None:
    if args.workers is not None and args.workers > 1:
        return (
            f"--workers {args.workers}: a workspace is served by one process (its projects "
            "are created, paused and deleted in that process's memory); leave out --workers, "
            "or serve one project with several processes: run.py projects/<slug>/config.yaml "
            "--workers N"
        )
    return None


def serve(args) -> int:
    from ..config.server import ServerLimits
    from ..key_policy import refusal as key_refusal
    from ..unsafe_settings import debug_refusal
    from .app import create_workspace_app
    from .workspace import Workspace

    if (refused := refuse_workers(args)) is not None:
        print(refused, file=sys.stderr)
        return 2
    host = args.host or "127.0.0.1"
    port = 8000 if args.port is None else args.port
    if args.debug and (refusal := debug_refusal(host)):
        print(refusal, file=sys.stderr)
        return 2
    started = time.perf_counter()
    job_worker = deliveries = None
    workspace = Workspace.open(args.config)
    try:
        for slug, project in workspace.projects().items():
            if (refused := key_refusal(project.config, host)) is not None:
                print(f"projects/{slug}: {refused}", file=sys.stderr)
                return 1
        app = create_workspace_app(workspace)
        shown = workspace.config.public_url or (
            f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0', '::') else host}:{port}"  # noqa: S104
        )
        projects = workspace.projects()
        print(
            f"\n  Workspace {workspace.config.root} — {len(projects)} project(s), ready in "
            f"{time.perf_counter() - started:.1f}s"
        )
        print(f"  Dashboard:   {shown}/ (sign in with an admin-scoped workspace API key)")
        for slug, project in projects.items():
            print(f"  {slug + ':':<12} {shown}/p/{slug}/  ({project.config.annotation_task_name})")
        print(flush=True)

        def stop(signum, _frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        # The /api/v1 jobs (training, inference, exports) of the workspace run in one
        # worker process beside the server, as for a single project.
        if getattr(args, "job_workers", 1):
            from ..jobs.process import start_job_worker

            job_worker = start_job_worker(Path(args.config).resolve())
        # Webhook deliveries (and the workspace's periodic passes) in a background thread.
        from ..webhooks.worker import DeliveryThread

        deliveries = DeliveryThread(workspace.delivery_stores, lambda: workspace.periodic)
        deliveries.start()
        limits = ServerLimits()
        wsgi_app = app
        if args.access_log:
            from ..access_log import with_access_log

            wsgi_app = with_access_log(app, args.access_log)
        try:
            if args.debug:
                app.run(host=host, port=port, debug=True, use_reloader=False, threaded=True)
            elif args.server == "waitress":
                from waitress import serve as waitress_serve

                waitress_serve(wsgi_app, host=host, port=port, threads=args.threads)
            else:
                from ..serving import serve as cheroot_serve

                cheroot_serve(wsgi_app, host, port, args.threads, limits, None)
        except KeyboardInterrupt:
            pass
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES) or (
                exc.errno is None and "No socket could be created" in str(exc)
            ):
                print(f"cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
                return 1
            raise
    finally:
        if deliveries is not None:
            deliveries.stop()
        if job_worker is not None:
            from ..jobs.process import stop_job_worker

            stop_job_worker(job_worker)
        workspace.close()
    return 0


def check(args) -> int:
    from .workspace import Workspace

    workspace = Workspace.open(args.config)
    try:
        projects = workspace.projects()
        print(f"{args.config}: OK — {len(projects)} project(s): {', '.join(projects) or 'none'}")
        return 0
    finally:
        workspace.close()


def open_store(path: str):
    """The workspace's store, for `keys` (workspace.yaml is checked first)."""
    from ..private_files import make_private_dir
    from ..store import Store
    from .config import load_workspace_config

    config = load_workspace_config(path)
    make_private_dir(config.root / ".workspace")
    if config.database_url:
        from ..store.engine import create_schema
        from .config import WORKSPACE_SCHEMA

        create_schema(config.database_url, WORKSPACE_SCHEMA)
    return Store.open(config.store_url)


__all__ = ["check", "is_workspace", "open_store", "serve"]
