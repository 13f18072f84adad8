"""Per-item annotator caps (Potato's overlap_sample and adaptive boost): items.max_holders.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch table copy would fire ON DELETE CASCADE (see 0006).
    op.add_column("items", sa.Column("max_holders", sa.Integer, nullable=True))


def downgrade() -> None:
    op.drop_column("items", "max_holders")
