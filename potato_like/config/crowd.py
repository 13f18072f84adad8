"""Read the crowd settings: `crowdsourcing` (provider block), Potato's `prolific`, `mturk`,
`completion_code`, `auto_redirect_on_completion` / `auto_redirect_delay` (top level or under
`login`), into one CrowdConfig. Every problem is reported with its key path."""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from . import compat
from .crowd_model import (
    DEFAULT_ID_PARAMS,
    LABELS,
    MTURK_SUBMIT_HOSTS,
    PROLIFIC_API_URL,
    PROLIFIC_ID,
    PROVIDERS,
    URL_PLACEHOLDERS,
    CompletionConfig,
    CrowdConfig,
)
from .model import LoginConfig
from .reader import ConfigReader

TOKEN_ENV = "PROLIFIC_API_TOKEN"  # noqa: S105 (the variable's name, not a token)
_TOKEN_WARNING = (
    f"ignored: the Prolific API token is read from the {TOKEN_ENV} environment variable "
    "only, so it never sits in a config file"
)


def read_crowd(r: ConfigReader, task_dir: Path, login: LoginConfig) -> CrowdConfig | None:
    prolific = r.child("prolific")
    prolific.warn_unknown(compat.PROLIFIC_KEYS, later=compat.PROLIFIC_LATER)
    mturk = r.child("mturk")
    mturk.warn_unknown(compat.MTURK_KEYS, later=compat.MTURK_LATER)
    block = r.child("crowdsourcing")
    block.warn_unknown(compat.CROWDSOURCING_KEYS)
    for where in (prolific, block.child("prolific")):
        if where.has("token"):
            where.warn("token", _TOKEN_WARNING)

    provider = _provider(r, block, mturk, login)
    if provider is None:
        return None
    for other in PROVIDERS:
        if other != provider and block.has(other):
            block.warn(other, f"ignored: crowdsourcing.provider is {provider!r}")
    sub = block.child(provider) if provider in PROVIDERS else ConfigReader({}, "crowdsourcing")
    sub.warn_unknown(compat.PROVIDER_KEYS.get(provider, ()), later=compat.CROWD_PROVIDER_LATER)

    capture = tuple(sub.string_list("capture_params"))
    completion = _completion(r, sub, prolific, provider, capture)
    invites = _invites(sub, task_dir)
    if provider == "expert" and not invites and not r.problems:
        sub.problem("invites", "the expert provider admits invited people only: list invites")

    time_limit = block.number("time_limit_minutes", None, minimum=0)
    if time_limit == 0:
        block.problem("time_limit_minutes", "must be more than 0 (leave it out for no limit)")
        time_limit = None

    vcode_secret = sub.str("vcode_secret", None)
    if provider == "microworkers" and not vcode_secret:
        sub.warn(
            "vcode_secret",
            "not set: workers get the static completion code instead of a per-worker VCODE",
        )
    cfg = CrowdConfig(
        provider=provider,
        login_kind="url_direct" if provider == "url_direct" else provider,
        id_param=_id_param(r, sub, provider, login),
        platform_label=sub.str("platform_label", LABELS[provider]),
        completion=completion,
        capture_params=capture,
        invites=invites,
        vcode_secret=vcode_secret,
        vcode_prefix=sub.str("vcode_prefix", "", allow_empty=True),
        vcode_length=sub.number("vcode_length", 12, integer=True, minimum=4, maximum=64),
        sandbox=sub.bool("sandbox", mturk.bool("sandbox", False)),
        frame_height=sub.number(
            "frame_height",
            mturk.number("frame_height", 800, integer=True, minimum=100, maximum=5000),
            integer=True,
            minimum=100,
            maximum=5000,
        ),
        submit_hosts=_submit_hosts(sub, mturk),
        study_id=_study_id(sub, prolific, provider),
        api_url=_api_url(sub, prolific),
        sona_hostname=sub.str("hostname", None),
        sona_experiment_id=sub.str("experiment_id", None),
        sona_credit_token=sub.str("credit_token", None),
        time_limit_seconds=time_limit * 60 if time_limit else None,
    )
    if provider == "sona" and not completion.redirect_url:
        missing = [
            k
            for k, v in (
                ("hostname", cfg.sona_hostname),
                ("experiment_id", cfg.sona_experiment_id),
                ("credit_token", cfg.sona_credit_token),
            )
            if not v
        ]
        if missing:
            sub.problem(
                missing[0],
                f"SONA's credit link needs {', '.join(missing)} (or give completion.redirect_url)",
            )
    return cfg


def _study_id(sub: ConfigReader, prolific: ConfigReader, provider: str) -> str | None:
    """The Prolific study id goes into API paths: only Prolific's own shape (24 hex digits)."""
    where = sub if sub.has("study_id") else prolific
    study_id = where.str("study_id", None)
    if study_id is not None and provider == "prolific" and not PROLIFIC_ID.match(study_id):
        where.problem("study_id", f"{study_id!r} is not a Prolific study id (24 hex digits)")
        return None
    return study_id


def _provider(r, block, mturk, login: LoginConfig) -> str | None:
    if block.raw:
        named = block.str("provider", None, required=True, choices=PROVIDERS)
        if named is None:
            return None
        if login.type in ("password", "none"):
            r.problem(
                "login.type",
                f"{login.type!r} cannot receive workers from crowdsourcing.provider {named!r}; "
                "use url_direct",
            )
        elif login.type in ("prolific", "mturk") and login.type != named:
            r.problem("login.type", f"{login.type!r} contradicts crowdsourcing.provider {named!r}")
        return named
    if login.type in ("prolific", "mturk"):
        return login.type
    if login.type == "url_direct":
        return "mturk" if mturk.bool("enabled", False) else "url_direct"
    if r.has("completion_code"):
        return "url_direct"  # password logins: the end page still shows the code
    return None


