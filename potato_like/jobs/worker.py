"""The job worker: claims queued jobs from the durable table and runs them, one at a time.

`python -m potato_like.jobs.worker CONFIG` is the process `run.py` starts next to the server
(the only process, or the leader of `--workers N`; `--job-workers 0` starts none). It puts
jobs whose lease expired (their worker died) back in the queue at its start and every few
seconds, renews the lease of the job it runs from a heartbeat thread, stops a job that was
cancelled at the job's next progress report, and on SIGTERM gives its running job back to
the queue. It stops when the server that started it is gone."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import time
import traceback
import uuid
from pathlib import Path

from ..store.jobs import Job
from .registry import Cancelled, JobFailed, handlers

log = logging.getLogger("potato_like.jobs")

LEASE_SECONDS = 30.0
POLL_SECONDS = 0.5
REQUEUE_EVERY_SECONDS = 5.0


class Context:
    """What a running job may ask of its worker: report progress, learn it must stop."""

    def __init__(self, worker: Worker, job: Job) -> None:
        self.worker = worker
        self.job = job
        self.stop = threading.Event()

    @property
    def files_dir(self):
        return self.worker.service.files_dir

    def progress(self, fraction: float) -> None:
        if not self.worker.store.jobs.heartbeat(
            self.job.id, self.worker.name, self.worker.lease_seconds, fraction
        ):
            self.stop.set()
        if self.stop.is_set():
            raise Cancelled(self.job.id)


class Worker:
    def __init__(self, service, name: str | None = None, lease_seconds: float = LEASE_SECONDS):
        self.service = service
        self.store = service.store
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease_seconds = lease_seconds
        self.handlers = handlers()
        self._requeued_at = 0.0

    def requeue_expired(self) -> int:
        self._requeued_at = time.monotonic()
        count = self.store.jobs.requeue_expired()
        if count:
            log.info("%d job(s) whose worker stopped went back to the queue", count)
        return count

    def run_once(self) -> Job | None:
        """Claim and run one job; the job as it ended, or None when none was queued."""
        if time.monotonic() - self._requeued_at > REQUEUE_EVERY_SECONDS:
            self.requeue_expired()
        job = self.store.jobs.claim(self.name, self.lease_seconds, tuple(self.handlers))
        if job is None:
            return None
        ctx = Context(self, job)
        beating = threading.Event()

        def beat() -> None:
            while not beating.wait(self.lease_seconds / 3):
                try:
                    if not self.store.jobs.heartbeat(job.id, self.name, self.lease_seconds):
                        ctx.stop.set()
                except Exception:  # a failed beat is retried; the lease has slack
                    log.exception("heartbeat of job %s", job.id)

        thread = threading.Thread(target=beat, name=f"job-heartbeat-{job.id}", daemon=True)
        thread.start()
        try:
            ctx.progress(0.0)
            result = self.handlers[job.kind](self.service, job, ctx)
        except Cancelled:
            self.store.jobs.finish(job.id, self.name, "cancelled")
        except JobFailed as exc:
            self.store.jobs.finish(job.id, self.name, "failed", error=str(exc))
        except Exception as exc:  # the job failed; the worker goes on
            log.exception("job %s (%s) failed", job.id, job.kind)
            self.store.jobs.finish(
                job.id, self.name, "failed", error=f"{type(exc).__name__}: {exc}"
            )
        else:
            self.store.jobs.finish(job.id, self.name, "completed", result=result)
        finally:
            beating.set()
            thread.join(timeout=5)
        return self.store.jobs.get(job.id)

    def run(self, stop: threading.Event, poll_seconds: float = POLL_SECONDS) -> None:
        self.requeue_expired()
        try:
            while not stop.is_set():
                try:
                    ran = self.run_once()
                except Exception:  # the database was briefly unavailable: try again
                    log.exception("job worker")
                    ran = None
                if ran is None:
                    stop.wait(poll_seconds)
        finally:
            self.store.jobs.release(self.name)


def open_service(config_path: str):
    """What the jobs work on, opened as the server opened it: the Project of a config file,
    or the Workspace of a directory (`run.py DIR`)."""
    if Path(config_path).is_dir():
        from ..workspace.workspace import Workspace

        return Workspace.open(config_path)
    from ..config import load_config
    from ..project import Project

    project = Project.open(load_config(config_path))
    project.output.records_flushes = False  # the server records its own flushes
    return project


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m potato_like.jobs.worker")
    parser.add_argument("config", help="the server's config file")
    parser.add_argument("--parent", type=int, default=None, help="stop when this pid is gone")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="job worker: %(message)s")
    # Background work yields the CPU to the server's requests (and to its start).
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    service = open_service(args.config)

    def watch_parent() -> None:
        while not stop.wait(0.5):
            if args.parent is not None and os.getppid() != args.parent:
                stop.set()

    threading.Thread(target=watch_parent, name="job-worker-parent", daemon=True).start()
    try:
        Worker(service).run(stop)
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        service.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
