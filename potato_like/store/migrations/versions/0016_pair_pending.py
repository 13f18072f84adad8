"""Pending pair changes: the save logs a finished answer's change in one row; the annotator
pair tables are folded from these rows outside the save (store/pair_folds.py). And rate-limit
hits shared by several server processes (store/rate_hits.py).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pair_pending",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_seq", sa.Integer, nullable=False),
        sa.Column("schema", sa.String(200), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("old_value", sa.Text, nullable=True),
        sa.Column("new_value", sa.Text, nullable=True),
    )
    op.create_table(
        "rate_hits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("ts", sa.Float, nullable=False),
    )
    op.create_index("ix_rate_hits_name_key_ts", "rate_hits", ["name", "key", "ts"])


def downgrade() -> None:
    op.drop_index("ix_rate_hits_name_key_ts", table_name="rate_hits")
    op.drop_table("rate_hits")
    op.drop_table("pair_pending")
