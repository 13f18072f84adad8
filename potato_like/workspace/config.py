"""`workspace.yaml`: what a workspace directory (`python run.py DIR`) says about all of its
projects. Every problem is listed at once, with its key path, as for project configs."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..api_keys import PREFIX, BadScopes, parse_scopes
from ..config.load import read_config_file
from ..errors import ConfigError
from ..webhooks.outbox import SmtpSettings

WORKSPACE_FILE = "workspace.yaml"
PROJECTS_DIR = "projects"
WORKSPACE_KEYS = (
    "api_keys",
    "users",
    "allow_fetch_hosts",
    "public_url",
    "database_url",
    "egress_ip",
    "smtp",
)
SMTP_KEYS = ("host", "port", "from", "username", "password", "starttls", "timeout")
KEY_ENTRY_KEYS = ("name", "key", "scopes", "project", "accounts")
USER_ENTRY_KEYS = ("username", "password")
# A project's name in URLs (/p/<slug>/) and on disk (projects/<slug>/): lower-case letters,
# digits and dashes, starting with a letter or digit. Nothing that could climb out of
# projects/ ("../x") or need escaping in a URL.
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
MIN_KEY_CHARS = 32
WORKSPACE_SCHEMA = "workspace"


@dataclass(frozen=True)
class BootstrapKey:
    name: str
    key: str
    scopes: tuple[str, ...]
    project: str | None
    # the accounts a seed-002 self-label batch created with this key is served to
    accounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkspaceUser:
    username: str
    password: str


@dataclass(frozen=True)
class WorkspaceConfig:
    root: Path
    api_keys: tuple[BootstrapKey, ...] = ()
    users: tuple[WorkspaceUser, ...] = ()
    allow_fetch_hosts: tuple[str, ...] = ()
    public_url: str | None = None
    database_url: str | None = None  # PostgreSQL: one schema per project, one for the workspace
    egress_ip: str | None = None  # what GET /v1/ip answers (seed 001); else found out
    smtp: SmtpSettings | None = None  # e-mail callbacks (webhooks/outbox.py); None: not sent

    @property
    def projects_dir(self) -> Path:
        return self.root / PROJECTS_DIR

    @property
    def store_url(self) -> str:
        """Where the workspace's own store lives."""
        if self.database_url:
            from ..store.engine import schema_url

            return schema_url(self.database_url, WORKSPACE_SCHEMA)
        return f"sqlite:///{self.root / 'workspace.sqlite'}"


def project_schema(slug: str) -> str:
    """A project's PostgreSQL schema (slugs are [a-z0-9-]: always a plain identifier)."""
    return "p_" + slug.replace("-", "_")


def slug_problem(slug: object) -> str | None:
    """Why `slug` cannot name a project, or None."""
    if not isinstance(slug, str) or not SLUG.match(slug):
        return (
            f"{slug!r} is not a project slug: use 1-63 lower-case letters, digits and dashes, "
            "starting with a letter or digit"
        )
    return None


def is_workspace_dir(path: str | Path) -> bool:
    return Path(path).is_dir()


def load_workspace_config(root: str | Path) -> WorkspaceConfig:
    """Read and check `DIR/workspace.yaml`; ConfigError lists every problem."""
    root = Path(root).resolve()
    file = root / WORKSPACE_FILE
    if not file.is_file():
        raise ConfigError(
            [f"{root}: not a workspace: {WORKSPACE_FILE} is missing (a project is served with "
             "run.py CONFIG.yaml; a workspace directory holds workspace.yaml and projects/)"]
        )  # fmt: skip
    raw, unset = read_config_file(file)
    problems: list[str] = [
        f"{WORKSPACE_FILE}: {u.path}: the environment variable {u.name} is not set" for u in unset
    ]
    for key in raw:
        if key not in WORKSPACE_KEYS:
            problems.append(
                f"{WORKSPACE_FILE}: {key}: unknown key (known: {', '.join(WORKSPACE_KEYS)})"
            )
    keys = _api_keys(raw.get("api_keys"), problems)
    users = _users(raw.get("users"), problems)
    hosts = _hosts(raw.get("allow_fetch_hosts"), problems)
    public_url = raw.get("public_url")
    if public_url is not None and (
        not isinstance(public_url, str) or not re.match(r"^https?://[^\s/]+", public_url)
    ):
        problems.append(f"{WORKSPACE_FILE}: public_url: must be an http(s):// address")
        public_url = None
    database_url = raw.get("database_url")
    if database_url is not None and (
        not isinstance(database_url, str) or not database_url.startswith("postgresql")
    ):
        problems.append(
            f"{WORKSPACE_FILE}: database_url: must be a PostgreSQL URL (postgresql+psycopg://…); "
            "leave it out for SQLite (one database per project)"
        )
        database_url = None
    egress_ip = raw.get("egress_ip")
    if egress_ip is not None:
        try:
            egress_ip = str(ipaddress.ip_address(str(egress_ip).strip()))
        except ValueError:
            problems.append(f"{WORKSPACE_FILE}: egress_ip: must be an IP address")
            egress_ip = None
    smtp = _smtp(raw.get("smtp"), problems)
    if not (root / PROJECTS_DIR).is_dir():
        problems.append(f"{root}: the {PROJECTS_DIR}/ directory is missing (create it, even empty)")
    if problems:
        raise ConfigError(problems)
    return WorkspaceConfig(
        root=root,
        api_keys=keys,
        users=users,
        allow_fetch_hosts=hosts,
        public_url=public_url.rstrip("/") if public_url else None,
        database_url=database_url,
        egress_ip=egress_ip,
        smtp=smtp,
    )


