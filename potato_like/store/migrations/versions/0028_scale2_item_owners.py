"""Seed 002 self-label batches: items reserved for some accounts (item_owners).

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


def downgrade() -> None:
    op.drop_table("item_owners")
