"""Frozen settings of crowd recruitment: which platform workers come from, how they are
recognised on arrival, and what they get when they leave (code, redirect, form)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .compat import CROWD_PROVIDER_NAMES

# The platforms we know. "url_direct" is Potato's historical mode without a provider: the
# platform is recognised per arrival (MTurk parameters, Prolific parameters, or neither).
PROVIDERS = CROWD_PROVIDER_NAMES
DEFAULT_ID_PARAMS = {
    "prolific": "PROLIFIC_PID",
    "mturk": "workerId",
    "connect": "participantId",
    "sona": "sona_code",
    "microworkers": "mw_id",
    "expert": "invite",
}
LABELS = {
    "prolific": "Prolific",
    "mturk": "MTurk",
    "generic": "your recruitment platform",
    "url_direct": "your recruitment platform",
    "connect": "CloudResearch Connect",
    "sona": "SONA",
    "microworkers": "Microworkers",
    "clickworker": "Clickworker",
    "expert": "your contract",
}
PROLIFIC_COMPLETE_URL = "https://app.prolific.com/submissions/complete?cc={code}"
PROLIFIC_API_URL = "https://api.prolific.com/api/v1/"
# Prolific ids (studies, submissions, participants) are 24 hex digits; nothing else may go
# into an API path.
PROLIFIC_ID = re.compile(r"^[0-9a-fA-F]{24}$")
MTURK_SUBMIT_HOSTS = {False: "https://www.mturk.com", True: "https://workersandbox.mturk.com"}
# Without a provider ("url_direct", Potato's historical mode) the platform is recognised per
# arrival: MTurk parameters, Prolific parameters, or neither.
# Placeholders every redirect_url may use (plus the names in capture_params).
URL_PLACEHOLDERS = ("code", "worker_id", "session_id", "study_id")


@dataclass(frozen=True)
class CompletionConfig:
    """What a worker gets at the end, per outcome. Codes of outcomes other than "completed"
    never fall back to the completion code: a blocked or screened-out worker must not be
    handed the code that pays."""

    code: str | None = None
    failed_code: str | None = None  # blocked by attention checks / gold standards
    screened_out_code: str | None = None  # failed screening or training (else failed_code)
    # nothing left, but fewer answers than min_annotations_for_completion (no fallback)
    incomplete_code: str | None = None
    redirect_url: str | None = None  # template with {code}, {worker_id}, ...
    message: str | None = None
    auto_redirect: bool = False
    auto_redirect_delay_ms: int = 5000


@dataclass(frozen=True)
class CrowdConfig:
    provider: str  # one of PROVIDERS, or "url_direct"
    login_kind: str  # users.login_kind of the accounts created on arrival
    id_param: str
    platform_label: str
    completion: CompletionConfig
    capture_params: tuple[str, ...] = ()
    # token -> worker name; when non-empty only these tokens are admitted (invite lists).
    invites: tuple[tuple[str, str], ...] = ()
    vcode_secret: str | None = (
        None  # Microworkers: per-worker VCODE = HMAC(secret, worker:campaign)
    )
    vcode_prefix: str = ""
    vcode_length: int = 12
    sandbox: bool = False  # MTurk: submit to the sandbox when turkSubmitTo is missing
    frame_height: int = 800  # MTurk ExternalQuestion
    # MTurk: origins a link's turkSubmitTo may name (the work is posted there).
    submit_hosts: tuple[str, ...] = tuple(MTURK_SUBMIT_HOSTS.values())
    study_id: str | None = None  # Prolific study the links must belong to (and the API uses)
    api_url: str = PROLIFIC_API_URL
    sona_hostname: str | None = None
    sona_experiment_id: str | None = None
    sona_credit_token: str | None = None
    time_limit_seconds: float | None = None

    def invite_name(self, token: str) -> str | None:
        for known, name in self.invites:
            if known == token:
                return name
        return None
