"""What the dataset <-> project mapping shares: finding the project a request names (404 for
an unknown one or one the API key may not use), its timeline question (a scheme answered
with labelled time segments), and reading a project's human annotations of a dataset's audio
into annotation-set rows (`from_project`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from ...errors import Conflict, NotFound
from .common import Invalid, may_use_project, service

if TYPE_CHECKING:
    from ...project import Project
    from ...schemes.base import Scheme

LABEL = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")  # what an annotation set's labels may be
END_TOLERANCE_SECONDS = 0.01


class FromProject(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project: str = Field(min_length=1, max_length=63, description="the project's slug")
    schema_name: str | None = Field(
        default=None,
        alias="schema",
        max_length=200,
        description="the project's time-segment question (default: its only one)",
    )


class FromProjectOut(BaseModel):
    project: str
    schema_name: str = Field(alias="schema")
    added: int = Field(description="annotations copied into the set")
    skipped: int = Field(
        description="segments left out: no label, a label a set cannot hold, past the end"
    )


def find_project(slug: str) -> Project:
    """The running project `slug`; 404 when unknown or outside the API key's project."""
    found = service().projects().get(slug) if may_use_project(slug) else None
    if found is None:
        raise NotFound(f"no project {slug!r}")
    return found


def project_status(slug: str) -> str:
    """active | paused | archived (a single-project server's project is always active)."""
    status = getattr(service(), "status", None)
    return status(slug) if callable(status) else "active"


def writable(slug: str) -> Project:
    project = find_project(slug)
    if project_status(slug) == "archived":
        raise Conflict(f"project {slug!r} is archived (read-only): reactivate it first")
    return project


def timeline_scheme(project: Project, name: str | None, loc: list[str]) -> Scheme:
    """The project's question answered with time segments: `name`, or its only one."""
    # A question takes part when it offers `timeline_tiers` (as for the interval exports).
    timed = [s for s in project.config.schemes if hasattr(s, "timeline_tiers")]
    if name is not None:
        found = [s for s in timed if s.name == name]
        msg = f"the project has no time-segment question {name!r}"
    else:
        found = timed if len(timed) == 1 else []
        msg = (
            "the project has no time-segment question"
            if not timed
            else f"name one of the project's time-segment questions: {[s.name for s in timed]}"
        )
    if not found:
        known = [s.name for s in timed]
        raise Invalid([{"loc": loc, "msg": f"{msg} (known: {known})", "type": "value_error"}])
    return found[0]


def notes_from_project(
    dataset_id: str, wanted: FromProject
) -> tuple[list[tuple[str, float, float, str]], dict]:
    """(audio_id, start, end, label) of every human-annotated segment of the dataset's ready
    audio in the project (items are keyed by audio id: see POST /datasets/{id}/attach), each
    distinct segment once; and the report for the answer."""
    project = find_project(wanted.project)
    scheme = timeline_scheme(project, wanted.schema_name, ["body", "from_project", "schema"])
    durations = {
        a["id"]: a["duration_seconds"] for a in service().store.audio.dataset_audio(dataset_id)
    }
    seen: set[tuple[str, float, float, str]] = set()
    notes, skipped = [], 0
    for annotated in project.store.annotations.iter_annotated():
        duration = durations.get(annotated.item_id)
        label_map = annotated.label_maps.get(scheme.name)
        if duration is None or not label_map:
            continue
        for tier in scheme.timeline_tiers(label_map).values():
            for start, end, label in tier:
                key = (annotated.item_id, float(start), float(end), label)
                if key in seen:
                    continue
                seen.add(key)
                if not LABEL.match(label or "") or end > duration + END_TOLERANCE_SECONDS:
                    skipped += 1
                    continue
                notes.append(key)
    report = FromProjectOut.model_validate(
        {"project": wanted.project, "schema": scheme.name, "added": len(notes), "skipped": skipped}
    ).model_dump(by_alias=True)
    return notes, report
