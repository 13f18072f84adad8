"""Tasks become items of a workspace project: one JSON line each in the project's data file
(so they survive restarts and re-imports like any item), imported at once. Tasks of a
staging batch are written only when the batch is finalized, so nobody is ever served them.
In-progress batches go ahead of the project's queue, highest priority first
(store/queue_front.py)."""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING, Any

from ...errors import BadAnnotation, BadRequest, Conflict
from ...schemes.service_tasks import schemes_for
from ...store import calibration
from ...store.batch_records import ScaleRecords, open_item_ids
from ...store.item_owners import reserve

if TYPE_CHECKING:
    from ...project import Project
    from ...workspace.workspace import Workspace


def records(workspace: Workspace) -> ScaleRecords:
    return workspace.cache("batch_records", lambda: ScaleRecords(workspace.store))


def _project_lock(workspace: Workspace, slug: str) -> threading.Lock:
    locks = workspace.cache("scale_locks", lambda: {"_": threading.Lock()})
    with locks["_"]:
        return locks.setdefault(slug, threading.Lock())


def answering_scheme(project: Project, task_type: str, params: dict[str, Any]):
    """The project's question that answers a task of this type: for categorization the
    first choice question offering every category (a multiple-choice one with
    allow_multiple), for textcollection a text question, for imageannotation an image
    annotation question. BadRequest when the project has none."""
    if task_type != "categorization":
        found = schemes_for(task_type, project.config.schemes)
        if not found:
            raise BadRequest(f"the project has no question that answers {task_type} tasks")
        return found[0]
    kind = "categorization_multiple" if params.get("allow_multiple") else task_type
    wanted = set(params["categories"])
    for scheme in schemes_for(kind, project.config.schemes):
        if wanted <= set(scheme.label_names):
            return scheme
    raise BadRequest(
        "the project has no "
        + ("multiple-choice " if params.get("allow_multiple") else "choice ")
        + "question offering every one of these categories: add them to its labels"
    )


def expected_response(project: Project, scheme, data: dict[str, Any]) -> Any:
    """A calibration task's answer (`expected_response`, as Scale's calibration tasks name
    it): what its question stores, e.g. one of the categories; 400 when missing or wrong."""
    value = data.get("expected_response")
    if value is None or value == "" or value == []:
        raise BadRequest(
            "a calibration batch's task needs expected_response: the answer its training "
            "question is checked against (e.g. one of the categories)"
        )
    if isinstance(value, dict) and "category" in value:
        value = value["category"]
    categories = data.get("categories")
    chosen = value if isinstance(value, list) else [value]
    if categories and not all(isinstance(c, str) and c in categories for c in chosen):
        raise BadRequest("expected_response must be among the task's categories")
    try:
        if not scheme.from_answer(value):
            raise BadAnnotation("the answer is empty")
    except BadAnnotation as err:
        raise BadRequest(f"expected_response: {err}") from None
    return value


def as_training(project: Project, tasks: list[dict]) -> None:
    """A calibration batch's tasks become training questions of the project (never items)."""
    questions = []
    for task in tasks:
        params = task["params"]
        scheme = project.config.scheme(params["scheme"])
        questions.append(
            {
                "id": task["task_id"],
                "text": params.get("attachment") or "",
                "expected": {scheme.name: scheme.from_answer(params["expected_response"])},
                "explanation": params.get("instruction") or None,
            }
        )
    calibration.add(project.store, questions)


def complete_calibration(workspace: Workspace, batch: str, tasks: list[dict]) -> None:
    """Calibration tasks are done once they are training questions: nobody annotates them
    as items (their response holds no annotations); the batch completes with them."""
    store = records(workspace)
    now = time.time()
    response = {"annotations": [], "calibration": True}
    with workspace.store.write() as conn:
        for task in tasks:
            store.complete_task(conn, task["task_id"], response, now)
        store.complete_batch(conn, batch, now)
    store.mark_in_project([t["task_id"] for t in tasks])


def item_row(project: Project, task: dict[str, Any]) -> dict[str, Any]:
    """The item a task becomes: the attachment as the item's text, the rest as fields."""
    props = project.config.item_properties
    params = task["params"]
    row = {
        "scale_task_type": task["type"],
        "scale_batch": task["batch"],
        "instruction": params.get("instruction") or "",
        "attachment_type": params.get("attachment_type"),
        "metadata": params.get("metadata") or {},
    }
    for key in ("categories", "category_ontology", "allow_multiple", "fields", "geometries"):
        if key in params:
            row[key] = params[key]
    if "categories" in params:
        scheme = answering_scheme(project, task["type"], params)
        if getattr(scheme, "dynamic_field", None):  # the item offers just these categories
            row[scheme.dynamic_field] = params["categories"]
    row[props.id_key] = task["task_id"]
    row[props.text_key] = params.get("attachment") or ""
    return row


def data_file(project: Project):
    """The project's data file tasks are appended to (its first JSON lines file)."""
    for path in project.config.current_data_files():
        if path.suffix.lower() == ".jsonl":
            return path
    raise Conflict(
        "this project's items do not come from a JSON lines data file: tasks cannot be added"
    )


def owner_accounts(workspace: Workspace, key_id: str | None) -> list[str]:
    """The accounts of the workspace.yaml `api_keys` entry whose stored key has this id
    (its `accounts` list; empty for keys made through the API or without the list)."""
    if key_id is None:
        return []
    for entry in workspace.config.api_keys:
        if entry.accounts and workspace.store.api_keys.id_of(entry.key) == key_id:
            return list(entry.accounts)
    return []


def materialise(
    workspace: Workspace,
    slug: str,
    project: Project,
    tasks: list[dict],
    batch: dict[str, Any] | None = None,
) -> None:
    """Write these tasks' items into the project and import them now. The items of a
    self-label batch are reserved first (before any annotator can be served them) for the
    accounts of the key that created the batch: to nobody when it has none now."""
    if not tasks:
        return
    if batch is not None and batch["calibration"]:
        as_training(project, tasks)
        complete_calibration(workspace, batch["name"], tasks)
        return
    path = data_file(project)
    if batch is not None and batch["self_label"]:
        accounts = owner_accounts(workspace, batch["owner_key"])
        reserve(project.store, [t["task_id"] for t in tasks], accounts)
    with _project_lock(workspace, slug):
        with path.open("a", encoding="utf-8") as fh:
            for task in tasks:
                fh.write(json.dumps(item_row(project, task), ensure_ascii=False) + "\n")
        project.import_data()
    records(workspace).mark_in_project([t["task_id"] for t in tasks])
    order_queue(workspace, slug, project)


def order_queue(workspace: Workspace, slug: str, project: Project) -> list[str]:
    """Put the open items of the project's in-progress batches ahead of its queue, highest
    priority first (then oldest batch, then task order). Returns that order."""
    store = records(workspace)
    wanted: list[str] = []
    for batch in store.running_batches(slug):
        wanted += [t["task_id"] for t in store.tasks(batch=batch["name"], in_project=1)]
    ordered = open_item_ids(project.store, wanted)
    if ordered:
        project.store.queue_front.move_to_front(ordered)
    return ordered
