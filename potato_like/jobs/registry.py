"""Job kinds: name -> handler. A handler runs one job in the worker process:
`handler(service, job, ctx) -> result` (JSON-able), where `service` is what /api/v1 works
on (`.store`, `.files_dir`, `.projects()`), and `ctx.progress(fraction)` renews the job's
lease, records progress and raises `Cancelled` when the job was cancelled or its lease lost.
Kinds register themselves with `@kind("name")` in a module listed in KIND_MODULES."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

KIND_MODULES = ("potato_like.jobs.audio_kinds", "potato_like.jobs.export_kind")
_KINDS: dict[str, Callable[..., Any]] = {}


class Cancelled(Exception):
    """The job was cancelled (or another worker took it over): stop without a result."""


class JobFailed(Exception):
    """The job cannot be done; the message is the job's `error`, shown to the client."""


def kind(name: str) -> Callable:
    def register(handler: Callable) -> Callable:
        _KINDS[name] = handler
        return handler

    return register


def handlers() -> dict[str, Callable[..., Any]]:
    for module in KIND_MODULES:
        importlib.import_module(module)
    return dict(_KINDS)


KINDS = ("training", "inference", "export")
