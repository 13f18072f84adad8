"""Crowd recruitment: a registry of platform providers (one generic mechanism; Prolific,
MTurk and the other panels are thin specialisations) and the glue between a worker's study
outcome and what they are given at the end."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..config.crowd_model import CrowdConfig
from ..study.flow import ACTIVE, BLOCKED, COMPLETED, FAILED, INCOMPLETE
from . import base
from .base import CompletionAction, Identity, Provider
from .mturk import MTurk
from .panels import Clickworker, Connect, Expert, Generic, Microworkers, Sona
from .prolific import Prolific

if TYPE_CHECKING:
    from ..project import Project
    from ..store.study import FlowState

TIME_LIMIT = "time_limit"  # users.status_reason when the time ran out before annotation

PROVIDER_CLASSES: dict[str, type[Provider]] = {
    cls.name: cls
    for cls in (Prolific, MTurk, Generic, Connect, Sona, Microworkers, Clickworker, Expert)
}


def arrival_provider(cfg: CrowdConfig, args) -> Provider:
    """The provider that reads this arrival. Without a configured provider (Potato's plain
    url_direct) the parameters tell: MTurk's assignmentId, Prolific's ids, or neither."""
    if cfg.provider != "url_direct":
        return PROVIDER_CLASSES[cfg.provider](cfg)
    if "assignmentId" in args:
        return MTurk(cfg)
    if cfg.id_param == "PROLIFIC_PID" or "STUDY_ID" in args or "SESSION_ID" in args:
        return Prolific(cfg)
    return Generic(cfg)


def session_provider(cfg: CrowdConfig, platform: str | None) -> Provider:
    if cfg.provider != "url_direct":
        return PROVIDER_CLASSES[cfg.provider](cfg)
    return PROVIDER_CLASSES.get(platform or "generic", Generic)(cfg)


def outcome_of(state: FlowState | None) -> str | None:
    """The crowd outcome of a study status (None while the worker is still active)."""
    if state is None:
        return None
    if state.status == COMPLETED:
        return base.COMPLETED
    if state.status == BLOCKED:
        return base.BLOCKED
    if state.status == FAILED:
        return {
            "training": base.FAILED_TRAINING,
            TIME_LIMIT: base.TIMED_OUT,
            INCOMPLETE: base.NOT_COMPLETED,
        }.get(state.reason, base.SCREENED_OUT)
    return None


def completion_for(project: Project, user_id: int, outcome: str | None) -> CompletionAction | None:
    """What a worker who reached the end gets; the code issued is recorded once."""
    cfg = project.config.crowd
    if cfg is None or outcome is None:
        return None
    session = project.store.crowd.get(user_id)
    if session is not None:
        identity = Identity(
            worker_id=session.worker_id,
            study_id=session.study_id,
            session_id=session.session_id,
            submit_to=session.submit_to,
            extra=session.params,
        )
        provider = session_provider(cfg, session.platform)
    else:  # logged in another way (a tester, a password account): show the code only
        row = project.store.users.get(user_id)
        identity = Identity(worker_id=row.username if row else str(user_id))
        provider = session_provider(cfg, None)
    action = provider.action(identity, outcome)
    if session is not None:
        project.store.crowd.record_end(user_id, outcome, action.code)
    return action


def time_is_up(project: Project, user_id: int) -> bool:
    cfg = project.config.crowd
    if cfg is None or cfg.time_limit_seconds is None:
        return False
    deadline = project.store.crowd.deadline(user_id)
    return deadline is not None and time.time() >= deadline


def end_for_time(project: Project, user_id: int) -> None:
    """The worker's time is up. Before annotation the study ends for them (time_limit);
    during annotation it moves on to what follows (post-study questions or the end), so the
    work done counts; after annotation they may finish."""
    flow = project.flow
    state = flow.state(user_id)
    if state.status != ACTIVE:
        return
    study = project.config.study
    here = study.phase_index(state.phase)
    annotation = study.phase_index(study.annotation_phase)
    if here < annotation:
        project.store.study.set_phase(
            user_id, state.phase, status=FAILED, reason=TIME_LIMIT, expect_phase=state.phase
        )
    elif here == annotation:
        flow.finish_annotation(user_id)


__all__ = [
    "PROVIDER_CLASSES",
    "TIME_LIMIT",
    "CompletionAction",
    "Identity",
    "Provider",
    "arrival_provider",
    "completion_for",
    "end_for_time",
    "outcome_of",
    "session_provider",
    "time_is_up",
]