def _entries(value: Any, name: str, problems: list[str]) -> list[tuple[str, Mapping]]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{WORKSPACE_FILE}: {name}: must be a list")
        return []
    found = []
    for i, entry in enumerate(value):
        path = f"{WORKSPACE_FILE}: {name}[{i}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{path}: must be a mapping")
            continue
        found.append((path, entry))
    return found


def _api_keys(value: Any, problems: list[str]) -> tuple[BootstrapKey, ...]:
    keys = []
    for path, entry in _entries(value, "api_keys", problems):
        for k in entry:
            if k not in KEY_ENTRY_KEYS:
                problems.append(f"{path}.{k}: unknown key (known: {', '.join(KEY_ENTRY_KEYS)})")
        name, key, project = entry.get("name"), entry.get("key"), entry.get("project")
        ok = True
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{path}.name: is required")
            ok = False
        if not isinstance(key, str) or not key.startswith(PREFIX) or len(key) < MIN_KEY_CHARS:
            problems.append(
                f"{path}.key: must be a key starting with {PREFIX!r} and at least "
                f"{MIN_KEY_CHARS} characters (e.g. ${{POTATO_KEY}} set to the output of "
                "python -c \"import secrets; print('pl_' + secrets.token_urlsafe(32))\")"
            )
            ok = False
        try:
            scopes = parse_scopes(entry.get("scopes", ["read"]))
        except (BadScopes, TypeError) as err:
            problems.append(f"{path}.scopes: {err}")
            ok = False
        if project is not None and (problem := slug_problem(project)):
            problems.append(f"{path}.project: {problem}")
            ok = False
        accounts = entry.get("accounts", [])
        if not isinstance(accounts, list) or not all(
            isinstance(a, str) and a.strip() for a in accounts
        ):
            problems.append(f"{path}.accounts: must be a list of usernames")
            ok = False
        if ok:
            names = tuple(a.strip() for a in accounts)
            keys.append(BootstrapKey(name.strip(), key, scopes, project, names))
    return tuple(keys)


def _users(value: Any, problems: list[str]) -> tuple[WorkspaceUser, ...]:
    users = []
    seen: set[str] = set()
    for path, entry in _entries(value, "users", problems):
        for k in entry:
            if k not in USER_ENTRY_KEYS:
                problems.append(f"{path}.{k}: unknown key (known: {', '.join(USER_ENTRY_KEYS)})")
        name, password = entry.get("username"), entry.get("password")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{path}.username: is required")
            continue
        if not isinstance(password, str) or not password:
            problems.append(f"{path}.password: is required (a string; ${{ENV}} recommended)")
            continue
        if name.strip().casefold() in seen:
            problems.append(f"{path}.username: {name!r} is listed twice")
            continue
        seen.add(name.strip().casefold())
        users.append(WorkspaceUser(name.strip(), password))
    return tuple(users)


def _hosts(value: Any, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(h, str) and h.strip() for h in value):
        problems.append(f"{WORKSPACE_FILE}: allow_fetch_hosts: must be a list of host names")
        return ()
    return tuple(h.strip().lower() for h in value)


def _smtp(value: Any, problems: list[str]) -> SmtpSettings | None:
    """`smtp: {host, port, from, username, password, starttls, timeout}`: the server that
    sends e-mail callbacks. Absent: e-mail callbacks are logged as undeliverable."""
    if value is None:
        return None
    where = f"{WORKSPACE_FILE}: smtp"
    if not isinstance(value, Mapping):
        problems.append(f"{where}: must be a mapping with at least host")
        return None
    before = len(problems)
    for k in value:
        if k not in SMTP_KEYS:
            problems.append(f"{where}.{k}: unknown key (known: {', '.join(SMTP_KEYS)})")
    host = value.get("host")
    if not isinstance(host, str) or not host.strip():
        problems.append(f"{where}.host: is required (the SMTP server's host name)")
    port = value.get("port", 587)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        problems.append(f"{where}.port: must be a port number (587, 465, 25 ...)")
    starttls = value.get("starttls", True)
    if not isinstance(starttls, bool):
        problems.append(f"{where}.starttls: must be true or false")
    timeout = value.get("timeout", 10)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 120:
        problems.append(f"{where}.timeout: must be a number of seconds (at most 120)")
    texts = {}
    for k in ("from", "username", "password"):
        v = value.get(k)
        if v is not None and not isinstance(v, str):
            problems.append(f"{where}.{k}: must be a string")
        texts[k] = v if isinstance(v, str) and v else None
    if len(problems) > before:
        return None
    return SmtpSettings(
        host=host.strip(),
        port=port,
        sender=texts["from"] or "potato_like@localhost",
        username=texts["username"],
        password=texts["password"],
        starttls=starttls,
        timeout=float(timeout),
    )
