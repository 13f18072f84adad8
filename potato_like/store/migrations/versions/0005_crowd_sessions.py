"""Crowd workers' platform ids, time limits and issued completion codes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crowd_sessions",
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("platform", sa.String(40), nullable=False),
        sa.Column("worker_id", sa.String(200), nullable=False),
        sa.Column("study_id", sa.String(200), nullable=True),
        sa.Column("session_id", sa.String(200), nullable=True),
        sa.Column("submit_to", sa.Text, nullable=True),
        sa.Column("params", sa.Text, nullable=False, server_default="{}"),
        sa.Column("first_seen_at", sa.Float, nullable=False),
        sa.Column("last_seen_at", sa.Float, nullable=False),
        sa.Column("visits", sa.Integer, nullable=False, server_default="1"),
        sa.Column("deadline", sa.Float, nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("code", sa.String(200), nullable=True),
        sa.Column("code_issued_at", sa.Float, nullable=True),
    )
    op.create_index("ix_crowd_sessions_platform", "crowd_sessions", ["platform"])


def downgrade() -> None:
    op.drop_index("ix_crowd_sessions_platform", "crowd_sessions")
    op.drop_table("crowd_sessions")
