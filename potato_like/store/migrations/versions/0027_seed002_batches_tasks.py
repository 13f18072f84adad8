"""Seed 002 (Scale-style batches): batches and their tasks in a workspace's store.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scale_batches",
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("project", sa.String(63), nullable=False),
        sa.Column("project_name", sa.String(255), nullable=False),
        sa.Column("callback", sa.Text, nullable=True),
        sa.Column("calibration", sa.Integer, nullable=False, server_default="0"),
        sa.Column("self_label", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False, server_default="20"),
        sa.Column("metadata", sa.Text, nullable=False, server_default="{}"),
        sa.Column("owner_key", sa.String(120), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("finalized_at", sa.Float, nullable=True),
        sa.Column("completed_at", sa.Float, nullable=True),
    )
    op.create_index("ix_scale_batches_created", "scale_batches", ["created_at"])
    op.create_table(
        "scale_tasks",
        sa.Column("task_id", sa.String(64), primary_key=True),
        sa.Column("project", sa.String(63), nullable=False),
        sa.Column("batch", sa.String(255), nullable=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("unique_id", sa.String(255), nullable=True, unique=True),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("in_project", sa.Integer, nullable=False, server_default="0"),
        sa.Column("response", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("completed_at", sa.Float, nullable=True),
    )
    op.create_index("ix_scale_tasks_batch", "scale_tasks", ["batch", "status"])
    op.create_index("ix_scale_tasks_status", "scale_tasks", ["status", "in_project"])


def downgrade() -> None:
    op.drop_table("scale_tasks")
    op.drop_table("scale_batches")
