"""Seed 002's records in a workspace's store: batches and the tasks added to them
(potato_like/services/batches/). Imported by tables.py so the schema check sees them."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table, Text

from .tables import metadata

scale_batches = Table(
    "scale_batches",
    metadata,
    Column("name", String(255), primary_key=True),  # unique in the workspace
    Column("project", String(63), nullable=False),  # the workspace project's slug
    Column("project_name", String(255), nullable=False),  # as the client named it
    Column("callback", Text, nullable=True),
    Column("calibration", Integer, nullable=False, server_default="0"),
    Column("self_label", Integer, nullable=False, server_default="0"),
    Column("status", String(20), nullable=False),  # staging | in_progress | completed
    Column("priority", Integer, nullable=False, server_default="20"),
    Column("metadata", Text, nullable=False, server_default="{}"),
    Column("owner_key", String(120), nullable=True),  # the API key id that created it
    Column("created_at", Float, nullable=False),
    Column("finalized_at", Float, nullable=True),
    Column("completed_at", Float, nullable=True),
)
Index("ix_scale_batches_created", scale_batches.c.created_at)

scale_tasks = Table(
    "scale_tasks",
    metadata,
    Column("task_id", String(64), primary_key=True),  # also the project item's id
    Column("project", String(63), nullable=False),
    Column("batch", String(255), nullable=True),
    Column("type", String(40), nullable=False),
    Column("unique_id", String(255), nullable=True, unique=True),
    Column("params", Text, nullable=False),  # the request's fields, JSON
    Column("status", String(20), nullable=False),  # pending | completed
    Column("in_project", Integer, nullable=False, server_default="0"),  # item written
    Column("response", Text, nullable=True),  # JSON, once completed
    Column("created_at", Float, nullable=False),
    Column("completed_at", Float, nullable=True),
)
Index("ix_scale_tasks_batch", scale_tasks.c.batch, scale_tasks.c.status)
Index("ix_scale_tasks_status", scale_tasks.c.status, scale_tasks.c.in_project)

# Items reserved for some accounts (a seed-002 self-label batch's tasks): in a project's
# store, keyed by item id so a reservation is written before the item is imported.
item_owners = Table(
    "item_owners",
    metadata,
    Column("item_id", String(255), primary_key=True),
    Column("username", String(200), primary_key=True),
)

# Training questions made from a seed-002 calibration batch's tasks (a project's store):
# asked after the config's own training questions (study/flow.py StudyFlow.training).
calibration_items = Table(
    "calibration_items",
    metadata,
    Column("id", String(255), primary_key=True),  # the task id
    Column("text", Text, nullable=False),
    Column("expected", Text, nullable=False),  # [[scheme, {label: value}], ...] JSON
    Column("explanation", Text, nullable=True),
    Column("added_at", Float, nullable=False),
)
