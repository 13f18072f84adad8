"""Run-time admin endpoints (seed 003): read the configuration, change the settings that are
safe to change while serving, and flag suspicious annotators.

A changed setting is validated like the loader validates the file, persisted in the store (so
a restart keeps it) and applied at once. Suspicious activity is computed from the events log
in one ordered pass over a bounded time window. All SQL is in store/activity.py.
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, jsonify, request

from ..config import compat
from ..config.model import SuspiciousActivityConfig
from ..config.reader import hint
from ..config.validate import runtime_fields
from ..errors import BadRequest
from ..project import Project
from ..store.activity import Activity, Submit
from ..store.stats import iso
from .params import number_arg
from .security import admin_required, current_project

bp = Blueprint("admin_runtime", __name__)

HOURS_DEFAULT, HOURS_MAX = 24.0, 720.0
WINDOW_SECONDS = 60.0  # rapid_submissions counts submits within any window this long
MIN_SUBMITS_FOR_SPEED = 10  # low_time_per_item needs at least this many submits
BREAK_SECONDS = 600.0  # a longer gap between two submits is a break, not time spent on an item
RESTART_REASON = "changes the data model / needs a restart: edit the config file and restart"


# -- configuration ----------------------------------------------------------------------------
def runtime_values() -> dict[str, Any]:
    config = current_project().config
    return {
        "max_annotations_per_user": config.max_annotations_per_user,
        "assignment_timeout_minutes": config.assignment_timeout_minutes,
        "jumping_to_id_disabled": config.jumping_to_id_disabled,
        "instructions": config.instructions_html,
        "annotation_codebook_url": config.annotation_codebook_url,
        "suspicious_activity": config.suspicious_activity.as_json(),
    }


@bp.get("/admin/api/config")
@admin_required
def get_config():
    project = current_project()
    config = project.config
    return jsonify(
        annotation_task_name=config.annotation_task_name,
        annotation_schemes=[scheme.describe() for scheme in config.schemes],
        total_items=project.store.items.count(),
        output_format="jsonl",
        **runtime_values(),
        runtime_settings=list(compat.RUNTIME_SETTINGS),
    )


def _canonical(key: str) -> str:
    target = compat.ALIASES.get(key)
    return target if target in compat.RUNTIME_SETTINGS else key


def _refusal(key: str) -> str:
    known = (*compat.IMPLEMENTED, *compat.LATER)
    if key in known:
        return f"{key}: {RESTART_REASON}"
    close = hint(key, (*compat.RUNTIME_SETTINGS, *compat.IMPLEMENTED))
    return (
        f"{key}: unknown setting{close}; settings changeable at run time: "
        f"{', '.join(compat.RUNTIME_SETTINGS)}"
    )


@bp.post("/admin/api/config")
@admin_required
def update_config():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not body:
        raise BadRequest('the body must be a JSON object like {"jumping_to_id_disabled": true}')
    project = current_project()
    changes: dict[str, Any] = {}
    problems = []
    for key, value in body.items():
        name = _canonical(str(key))
        if name not in compat.RUNTIME_SETTINGS:
            problems.append(_refusal(str(key)))
        elif name in changes:
            problems.append(f"{key}: {name} is given twice")
        else:
            changes[name] = value
    posted = changes.get("suspicious_activity")
    if isinstance(posted, dict):  # a partial mapping changes only the thresholds it names
        changes["suspicious_activity"] = {**project.config.suspicious_activity.as_json(), **posted}
    _fields, invalid, warnings = runtime_fields(changes)
    # An unknown nested key would be ignored by the loader with a warning; here it is a typo
    # the caller must hear about, so it refuses the change like any other problem.
    problems += invalid + warnings
    if problems:
        raise BadRequest(f"no setting was changed: {len(problems)} problem(s)", problems=problems)
    values = Activity(project.store).save_runtime_settings(changes, project.config.raw)
    project.apply_runtime_settings(values)
    # Other processes pick the change up within project.RUNTIME_REFRESH_SECONDS.
    return jsonify(status="success", updated=sorted(changes), **runtime_values())


# -- suspicious activity ----------------------------------------------------------------------
@dataclass
class UserActivity:
    user_id: int
    username: str
    times: list[float] = field(default_factory=list)
    longest_streak: int = 0
    _streak: int = 0
    _last_changes: dict[str, Any] | None = None

    def add(self, submit: Submit) -> None:
        self.times.append(submit.ts)
        if not submit.changes:  # nothing changed: neither extends nor breaks a streak
            return
        if submit.changes == self._last_changes:
            self._streak += 1
        else:
            self._streak, self._last_changes = 1, submit.changes
        self.longest_streak = max(self.longest_streak, self._streak)

    def max_per_window(self) -> int:
        window: deque[float] = deque()
        best = 0
        for ts in self.times:
            window.append(ts)
            while ts - window[0] >= WINDOW_SECONDS:
                window.popleft()
            best = max(best, len(window))
        return best

    def gaps(self) -> list[float]:
        pairs = zip(self.times, self.times[1:], strict=False)
        return [b - a for a, b in pairs if b - a <= BREAK_SECONDS]

    def report(self, limits: SuspiciousActivityConfig) -> dict[str, Any] | None:
        gaps = self.gaps()
        median = statistics.median(gaps) if gaps else None
        average = sum(gaps) / len(gaps) if gaps else None
        per_minute = self.max_per_window()
        flags = []
        if per_minute > limits.rapid_submissions_per_minute:
            flags.append("rapid_submissions")
        if (
            len(self.times) >= MIN_SUBMITS_FOR_SPEED
            and median is not None
            and median < limits.min_seconds_per_item
        ):
            flags.append("low_time_per_item")
        if self.longest_streak >= limits.same_answer_streak:
            flags.append("same_answer_streak")
        if not flags:
            return None
        return {
            "user_id": self.username,
            "flags": flags,
            "avg_time_per_item": None if average is None else round(average, 2),
            "annotations_count": len(self.times),
            "median_time_per_item": None if median is None else round(median, 2),
            "max_submissions_per_minute": per_minute,
            "longest_same_answer_streak": self.longest_streak,
            "first_submission": iso(self.times[0]),
            "last_submission": iso(self.times[-1]),
        }


def by_user(submits: Iterable[Submit]) -> Iterator[UserActivity]:
    """Group a stream ordered by user: only one user's submits are held at a time."""
    current: UserActivity | None = None
    for submit in submits:
        if current is None or submit.user_id != current.user_id:
            if current is not None:
                yield current
            current = UserActivity(submit.user_id, submit.username)
        current.add(submit)
    if current is not None:
        yield current


@bp.get("/admin/api/suspicious_activity")
@admin_required
def suspicious_activity():
    return jsonify(suspicious_report(current_project(), hours_arg()))


def hours_arg() -> float:
    return number_arg("hours", HOURS_DEFAULT, maximum=HOURS_MAX, above_minimum=True)


def suspicious_report(project: Project, hours: float) -> dict[str, Any]:
    """Annotators whose submissions in the last `hours` look automated or careless."""
    limits = project.config.suspicious_activity
    since = time.time() - hours * 3600
    flagged, checked = [], 0
    for user in by_user(Activity(project.store).submits_since(since)):
        checked += 1
        entry = user.report(limits)
        if entry is not None:
            flagged.append(entry)
    flagged.sort(key=lambda e: (-len(e["flags"]), -e["annotations_count"], e["user_id"]))
    return {
        "suspicious_users": flagged,
        "thresholds": {
            **limits.as_json(),
            "window_seconds": WINDOW_SECONDS,
            "min_submissions_for_speed": MIN_SUBMITS_FOR_SPEED,
            "break_seconds": BREAK_SECONDS,
        },
        "hours": hours,
        "users_checked": checked,
    }
