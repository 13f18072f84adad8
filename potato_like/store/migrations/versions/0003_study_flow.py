"""Study flow and quality control: a user's study status and pending check, phase answers,
training answers, quality-control responses and auto-promoted gold items.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("study_status", sa.String(20), nullable=False, server_default="active")
        )
        batch.add_column(sa.Column("status_reason", sa.String(200), nullable=True))
        batch.add_column(sa.Column("qc_pending", sa.Text, nullable=True))
    op.create_table(
        "phase_responses",
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("phase", sa.String(100), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("submitted_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "phase"),
    )
    op.create_table(
        "training_answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("question", sa.String(512), nullable=False),
        sa.Column("correct", sa.Integer, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("ts", sa.Float, nullable=False),
    )
    op.create_index("ix_training_answers_user", "training_answers", ["user_id", "id"])
    op.create_table(
        "qc_responses",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("correct", sa.Integer, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("seconds", sa.Float, nullable=True),
        sa.Column("flags", sa.String(100), nullable=False, server_default=""),
        sa.Column("ts", sa.Float, nullable=False),
    )
    op.create_index("ix_qc_responses_user_kind", "qc_responses", ["user_id", "kind"])
    op.create_index("ix_qc_responses_kind_item", "qc_responses", ["kind", "item_id"])
    op.create_table(
        "promoted_items",
        sa.Column(
            "item_seq",
            sa.Integer,
            sa.ForeignKey("items.seq", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("consensus", sa.Text, nullable=False),
        sa.Column("annotator_count", sa.Integer, nullable=False),
        sa.Column("agreement", sa.Float, nullable=False),
        sa.Column("promoted_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("promoted_items")
    op.drop_table("qc_responses")
    op.drop_table("training_answers")
    op.drop_table("phase_responses")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("qc_pending")
        batch.drop_column("status_reason")
        batch.drop_column("study_status")
