"""Embedding map runs and points, the queue front (items moved ahead by an admin) and named
store locks (one IBWS round advance at a time across processes).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "embedding_runs",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("finished_at", sa.Float, nullable=True),
        sa.Column("embedder", sa.String(100), nullable=False),
        sa.Column("points", sa.Integer, nullable=False, server_default="0"),
        sa.Column("seconds", sa.Float, nullable=True),
        sa.Column("params", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_table(
        "embedding_points",
        sa.Column("run", sa.Integer, sa.ForeignKey("embedding_runs.version", ondelete="CASCADE")),
        sa.Column(
            "item_seq", sa.Integer, sa.ForeignKey("items.seq", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("x", sa.Float, nullable=False),
        sa.Column("y", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("run", "item_seq"),
    )
    op.create_table(
        "queue_front",
        sa.Column(
            "item_seq",
            sa.Integer,
            sa.ForeignKey("items.seq", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("added_at", sa.Float, nullable=False),
    )
    op.create_index("ix_queue_front_rank", "queue_front", ["rank"])
    op.create_table(
        "store_locks",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("store_locks")
    op.drop_index("ix_queue_front_rank", table_name="queue_front")
    op.drop_table("queue_front")
    op.drop_table("embedding_points")
    op.drop_table("embedding_runs")
