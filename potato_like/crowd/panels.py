"""The other panels, each a thin specialisation of the generic provider: CloudResearch
Connect, SONA, Microworkers (per-worker VCODEs), Clickworker and invited experts."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote

from .base import COMPLETED, Identity, Provider, param_value


class Generic(Provider):
    name = "generic"


class Connect(Provider):
    """participantId; projectId and assignmentId kept for joining with Connect's reports."""

    name = "connect"

    def identity(self, args) -> Identity:
        base = super().identity(args)
        return Identity(
            worker_id=base.worker_id,
            study_id=param_value(args, "projectId"),
            session_id=param_value(args, "assignmentId"),
            extra=base.extra,
        )


class Sona(Provider):
    """The participant's survey code is their id; finishing sends them to SONA's client-side
    credit link (webstudy_credit.aspx) unless a redirect_url is configured."""

    name = "sona"

    def redirect_url(self, identity: Identity, outcome: str, code: str | None) -> str | None:
        cfg = self.cfg
        if cfg.completion.redirect_url is not None or outcome != COMPLETED:
            return super().redirect_url(identity, outcome, code)
        return (
            f"https://{cfg.sona_hostname}/webstudy_credit.aspx?"
            f"experiment_id={quote(str(cfg.sona_experiment_id), safe='')}"
            f"&credit_token={quote(str(cfg.sona_credit_token), safe='')}"
            f"&survey_code={quote(identity.worker_id, safe='')}"
        )


class Microworkers(Provider):
    """mw_id, campaign_id, slot_id; a finished worker gets a VCODE derived from the worker
    and campaign ids with `vcode_secret`, so it can be re-verified later and not guessed."""

    name = "microworkers"

    def identity(self, args) -> Identity:
        base = super().identity(args)
        return Identity(
            worker_id=base.worker_id,
            study_id=param_value(args, "campaign_id"),
            session_id=param_value(args, "slot_id"),
            extra=base.extra,
        )

    def code_for(self, identity: Identity, outcome: str) -> str | None:
        if outcome == COMPLETED and self.cfg.vcode_secret:
            return vcode(
                self.cfg.vcode_secret,
                identity.worker_id,
                identity.study_id or "",
                prefix=self.cfg.vcode_prefix,
                length=self.cfg.vcode_length,
            )
        return super().code_for(identity, outcome)

    def message(self, outcome: str) -> str | None:
        if outcome == COMPLETED and self.cfg.vcode_secret and not self.cfg.completion.message:
            return "Paste this VCODE into the Microworkers task to submit your work."
        return super().message(outcome)


def vcode(secret: str, worker_id: str, campaign_id: str, prefix: str = "", length: int = 12):
    digest = hmac.new(
        secret.encode(), f"{worker_id}:{campaign_id}".encode(), hashlib.sha256
    ).hexdigest()
    return prefix + digest[:length]


def verify_vcode(secret: str, worker_id: str, campaign_id: str, code: str, **kw) -> bool:
    return hmac.compare_digest(vcode(secret, worker_id, campaign_id, **kw), code or "")


class Clickworker(Provider):
    name = "clickworker"


class Expert(Provider):
    """Invited experts (Upwork, Fiverr, direct contracts): only listed invite tokens get in;
    payment happens on the contract, so the end says so unless a code is configured."""

    name = "expert"

    def message(self, outcome: str) -> str | None:
        if outcome == COMPLETED and not self.cfg.completion.message:
            return "Thank you! Your work has been recorded. You can invoice per your contract."
        return super().message(outcome)
