"""The generic crowd provider: a worker arrives with an id in the URL and leaves with a code
and/or a redirect back to the platform. Named platforms (prolific.py, mturk.py, panels.py)
are small subclasses that read a few more parameters or build their own return."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..config.crowd_model import LABELS, CrowdConfig
from ..errors import BadRequest, Forbidden

# Why a worker reached the end.
COMPLETED = "completed"
SCREENED_OUT = "screened_out"  # a gated consent/prestudy answer
FAILED_TRAINING = "failed_training"
BLOCKED = "blocked"  # attention checks / gold standards
TIMED_OUT = "timed_out"  # the time limit ran out before annotation
NOT_COMPLETED = "not_completed"  # nothing left, but too few items answered (skipped)
OUTCOMES = (COMPLETED, SCREENED_OUT, FAILED_TRAINING, BLOCKED, TIMED_OUT, NOT_COMPLETED)

_ID = re.compile(r"^[^\s/\\\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]{0,99}$")
MAX_PARAM = 200


@dataclass(frozen=True)
class Identity:
    """Who arrived, with the platform's ids for reporting back."""

    worker_id: str
    study_id: str | None = None
    session_id: str | None = None
    submit_to: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CompletionAction:
    """What the end page shows and does for one worker."""

    outcome: str
    platform: str
    platform_label: str
    code: str | None = None
    redirect_url: str | None = None
    form_action: str | None = None  # MTurk: POST these fields to the platform
    form_fields: tuple[tuple[str, str], ...] = ()
    auto: bool = False  # redirect / submit by itself after delay_ms
    delay_ms: int = 5000
    message: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "platform": self.platform,
            "code": self.code,
            "redirect_url": self.redirect_url,
            "form_action": self.form_action,
            "form_fields": dict(self.form_fields),
            "auto": self.auto,
            "delay_ms": self.delay_ms,
            "message": self.message,
        }


class ArrivalProblem(BadRequest):
    """The platform's link is missing or has a bad parameter (shown as a page, not JSON)."""


class NotInvited(Forbidden):
    pass


class Provider:
    name = "generic"

    def __init__(self, cfg: CrowdConfig) -> None:
        self.cfg = cfg

    @property
    def label(self) -> str:
        if self.cfg.provider == "url_direct":  # recognised per arrival: name the platform
            return LABELS[self.name]
        return self.cfg.platform_label

    # -- arrival ---------------------------------------------------------------------------
    def is_preview(self, args) -> bool:
        return False

    def identity(self, args) -> Identity:
        param = self.cfg.id_param
        raw = (args.get(param) or "").strip()
        if not raw:
            raise ArrivalProblem(
                f"This link is missing its {param} parameter. Please open the study again "
                f"from {self.label}."
            )
        worker = raw
        if self.cfg.invites:
            worker = self.cfg.invite_name(raw)
            if worker is None:
                raise NotInvited(
                    "This invitation link is not valid. Please check the link you were sent."
                )
        if not _ID.match(worker) or worker in (".", ".."):
            raise ArrivalProblem(
                f"The {param} in this link is not a valid id (1-100 characters without "
                "slashes or control characters)."
            )
        extra = {p: param_value(args, p) for p in self.cfg.capture_params if args.get(p)}
        return Identity(worker_id=worker, extra=extra)

    # -- the end ---------------------------------------------------------------------------
    def code_for(self, identity: Identity, outcome: str) -> str | None:
        """Each outcome has its own code; none falls back to the completion code."""
        c = self.cfg.completion
        if outcome == COMPLETED:
            return c.code
        if outcome in (SCREENED_OUT, FAILED_TRAINING):
            return c.screened_out_code or c.failed_code
        if outcome == NOT_COMPLETED:
            return c.incomplete_code
        return c.failed_code

    def redirect_url(self, identity: Identity, outcome: str, code: str | None) -> str | None:
        template = self.cfg.completion.redirect_url
        if template is None or (outcome != COMPLETED and code is None):
            return None
        return fill(template, identity, code)

    def message(self, outcome: str) -> str | None:
        return self.cfg.completion.message if outcome == COMPLETED else None

    def action(self, identity: Identity, outcome: str) -> CompletionAction:
        code = self.code_for(identity, outcome)
        url = self.redirect_url(identity, outcome, code)
        return CompletionAction(
            outcome=outcome,
            platform=self.name,
            platform_label=self.label,
            code=code,
            redirect_url=url,
            auto=bool(url) and self.cfg.completion.auto_redirect and outcome == COMPLETED,
            delay_ms=self.cfg.completion.auto_redirect_delay_ms,
            message=self.message(outcome),
        )


def param_value(args, name: str) -> str | None:
    """A platform parameter, stripped; ArrivalProblem when it is absurdly long."""
    value = (args.get(name) or "").strip()
    if len(value) > MAX_PARAM:
        raise ArrivalProblem(f"The {name} parameter of this link is too long.")
    return value or None


def fill(template: str, identity: Identity, code: str | None) -> str:
    """Substitute {code}, {worker_id}, {session_id}, {study_id} and captured parameters,
    each URL-encoded (a worker id cannot change the URL's shape)."""
    values = {
        **identity.extra,
        "code": code or "",
        "worker_id": identity.worker_id,
        "session_id": identity.session_id or "",
        "study_id": identity.study_id or "",
    }
    return template.format_map(_Blank({k: quote(str(v), safe="") for k, v in values.items()}))


class _Blank(dict):
    """A captured parameter the link did not carry becomes empty."""

    def __missing__(self, key: str) -> str:
        return ""
