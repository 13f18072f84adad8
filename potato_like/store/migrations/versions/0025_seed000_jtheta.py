"""Seed 000 (JTheta-style API): project titles, datasets, invite links, review decisions.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jtheta_projects",
        sa.Column("title", sa.String(200), primary_key=True),
        sa.Column("slug", sa.String(63), nullable=False, unique=True),
        sa.Column("category", sa.String(200), nullable=False),
        sa.Column("annotator", sa.String(254)),
        sa.Column("reviewer", sa.String(254)),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "jtheta_datasets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("slug", sa.String(63), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("license", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_jtheta_datasets_slug", "jtheta_datasets", ["slug"])
    op.create_table(
        "jtheta_invites",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("slug", sa.String(63), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("used_at", sa.Float),
    )
    op.create_index("ix_jtheta_invites_slug", "jtheta_invites", ["slug"])
    op.create_table(
        "jtheta_reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("slug", sa.String(63), nullable=False),
        sa.Column("item_id", sa.String(512), nullable=False),
        sa.Column("reviewer", sa.String(254), nullable=False),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("decided_at", sa.Float, nullable=False),
    )
    op.create_index("ix_jtheta_reviews_slug_item", "jtheta_reviews", ["slug", "item_id"])


def downgrade() -> None:
    op.drop_table("jtheta_reviews")
    op.drop_table("jtheta_invites")
    op.drop_table("jtheta_datasets")
    op.drop_table("jtheta_projects")
