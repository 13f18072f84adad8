"""The builtin AI model's stored versions (ai_models) and ICL predictions with their human
verification (icl_predictions).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ai_models",
        sa.Column("schema", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("trained_at", sa.Float, nullable=False),
        sa.Column("n_answers", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("info", sa.Text, nullable=False),
        sa.Column("model", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("schema", "version"),
    )
    op.create_table(
        "icl_predictions",
        sa.Column(
            "item_seq", sa.Integer, sa.ForeignKey("items.seq", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("schema", sa.String(200), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("model_version", sa.String(200), nullable=False, server_default=""),
        sa.Column("reasoning", sa.Text, nullable=False, server_default=""),
        sa.Column("examples", sa.Text, nullable=False, server_default="[]"),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("status", sa.String(30), nullable=False, server_default="pending"),
        sa.Column("human_label", sa.Text, nullable=True),
        sa.Column("verified_by", sa.String(200), nullable=True),
        sa.Column("verified_at", sa.Float, nullable=True),
        sa.PrimaryKeyConstraint("item_seq", "schema"),
    )
    op.create_index("ix_icl_predictions_status", "icl_predictions", ["schema", "status"])


def downgrade() -> None:
    op.drop_index("ix_icl_predictions_status", "icl_predictions")
    op.drop_table("icl_predictions")
    op.drop_table("ai_models")
