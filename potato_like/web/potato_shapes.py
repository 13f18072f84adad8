"""Potato's response keys for the admin API, added next to ours (seed 003's keys stay).

Potato's own dashboard, scripts and tests read their keys (`overview.overview`,
`annotators[].total_annotations`, `instances.pagination`, ...). Each function here takes the
body one of our endpoints builds and returns it with Potato's keys added, computed from the
same numbers; nothing of ours is renamed or dropped. Keys whose numbers we do not keep
(per-item annotator names) are left out rather than invented.
"""

from __future__ import annotations

from typing import Any

from ..config.model import ProjectConfig
from ..quality.suspicion import summary as suspicion_summary
from ..quality.suspicion import suspicion

# Potato's quality flags of behavioural analytics, by suspicion score (0..1).
SUSPICIOUS_ABOVE, WARNING_ABOVE = 0.5, 0.3


def overview(ours: dict[str, Any], config: ProjectConfig) -> dict[str, Any]:
    items = ours["total_items"]
    done = ours["items_by_status"].get("completed", 0)
    ours["overview"] = {
        "total_users": ours["total_users"],
        "active_users": ours["active_users"],
        "total_annotations": ours["total_annotations"],
        "total_items": items,
        "completed_items": done,
        "completion_percentage": round(ours["completion_rate"] * 100, 1),
        "average_annotations_per_item": round(ours["total_annotations"] / items, 1) if items else 0,
    }
    ours["config"] = {
        "annotation_task_name": config.annotation_task_name,
        "max_annotations_per_user": config.max_annotations_per_user or "Unlimited",
        "max_annotations_per_item": config.max_annotations_per_item or "Unlimited",
        "assignment_strategy": config.assignment_strategy,
        "debug_mode": False,
    }
    return ours


def annotators(
    rows: list[dict[str, Any]], total: int, submit_times: dict[str, list[float]]
) -> dict[str, Any]:
    """Potato's keys per annotator, its suspicion score and level (quality/suspicion.py)
    and its `summary` of the levels (over the annotators of this page)."""
    for row in rows:
        row.update(suspicion(submit_times.get(row["user_id"], [])))
        per_item = row.get("seconds_per_item")
        row.update(
            total_annotations=row["annotations_count"],
            total_seconds=round(per_item * row["timed_items"], 1) if per_item else 0,
            average_seconds_per_annotation=per_item,
            annotations_per_hour=row.get("items_per_hour"),
            phase=row.get("current_phase"),
            last_activity=row.get("last_active"),
        )
    return {
        "annotators": rows,
        "total_count": total,
        "total_annotators": total,
        "summary": suspicion_summary(rows),
    }


def instances(
    rows: list[dict[str, Any]], total: int, limit: int, offset: int, overlap: int | None
) -> dict[str, Any]:
    for row in rows:
        count = row["annotations_count"]
        if overlap:
            percent = min(100.0, count / overlap * 100)
        else:
            percent = 100.0 if row.get("status") == "completed" else 0.0
        row.update(
            annotation_count=count,
            text=row.get("text_preview", row.get("text", "")),
            completion_percentage=round(percent, 1),
        )
    page_size = max(limit, 1)
    return {
        "instances": rows,
        "total_count": total,
        "limit": limit,
        "offset": offset,
        "pagination": {
            "page": offset // page_size + 1,
            "page_size": limit,
            "total_instances": total,
            "total_pages": (total + page_size - 1) // page_size,
            "has_next": offset + len(rows) < total,
            "has_prev": offset > 0,
        },
    }


def questions(report: dict[str, Any]) -> dict[str, Any]:
    out = dict(report)
    listed = []
    for question in report["questions"]:
        question = dict(question)
        labels = list(question.get("distribution", {}))
        question["total_annotations"] = question["total_answers"]
        question["analysis"] = {
            "type": question["type"],
            "total_count": question["total_answers"],
            "data": {
                "labels": labels,
                "counts": [question["distribution"][label] for label in labels],
            },
        }
        listed.append(question)
    out["questions"] = listed
    out["summary"] = {
        **report["summary"],
        "total_annotations": report["summary"]["total_answers"],
    }
    return out


def export_format(ours: dict[str, Any]) -> dict[str, Any]:
    return {**ours, "format_name": ours["name"], "file_extensions": [f".{ours['extension']}"]}


def behavioral_users(annotators: list[dict[str, Any]]) -> dict[str, Any]:
    """Potato's `users`, `aggregate_stats`, `ai_usage` and `quality_summary` from our
    per-annotator rows."""
    users = []
    for row in annotators:
        n = row["items_with_data"]
        score = row["suspicion_score"]
        per_item_interactions = row["clicks_per_item"] + row["keypresses_per_item"]
        users.append(
            {
                "user_id": row["user_id"],
                "total_instances": n,
                "total_time_sec": round(row["avg_focus_seconds_per_item"] * n, 3),
                "avg_time_sec": row["avg_focus_seconds_per_item"],
                "total_interactions": round(per_item_interactions * n),
                "avg_interactions": round(per_item_interactions, 3),
                "total_changes": row["annotation_changes"],
                "ai_requests": row["ai_requests"],
                "ai_accept_rate": row["ai_accept_rate"],
                "suspicion_score": score,
                "quality_flag": "SUSPICIOUS"
                if score > SUSPICIOUS_ABOVE
                else "WARNING"
                if score > WARNING_ABOVE
                else "OK",
            }
        )
    users.sort(key=lambda u: -u["suspicion_score"])
    flagged = [u["user_id"] for u in users if u["quality_flag"] == "SUSPICIOUS"]
    warned = [u["user_id"] for u in users if u["quality_flag"] == "WARNING"]
    instances_total = sum(u["total_instances"] for u in users)
    time_total = sum(u["total_time_sec"] for u in users)
    return {
        "users": users,
        "aggregate_stats": {
            "total_users": len(users),
            "total_instances": instances_total,
            "avg_time_per_instance_sec": round(time_total / instances_total, 3)
            if instances_total
            else 0,
            "total_interactions": sum(u["total_interactions"] for u in users),
            "total_changes": sum(u["total_changes"] for u in users),
            "total_ai_requests": sum(u["ai_requests"] for u in users),
        },
        "ai_usage": {"total_requests": sum(u["ai_requests"] for u in users)},
        "quality_summary": {
            "total_flagged": len(flagged),
            "total_warnings": len(warned),
            "flagged_user_ids": flagged,
            "warning_user_ids": warned,
        },
    }
