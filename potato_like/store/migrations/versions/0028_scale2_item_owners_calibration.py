"""Seed 002: items reserved for some accounts (item_owners, self-label batches) and training
questions made from calibration batches (calibration_items).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_owners",
        sa.Column("item_id", sa.String(255), primary_key=True),
        sa.Column("username", sa.String(200), primary_key=True),
    )
    op.create_table(
        "calibration_items",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("expected", sa.Text, nullable=False),
        sa.Column("explanation", sa.Text, nullable=True),
        sa.Column("added_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("calibration_items")
    op.drop_table("item_owners")
