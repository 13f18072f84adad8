"""Who may become an account, and the one way accounts are created by arrivals.

Admin rights follow the *name* (`admin_users`), so names with special rights are reserved:
registration, passwordless login and crowd arrival links can never create them. Such accounts
exist only when configured with a password in `user_config.users` (created at start), so the
name and its password come from the researcher, not from whoever arrives first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import Forbidden
from .export.user_dirs import prepare_user_dir

# users.login_kind of staff accounts made by the researcher (config with a password, or the
# admin API); a reserved name is usable only on such an account.
STAFF_KIND = "staff"

if TYPE_CHECKING:
    from .config.model import ProjectConfig
    from .project import Project
    from .store.users import UserRow


def reserved_names(config: ProjectConfig) -> frozenset[str]:
    """Names with rights beyond annotating: admins, and adjudicators/reviewers when a config
    lists them (Potato's `adjudication.adjudicator_users`, `reviewer_users`)."""
    names = set(config.admin_users)
    raw = config.raw or {}
    adjudication = raw.get("adjudication")
    sources = [raw.get("reviewer_users")]
    if isinstance(adjudication, dict):
        sources += [adjudication.get("adjudicator_users"), adjudication.get("reviewer_users")]
    for source in sources:
        if isinstance(source, list):
            names.update(str(n).strip() for n in source if isinstance(n, str) and n.strip())
    return frozenset(n.casefold() for n in names)


def is_reserved(config: ProjectConfig, username: str) -> bool:
    return username.casefold() in reserved_names(config)


def check_claimable(config: ProjectConfig, username: str) -> None:
    """Forbidden when `username` may not be created by an arrival (register, passwordless,
    crowd link): reserved names, and names not on a closed user list."""
    if is_reserved(config, username):
        raise Forbidden(
            f"{username!r} is reserved for the project's staff and cannot be created here; "
            "staff accounts are configured with a password in user_config.users"
        )
    if not config.allow_all_users and not any(u.username == username for u in config.users):
        raise Forbidden(f"{username!r} is not on this project's list of users")


def create_account(
    project: Project, username: str, password_hash: str | None, *, login_kind: str
) -> UserRow:
    """Create an account for someone arriving (the only path arrivals use); Conflict when the
    name is taken, Forbidden when it may not be claimed."""
    check_claimable(project.config, username)
    prepare_user_dir(project.config.output_dir, username)
    return project.store.users.create(
        username,
        password_hash,
        login_kind=login_kind,
        phase=project.config.study.first_phase,
    )


def check_can_log_in(config: ProjectConfig, row: UserRow) -> None:
    """Forbidden for an account under a reserved name that the researcher did not make (one
    claimed before names were reserved): it keeps no rights and cannot be used."""
    if row.login_kind != STAFF_KIND and is_reserved(config, row.username):
        raise Forbidden(
            f"{row.username!r} is reserved for the project's staff; this account was not "
            "created by the researcher (configure its password in user_config.users)"
        )


def unprotected_staff(config: ProjectConfig) -> list[str]:
    """Admin (and adjudicator/reviewer) names without a configured password: nobody can log
    in under them (reserved), which `run.py check` reports."""
    with_password = {u.username.casefold() for u in config.users if u.password}
    return sorted(n for n in reserved_names(config) if n not in with_password)
