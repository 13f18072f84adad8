"""Skipped items come back once after the rest: assignments.returned marks those offered again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "assignments",
        sa.Column("returned", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("assignments", "returned")
