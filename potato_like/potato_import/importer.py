"""Plan and apply the import of a Potato `annotation_output/` directory.

The plan (the dry run) changes nothing and says, per user, what the import would do. Applying
does exactly that, through the operations the web API uses:

- an account is created for each Potato user not here yet, **without a password**, as a
  passwordless login would make it. In a project with `require_password` such an account
  cannot log in until it gets a password (list the user with one in `user_config.users`:
  configured accounts are made at start, before the import, and the import then fills them).
  Names in `admin_users` are never created or filled (an import must not make, or hand
  answers to, an admin account), nor are names this server refuses at registration, nor,
  when `allow_all_users` is false, names missing from `user_config.users`. Each is skipped
  with a warning;
- each answered item, in the user's Potato order, is leased to the user (appended to their
  list, kept even when that goes past `max_annotations_per_item`: the work exists) and its
  answers saved like an `/updateinstance` submit, so the stored values are the API's. An
  answer missing a required question is saved as a draft and the item stays leased;
- the user's position is set to the item Potato showed them last; unanswered items Potato
  had queued for them are not leased (they are offered again as usual).
Running it again changes nothing: an item the user already has answers for is left alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BadAnnotation, BadRequest, Conflict, PotatoLikeError
from ..export.user_dirs import prepare_user_dir
from ..quality import pre_annotation, promotion
from ..submission import compute_for, parse_update
from .reader import LATER_PHASES, PotatoUser, read_potato_dir

if TYPE_CHECKING:
    from ..project import Project

log = logging.getLogger("potato_like")


@dataclass
class UserPlan:
    username: str
    action: str  # "create", "fill" (exists here) or "skip"
    reason: str = ""
    to_import: list[str] = field(default_factory=list)
    already: int = 0  # items this user already has answers for here
    unknown: list[str] = field(default_factory=list)  # item ids not in this project's data
    invalid: dict[str, str] = field(default_factory=dict)  # item id -> why it cannot be saved
    drafts: dict[str, str] = field(default_factory=dict)  # saved as drafts: why not submitted
    over_limit: list[str] = field(default_factory=list)  # leased past the overlap (apply)
    not_imported: int = 0


@dataclass
class ImportReport:
    directory: Path
    applied: bool
    users: list[UserPlan]
    problems: list[str]

    def lines(self) -> list[str]:
        verb = "imported" if self.applied else "would import"
        out = [f"{'Import' if self.applied else 'Dry run (nothing written)'}: {self.directory}"]
        out += [f"warning: {p}" for p in self.problems]
        for u in self.users:
            if u.action == "skip":
                out.append(f"warning: {u.username!r} skipped: {u.reason}")
                continue
            head = "new account, no password" if u.action == "create" else "existing account"
            out.append(
                f"{u.username!r} ({head}): {verb} {len(u.to_import)} item(s), "
                f"{u.already} already here"
            )
            if u.reason:
                out.append(f"  note: {u.reason}")
            if u.unknown:
                out.append(
                    f"  warning: {len(u.unknown)} item(s) not in this project's data: "
                    + ", ".join(u.unknown[:5])
                    + (" ..." if len(u.unknown) > 5 else "")
                )
            for item_id, why in u.invalid.items():
                out.append(f"  warning: {item_id}: not importable: {why}")
            for item_id, why in u.drafts.items():
                out.append(f"  note: {item_id}: saved as a draft (not submitted): {why}")
            if u.over_limit:
                out.append(
                    f"  note: {len(u.over_limit)} item(s) kept past max_annotations_per_item"
                )
            if u.not_imported:
                out.append(f"  warning: {u.not_imported} span link(s)/event(s) not imported")
        if not self.applied:
            out.append("Run again with --apply to import.")
        return out


def _check_name(project: Project, username: str) -> str | None:
    """Why this name must not be imported (None: it may)."""
    from ..web.auth import _check_username  # the rule registration applies

    config = project.config
    if username in config.admin_users:
        return "an admin name (admin_users); import never creates or fills admin accounts"
    try:
        _check_username(username)
    except BadRequest as exc:
        return str(exc)
    if not config.allow_all_users and not any(u.username == username for u in config.users):
        return "not on this project's list of users (user_config.users)"
    return None


def plan_user(project: Project, potato: PotatoUser) -> UserPlan:
    store, config = project.store, project.config
    plan = UserPlan(potato.username, "create", not_imported=potato.not_imported)
    reason = _check_name(project, potato.username)
    if reason:
        plan.action, plan.reason = "skip", reason
        return plan
    row = store.users.by_name(potato.username)
    if row is not None:
        plan.action = "fill"
    elif config.require_password:
        plan.reason = "require_password is on: this account cannot log in until it has one"
    ordered = [i for i in potato.ordering if i in potato.answers]
    ordered += [i for i in potato.answers if i not in set(ordered)]
    for item_id in ordered:
        item = store.items.by_id(item_id)
        if item is None:
            plan.unknown.append(item_id)
            continue
        if row is not None and store.annotations.maps_for(item.seq, row.id):
            plan.already += 1
            continue
        try:
            _compute(project, item, potato.answers[item_id], submit=False)({})
        except PotatoLikeError as exc:
            plan.invalid[item_id] = str(exc)
            continue
        plan.to_import.append(item_id)
    return plan


def _compute(project: Project, item, body: dict, *, submit: bool):
    update = parse_update({**body, "instance_id": item.id, "draft": not submit}, project.config)
    inner = compute_for(update, project.config, item.text, fields=item.fields)
    return pre_annotation.locked(project.config, item.fields, inner)


def apply_user(project: Project, potato: PotatoUser, plan: UserPlan) -> None:
    store, config = project.store, project.config
    row = store.users.by_name(potato.username)
    if row is None:
        if not plan.to_import:
            return
        prepare_user_dir(config.output_dir, potato.username)
        phase = (
            config.study.annotation_phase
            if potato.phase in LATER_PHASES
            else config.study.first_phase
        )
        try:
            row = store.users.create(potato.username, None, login_kind="imported", phase=phase)
        except Conflict:  # made meanwhile (a login on the running server)
            row = store.users.by_name(potato.username)
    policy = project.policy
    for item_id in plan.to_import:
        item = store.items.by_id(item_id)
        if store.assignments.lease_for_import(row.id, item.seq, policy.overlap):
            plan.over_limit.append(item_id)
        try:
            compute = _compute(project, item, potato.answers[item_id], submit=True)
            result = store.annotations.apply(row.id, item.seq, item.id, policy, compute)
        except BadAnnotation as exc:  # e.g. a required question Potato let through
            plan.drafts[item_id] = str(exc)
            compute = _compute(project, item, potato.answers[item_id], submit=False)
            result = store.annotations.apply(row.id, item.seq, item.id, policy, compute)
        if result.completed:
            promotion.check_item(project, item.seq)
    if plan.to_import:
        current = store.items.by_id(potato.current_id) if potato.current_id else None
        positions = store.assignments.positions(row.id, [current.seq]) if current else {}
        if positions:
            store.assignments.set_position(row.id, positions[current.seq])
        else:  # past the end: the next visit leases a new item
            store.assignments.set_position(row.id, store.users.get(row.id).next_pos)
        project.output.mark_dirty(row.id)


def import_potato_dir(project: Project, directory: Path, *, apply: bool) -> ImportReport:
    source = read_potato_dir(directory)
    report = ImportReport(directory, apply, [], list(source.problems))
    for potato in source.users:
        plan = plan_user(project, potato)
        report.users.append(plan)
        if apply and plan.action != "skip":
            apply_user(project, potato, plan)
            log.info("imported %d item(s) of %r", len(plan.to_import), potato.username)
    return report
