"""Seed 001's projects and jobs (potato_like/services/hitl/), in the workspace's store.

Revision ID: 0024
Revises: 0023 (the outbox, merged in)
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hitl_projects",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("slug", sa.String(63), nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("instructions_file", sa.Text, nullable=True),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "hitl_jobs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(36), nullable=False),
        sa.Column("item_id", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("started_at", sa.Float, nullable=True),
        sa.Column("finished_at", sa.Float, nullable=True),
        sa.Column("expires_at", sa.Float, nullable=True),
        sa.Column("files", sa.Text, nullable=False),
        sa.Column("webhook_url", sa.Text, nullable=True),
        sa.Column("webhook_headers", sa.Text, nullable=True),
        sa.Column("annotations", sa.Text, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
    )
    op.create_index("ix_hitl_jobs_project", "hitl_jobs", ["project_id", "created_at"])
    op.create_index("ix_hitl_jobs_status", "hitl_jobs", ["status"])


def downgrade() -> None:
    op.drop_index("ix_hitl_jobs_status", "hitl_jobs")
    op.drop_index("ix_hitl_jobs_project", "hitl_jobs")
    op.drop_table("hitl_jobs")
    op.drop_table("hitl_projects")
