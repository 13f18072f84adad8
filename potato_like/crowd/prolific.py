"""Prolific: PROLIFIC_PID / STUDY_ID / SESSION_ID on arrival; back to
app.prolific.com/submissions/complete?cc=CODE at the end (or the configured redirect_url)."""

from __future__ import annotations

from ..config.crowd_model import PROLIFIC_COMPLETE_URL
from .base import COMPLETED, ArrivalProblem, Identity, Provider, fill, param_value


class Prolific(Provider):
    name = "prolific"

    def identity(self, args) -> Identity:
        base = super().identity(args)
        study = param_value(args, "STUDY_ID")
        if self.cfg.study_id and study and study != self.cfg.study_id:
            raise ArrivalProblem(
                "This link belongs to another Prolific study. Please open the study again "
                "from Prolific."
            )
        return Identity(
            worker_id=base.worker_id,
            study_id=study,
            session_id=param_value(args, "SESSION_ID"),
            extra=base.extra,
        )

    def redirect_url(self, identity: Identity, outcome: str, code: str | None) -> str | None:
        if self.cfg.completion.redirect_url is not None:
            return super().redirect_url(identity, outcome, code)
        # Prolific's return URL records a code; without one there is nothing to return with.
        if code is None:
            return None
        return fill(PROLIFIC_COMPLETE_URL, identity, code)


__all__ = ["COMPLETED", "Prolific"]
