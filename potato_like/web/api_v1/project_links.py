"""Datasets and projects (docs/api-v1.md, "Datasets and projects"):

- `POST /api/v1/datasets/{id}/attach {project, field?}`: every ready audio file of the
  dataset becomes an item of the project (item id = audio id), served to its annotators
  at once (dataset_items.py); attaching again adds only the files not attached yet.
- `POST /api/v1/inference-jobs/{id}/push {project, schema?, min_confidence?}`: a completed
  job's detections become the pre-annotations of those items (the project's
  `pre_annotation` field), which pre-fill the annotators' forms for them to verify.

The other direction, a project's human annotations into an annotation set, is
`from_project` on `POST /api/v1/annotation-sets` (project_sources.py).
"""

from __future__ import annotations

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field

from ... import dataset_items
from ...errors import BadAnnotation, Conflict
from ...service_files import audio_path
from . import bp
from .audio import AUDIO_TYPES
from .audio_jobs import find_job
from .common import Invalid, body, require_scope, service
from .datasets import find_dataset
from .openapi import describe
from .project_sources import timeline_scheme, writable

FIELD_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"


class Attach(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project: str = Field(min_length=1, max_length=63, description="the project's slug")
    field: str | None = Field(
        default=None,
        pattern=FIELD_PATTERN,
        description="the item field that gets the audio's path; default: the `source_field` "
        "of the project's time-segment question, else the item text (`text_key`)",
    )


class AttachOut(BaseModel):
    dataset_id: str
    project: str
    field: str
    items_added: int = Field(description="audio files that became items now")
    items_total: int = Field(description="items of the project made from this dataset")
    pending: int = Field(description="files not confirmed yet: attach again once they are")


class Push(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project: str = Field(min_length=1, max_length=63, description="the project's slug")
    schema_name: str | None = Field(
        default=None,
        alias="schema",
        max_length=200,
        description="the project's time-segment question (default: its only one)",
    )
    min_confidence: float = Field(default=0.0, ge=0, le=1)


class PushOut(BaseModel):
    job_id: str
    project: str
    schema_name: str = Field(alias="schema")
    items_updated: int
    detections: int = Field(description="detections that became pre-annotated segments")
    not_in_project: list[str] = Field(description="audio ids that are no item of the project")
    skipped: int = Field(
        description="detections below min_confidence or with a label the question does not have"
    )


@bp.post("/datasets/<dataset_id>/attach")
@require_scope("write")
@describe(
    "Make the dataset's ready audio files items of a project (again: only new files)",
    scope="write",
    body=Attach,
    responses={200: AttachOut},
)
def attach_dataset(dataset_id: str):
    dataset = find_dataset(dataset_id)
    wanted = body(Attach)
    project = writable(wanted.project)
    props = project.config.item_properties
    field = wanted.field or _default_field(project)
    if field == props.id_key:
        raise Invalid(
            [{"loc": ["body", "field"], "msg": "is the items' id field", "type": "value_error"}]
        )
    store = service().store.audio
    ready = store.dataset_audio(dataset["id"])
    pending = len(store.dataset_audio(dataset["id"], status="pending"))
    placed = {}
    for audio in ready:  # outside the lock: linking or copying files takes a while
        name = f"{audio['id']}.{AUDIO_TYPES.get(audio['content_type'], 'wav')}"
        source = audio_path(service().files_dir, audio["id"])
        placed[audio["id"]] = dataset_items.place_audio(project.config, source, dataset["id"], name)
    counts = {"added": 0, "total": 0}

    def add(rows):
        have = {str(r.get(props.id_key)) for r in rows}
        new = [
            {
                props.id_key: a["id"],
                props.text_key: a["filename"],
                "filename": a["filename"],
                "dataset_id": dataset["id"],
                "duration_seconds": a["duration_seconds"],
                field: placed[a["id"]],
            }
            for a in ready
            if a["id"] not in have
        ]
        counts["added"] = len(new)
        counts["total"] = sum(1 for r in [*rows, *new] if r.get("dataset_id") == dataset["id"])
        return [*rows, *new] if new else None

    dataset_items.change_rows(project, add)
    return jsonify(
        AttachOut(
            dataset_id=dataset["id"],
            project=wanted.project,
            field=field,
            items_added=counts["added"],
            items_total=counts["total"],
            pending=pending,
        ).model_dump()
    )


def _default_field(project) -> str:
    for scheme in project.config.schemes:
        if hasattr(scheme, "timeline_tiers") and getattr(scheme, "source_field", ""):
            return scheme.source_field
    return project.config.item_properties.text_key


@bp.post("/inference-jobs/<job_id>/push")
@require_scope("write")
@describe(
    "Put a completed inference job's detections into a project as pre-annotations",
    scope="write",
    body=Push,
    responses={200: PushOut},
)
def push_detections(job_id: str):
    job = find_job(job_id, "inference")
    wanted = body(Push)
    project = writable(wanted.project)
    if job.status != "completed":
        raise Conflict(f"the job is {job.status}: only a completed job's detections can be pushed")
    pre = project.config.study.pre_annotation
    if not pre.enabled:
        raise Conflict(
            f"project {wanted.project!r} does not show pre-annotations: set "
            "`pre_annotation: {enabled: true}` in its config.yaml"
        )
    scheme = timeline_scheme(project, wanted.schema_name, ["body", "schema"])
    labels = set(scheme.label_names)
    id_key = project.config.item_properties.id_key
    results = {r["audio_id"]: r["detections"] for r in (job.result or {}).get("results") or []}
    report = {"items": 0, "detections": 0, "skipped": 0, "missing": []}

    def predict(rows):
        by_id = {str(r.get(id_key)): r for r in rows}
        report["missing"] = [a for a in results if a not in by_id]
        changed = False
        for audio_id, detections in results.items():
            row = by_id.get(audio_id)
            if row is None:
                continue
            kept = [
                d
                for d in detections
                if d["confidence"] >= wanted.min_confidence and d["label"] in labels
            ]
            report["skipped"] += len(detections) - len(kept)
            segments = [
                {
                    "id": f"model_{i + 1}",
                    "start_time": round(d["start_seconds"], 4),
                    "end_time": round(d["end_seconds"], 4),
                    "label": d["label"],
                }
                for i, d in enumerate(sorted(kept, key=lambda d: d["start_seconds"]))
            ]
            answer = {"segments": segments}
            try:
                scheme.from_answer(answer)
            except BadAnnotation:  # e.g. past a limit of the question: leave the item alone
                report["skipped"] += len(segments)
                continue
            old = row.get(pre.field) if isinstance(row.get(pre.field), dict) else {}
            new = {**old, scheme.name: answer}
            if kept:
                new["confidence"] = round(min(d["confidence"] for d in kept), 4)
            else:
                new.pop("confidence", None)
            report["items"] += 1
            report["detections"] += len(segments)
            if new != row.get(pre.field):
                row[pre.field] = new
                changed = True
        return rows if changed else None

    dataset_items.change_rows(project, predict)
    return jsonify(
        PushOut.model_validate(
            {
                "job_id": job.id,
                "project": wanted.project,
                "schema": scheme.name,
                "items_updated": report["items"],
                "detections": report["detections"],
                "not_in_project": report["missing"],
                "skipped": report["skipped"],
            }
        ).model_dump(by_alias=True)
    )