def _id_param(r, sub, provider: str, login: LoginConfig) -> str:
    raw_login = r.raw.get("login")
    explicit_login = (
        login.url_argument
        if isinstance(raw_login, Mapping) and raw_login.get("url_argument") is not None
        else None
    )
    explicit = sub.str("id_param", None)
    if explicit and explicit_login and explicit != explicit_login:
        sub.problem(
            "id_param",
            f"{explicit!r} differs from login.url_argument {explicit_login!r}; they name the "
            "same URL parameter",
        )
    return explicit or explicit_login or DEFAULT_ID_PARAMS.get(provider) or login.url_argument


def _completion(r, sub, prolific, provider: str, capture: tuple[str, ...]) -> CompletionConfig:
    c = sub.child("completion")
    c.warn_unknown(compat.COMPLETION_KEYS)
    login = r.child("login")
    auto = login.bool("auto_redirect_on_completion", r.bool("auto_redirect_on_completion", False))
    delay = login.number(
        "auto_redirect_delay",
        r.number("auto_redirect_delay", 5000, integer=True, minimum=0, maximum=600_000),
        integer=True,
        minimum=0,
        maximum=600_000,
    )
    top_code = r.str("completion_code", None)
    if provider in ("prolific", "url_direct"):
        top_code = prolific.str("completion_code", None) or top_code
    redirect = c.str("redirect_url", None)
    if redirect is not None:
        redirect = _check_url_template(c, redirect, capture)
    return CompletionConfig(
        code=c.str("code", None) or top_code,
        failed_code=c.str("failed_code", None),
        screened_out_code=c.str("screened_out_code", None),
        incomplete_code=c.str("incomplete_code", None),
        redirect_url=redirect,
        message=c.str("message", None),
        auto_redirect=c.bool("auto_redirect", auto),
        auto_redirect_delay_ms=delay,
    )


def _check_url_template(c: ConfigReader, url: str, capture: tuple[str, ...]) -> str | None:
    if not url.startswith(("https://", "http://")):
        c.problem("redirect_url", f"must be an http(s) URL, got {url!r}")
        return None
    allowed = set(URL_PLACEHOLDERS) | set(capture)
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(url) if name is not None}
    except ValueError as exc:
        c.problem("redirect_url", f"is not a valid template ({exc}); write braces as {{{{ }}}}")
        return None
    unknown = sorted(n for n in names if n not in allowed)
    if unknown:
        c.problem(
            "redirect_url",
            f"unknown placeholder(s) {', '.join('{' + n + '}' for n in unknown)}; use "
            f"{', '.join('{' + n + '}' for n in sorted(allowed))}",
        )
        return None
    return url


def _api_url(sub: ConfigReader, prolific: ConfigReader) -> str:
    url = sub.str("api_url", prolific.str("api_url", PROLIFIC_API_URL))
    if not url.startswith(("https://", "http://")):
        sub.problem("api_url", f"must be an http(s) URL, got {url!r}")
        return PROLIFIC_API_URL
    return url if url.endswith("/") else url + "/"


def _invites(sub: ConfigReader, task_dir: Path) -> tuple[tuple[str, str], ...]:
    """`invites` (token -> name mapping, or a list of tokens) and/or `invites_file` (a YAML
    mapping, or one token per line with # comments)."""
    pairs: list[tuple[str, str]] = []
    raw = sub.raw.get("invites")
    if raw is not None:
        pairs += _invite_pairs(sub, "invites", raw)
    path_value = sub.str("invites_file", None)
    if path_value:
        path = Path(path_value)
        path = path if path.is_absolute() else task_dir / path
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            sub.problem("invites_file", f"cannot read {path}: {exc.strerror or exc}")
            text = ""
        if text.strip():
            try:
                loaded: Any = yaml.safe_load(text)
            except yaml.YAMLError:
                loaded = None
            if not isinstance(loaded, Mapping):
                loaded = [
                    line.strip()
                    for line in text.splitlines()
                    if line.strip() and not line.strip().startswith("#")
                ]
            pairs += _invite_pairs(sub, "invites_file", loaded)
    return tuple(dict(pairs).items())


def _invite_pairs(sub: ConfigReader, key: str, raw: Any) -> list[tuple[str, str]]:
    if isinstance(raw, Mapping):
        entries = list(raw.items())
    elif isinstance(raw, list):
        entries = [(token, None) for token in raw]
    else:
        sub.problem(key, "must be a mapping of token: name, or a list of tokens")
        return []
    pairs = []
    for token, name in entries:
        token = str(token).strip() if isinstance(token, (str, int)) else ""
        if not token:
            sub.problem(key, "every invite token must be a non-empty string")
            continue
        if name is not None and (not isinstance(name, (str, int)) or not str(name).strip()):
            sub.problem(key, f"the name of invite {token!r} must be a non-empty string")
            continue
        pairs.append((token, str(name).strip() if name is not None else token))
    return pairs


def _submit_hosts(sub: ConfigReader, mturk: ConfigReader) -> tuple[str, ...]:
    """The origins (scheme://host[:port]) a link's turkSubmitTo may name: MTurk's own two by
    default, since the worker's completion code is posted there."""
    reader = sub if sub.has("submit_hosts") else mturk
    given = reader.string_list("submit_hosts")
    if not given:
        return tuple(MTURK_SUBMIT_HOSTS.values())
    hosts = []
    for value in given:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            reader.problem("submit_hosts", f"{value!r} is not an origin like https://www.mturk.com")
            continue
        hosts.append(f"{parts.scheme}://{parts.netloc}".lower())
    return tuple(hosts)
