"""The reconciler: a short pass that reads which tasks' items are finished in their projects,
marks those tasks (and batches with nothing left pending) completed in the workspace store
and, in the same transaction, queues their callbacks in the outbox. Idempotent (each update
is conditional on the old status), so concurrent passes queue each callback once. The server
runs it on the workspace's delivery thread (`register`); tests call `reconcile()`."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from ...store.batch_records import answers_of, finished_items
from .tasks import records

if TYPE_CHECKING:
    from ...workspace.workspace import Workspace

log = logging.getLogger("potato_like")


def task_json(task: dict[str, Any]) -> dict[str, Any]:
    from .views import task_out

    return task_out(task)


def task_response(task: dict[str, Any], answers: list[dict[str, Any]]) -> dict[str, Any]:
    """Every annotator's answers, and for a categorization task the first annotator's
    `category` (one of the task's categories, a list with allow_multiple; None when they
    chose none of them)."""
    response: dict[str, Any] = {"annotations": answers}
    params = task["params"]
    scheme = params.get("scheme")
    if scheme is not None and "categories" in params:
        chosen: list[str] = []
        for answer in answers:
            if answer["scheme"] == scheme and isinstance(answer["value"], dict):
                picked = [k for k, v in answer["value"].items() if v]
                chosen = [c for c in params.get("categories", []) if c in picked]
                break
        if params.get("allow_multiple"):
            response["category"] = chosen
        else:
            response["category"] = chosen[0] if chosen else None
    return response


def reconcile(workspace: Workspace, now: float | None = None) -> dict[str, int]:
    """One pass; {"tasks": completed now, "batches": completed now}."""
    now = time.time() if now is None else now
    store = records(workspace)
    done = {"tasks": 0, "batches": 0}
    projects = workspace.projects()
    touched: set[str] = set()
    for slug, project in projects.items():
        pending = store.tasks(project=slug, status="pending", in_project=1)
        if not pending:
            continue
        finished = finished_items(project.store, [t["task_id"] for t in pending])
        for task in pending:
            if task["task_id"] not in finished:
                continue
            response = task_response(task, answers_of(project.store, task["task_id"]))
            with workspace.store.write() as conn:
                if not store.complete_task(conn, task["task_id"], response, now):
                    continue
                url = task["params"].get("callback_url")
                if url:
                    finished_task = {**task, "status": "completed", "response": response}
                    finished_task["completed_at"] = now
                    _enqueue(
                        workspace.store,
                        url=url,
                        event="task.completed",
                        payload={
                            "task_id": task["task_id"],
                            "response": response,
                            "task": task_json(finished_task),
                        },
                        conn=conn,
                        now=now,
                    )
            done["tasks"] += 1
            if task["batch"]:
                touched.add(task["batch"])
    for name in sorted(touched):
        batch = store.batch(name)
        if batch is None:
            continue
        with workspace.store.write() as conn:
            if not store.complete_batch(conn, name, now):
                continue
            if batch["callback"]:
                pending, completed = store.counts(name)
                _enqueue(
                    workspace.store,
                    url=batch["callback"],
                    event="batch.completed",
                    payload={
                        "batch": name,
                        "project": batch["project_name"],
                        "status": "completed",
                        "tasks_pending": 0,
                        "tasks_completed": completed + pending,
                    },
                    conn=conn,
                    now=now,
                )
        done["batches"] += 1
    return done


def _enqueue(store, **kwargs) -> str:
    from ...webhooks import outbox  # the shared outbox (potato_like/webhooks/)

    return outbox.enqueue(store, **kwargs)


def register(workspace: Workspace) -> None:
    """Run the pass on the workspace's background thread (`Workspace.periodic`, run before
    each webhook delivery round by `run.py DIR`), once however many root apps are made."""

    def register_once() -> bool:
        workspace.periodic.append(lambda: reconcile(workspace))
        return True

    workspace.cache("scale_reconcile_registered", register_once)
