"""GET /v1/metrics: jobs per project grouped by day, week, month or year of their start
(a job not started yet counts in the group of its creation), with counts by status and
min/max/avg seconds to finish (start -> finish) and lifespan (create -> finish) of done jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

LEVELS = ("day", "week", "month", "year")
STATUSES = ("done", "new", "progress", "error", "expired", "canceled")


def group_start(day: dt.date, level: str) -> dt.date:
    if level == "day":
        return day
    if level == "week":
        return day - dt.timedelta(days=day.weekday())  # ISO weeks start on Monday
    if level == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def next_start(start: dt.date, level: str) -> dt.date:
    if level == "day":
        return start + dt.timedelta(days=1)
    if level == "week":
        return start + dt.timedelta(days=7)
    if level == "month":
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start.replace(year=start.year + 1)


def _day(stamp: float) -> dt.date:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).date()


def _stats(values: list[float], name: str) -> dict[str, int | None]:
    if not values:
        return {f"min_{name}": None, f"max_{name}": None, f"avg_{name}": None}
    return {
        f"min_{name}": round(min(values)),
        f"max_{name}": round(max(values)),
        f"avg_{name}": round(sum(values) / len(values)),
    }


def project_metrics(
    project: dict, jobs: list[dict], start: dt.date | None, end: dt.date | None, level: str
) -> dict[str, Any]:
    groups: dict[dt.date, list[dict]] = {}
    for job in jobs:
        day = _day(job["started_at"] or job["created_at"])
        if (start is not None and day < start) or (end is not None and day >= end):
            continue
        groups.setdefault(group_start(day, level), []).append(job)
    days = sorted(groups)
    first = start or (days[0] if days else None)
    last = end or (next_start(days[-1], level) if days else None)
    metrics = []
    for key in days:
        members = groups[key]
        done = [j for j in members if j["status"] == "done" and j["finished_at"] is not None]
        row: dict[str, Any] = {"period_group_start": key.isoformat(), "jobs_all": len(members)}
        for status in STATUSES:
            row[f"jobs_{status}"] = sum(1 for j in members if j["status"] == status)
        finish = [j["finished_at"] - (j["started_at"] or j["created_at"]) for j in done]
        life = [j["finished_at"] - j["created_at"] for j in done]
        row.update(_stats(finish, "seconds_to_finish_job"))
        row.update(_stats(life, "job_lifespan_seconds"))
        metrics.append(row)
    return {
        "project_id": project["id"],
        "project_name": project["name"],
        "period_start_date": first.isoformat() if first else None,
        "period_end_date": last.isoformat() if last else None,
        "period_group_level": level,
        "metrics": metrics,
    }
