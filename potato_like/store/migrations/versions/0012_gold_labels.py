"""Gold labels: MACE results per scheme, adjudication decisions and skips.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mace_results",
        sa.Column("key", sa.String(500), primary_key=True),
        sa.Column("schema", sa.String(200), nullable=False),
        sa.Column("option", sa.Text, nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("computed_at", sa.Float, nullable=False),
    )
    op.create_table(
        "adjudications",
        sa.Column(
            "item_seq",
            sa.Integer,
            sa.ForeignKey("items.seq", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("adjudicator", sa.String(200), nullable=False),
        sa.Column("decided_at", sa.Float, nullable=False),
        sa.Column("labels", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("confidence", sa.String(20), nullable=True),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("error_categories", sa.Text, nullable=False, server_default="[]"),
        sa.Column("time_spent_ms", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "adjudication_skips",
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "item_seq", sa.Integer, sa.ForeignKey("items.seq", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("skipped_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "item_seq"),
    )


def downgrade() -> None:
    op.drop_table("adjudication_skips")
    op.drop_table("adjudications")
    op.drop_table("mace_results")
