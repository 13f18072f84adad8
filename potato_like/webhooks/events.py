"""Potato's webhook events (`webhooks:` in a project config), queued in the project's
outbox. Payloads have Potato's shape: `{"event", "timestamp", "data": {...}}`.

Every function here returns at once when no active endpoint wants the event, so a project
without webhooks pays one attribute check per hook. With `conn`, the rows are written in the
caller's transaction (the save, the check's answer), so the event exists exactly when the
change it reports was committed."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import Connection

from . import outbox

ANNOTATION_CREATED = "annotation.created"
ANNOTATION_UPDATED = "annotation.updated"
ITEM_FULLY_ANNOTATED = "item.fully_annotated"
TASK_COMPLETED = "task.completed"
USER_PHASE_COMPLETED = "user.phase_completed"
ATTENTION_CHECK_FAILED = "quality.attention_check_failed"
TEST = "webhook.test"
TASK_COMPLETED_META = "webhooks.task_completed."  # + user id: sent once per user


def settings_for(config, secret: str | None = None) -> outbox.DeliverySettings:
    """How a project's deliveries go out: its media.allow_fetch_hosts, the longest endpoint
    timeout, each endpoint's own secret by name; `secret` (a workspace's) instead of the
    project store's own for endpoints without one."""
    hooks = config.webhooks
    return outbox.DeliverySettings(
        allow_hosts=config.media.allow_fetch_hosts,
        timeout=hooks.timeout if hooks is not None else 10.0,
        secret=secret,
        named_secrets={e.name: e.secret for e in hooks.endpoints if e.secret} if hooks else {},
    )


def wanted(project, event: str) -> bool:
    hooks = project.config.webhooks
    return hooks is not None and hooks.wants(event)


def payload(event: str, data: dict[str, Any]) -> dict[str, Any]:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {"event": event, "timestamp": stamp, "data": data}


def emit(project, event: str, data: dict[str, Any], conn: Connection | None = None) -> int:
    """Queue `event` for every active endpoint that subscribed to it; how many."""
    hooks = project.config.webhooks
    if hooks is None:
        return 0
    endpoints = hooks.for_event(event)
    body = payload(event, data)
    for endpoint in endpoints:
        outbox.enqueue(
            project.store,
            url=endpoint.url,
            event=event,
            payload=body,
            conn=conn,
            secret_ref=endpoint.name if endpoint.secret else None,
        )
    return len(endpoints)


def save_hook(project, username: str, item_id: str):
    """The `in_transaction` callback of one annotation save (store.annotations.apply), or
    None when no endpoint wants a save event: annotation.created / annotation.updated when
    the save changed something, item.fully_annotated when it made the item reach its
    number of annotators (num_annotators_per_item, else 1)."""
    hooks = project.config.webhooks
    if hooks is None or not (
        hooks.wants(ANNOTATION_CREATED)
        or hooks.wants(ANNOTATION_UPDATED)
        or hooks.wants(ITEM_FULLY_ANNOTATED)
    ):
        return None
    required = project.policy.overlap or 1

    def in_transaction(conn: Connection, facts: dict[str, Any]) -> None:
        if facts["changes"]:
            event = ANNOTATION_CREATED if facts["created"] else ANNOTATION_UPDATED
            if hooks.wants(event):
                data = {
                    "user_id": username,
                    "instance_id": item_id,
                    "annotations": facts["saved"],
                    "schema_name": None,
                }
                emit(project, event, data, conn)
        if (
            facts["completed"]
            and facts["finished_by"] == required
            and hooks.wants(ITEM_FULLY_ANNOTATED)
        ):
            data = {
                "instance_id": item_id,
                "annotator_count": facts["finished_by"],
                "required_count": required,
            }
            emit(project, ITEM_FULLY_ANNOTATED, data, conn)

    return in_transaction


def user_finished(project, user_id: int, username: str, total_annotations: int) -> None:
    """task.completed, once per user: the user has no item left to annotate."""
    if not wanted(project, TASK_COMPLETED):
        return
    store = project.store
    key = TASK_COMPLETED_META + str(user_id)
    if store.get_meta(key) is not None:
        return
    with store.write() as conn:
        if store.get_meta(key, conn) is not None:
            return
        store.set_meta(conn, key, "1")
        data = {"user_id": username, "total_annotations": total_annotations}
        emit(project, TASK_COMPLETED, data, conn)


def phase_completed(project, username: str, phase: str, next_phase: str | None) -> None:
    if wanted(project, USER_PHASE_COMPLETED):
        data = {"user_id": username, "completed_phase": phase, "next_phase": next_phase}
        emit(project, USER_PHASE_COMPLETED, data)


def attention_failed(
    project, conn: Connection, username: str, item_id: str, message: str | None, blocked: bool
) -> None:
    if wanted(project, ATTENTION_CHECK_FAILED):
        data = {"user_id": username, "instance_id": item_id, "message": message,
                "blocked": blocked}  # fmt: skip
        emit(project, ATTENTION_CHECK_FAILED, data, conn)
