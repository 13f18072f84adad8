"""The `batch` strategy's cohorts: cohort_items, batch_groups, batch_pins.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cohort_items",
        sa.Column("member", sa.String(220), nullable=False),
        sa.Column(
            "item_seq",
            sa.Integer,
            sa.ForeignKey("items.seq", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("ord", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("member", "item_seq"),
    )
    op.create_index("ix_cohort_items_member_ord", "cohort_items", ["member", "ord"])
    op.create_table(
        "batch_groups",
        sa.Column("idx", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("max_annotators", sa.Integer, nullable=True),
        sa.Column("pinned", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "batch_pins",
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("group_idx", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("batch_pins")
    op.drop_table("batch_groups")
    op.drop_index("ix_cohort_items_member_ord", table_name="cohort_items")
    op.drop_table("cohort_items")
