"""Potato's corpus map: the current build of a project's 2-D cluster map (points, clusters,
nearest neighbours) as one JSON row.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "corpus_maps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("built_at", sa.Float, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("corpus_maps")
