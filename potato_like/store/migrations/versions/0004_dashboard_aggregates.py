"""Dashboard aggregates kept by the save transaction: answer tallies, agreement cells,
annotator pairs, and annotator speed columns on users.

The new tables start empty; Project.open sees that the aggregates were never built (meta key
`aggregates`) and rebuilds them once from the annotations (importer.recount).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("last_done_at", sa.Float, nullable=True))
        batch.add_column(sa.Column("timed_items", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("timed_seconds", sa.Float, nullable=False, server_default="0"))
    op.create_table(
        "answer_tallies",
        sa.Column("schema", sa.String(200), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("n", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("schema", "value"),
    )
    op.create_table(
        "agreement_cells",
        sa.Column("schema", sa.String(200), nullable=False),
        sa.Column("unit_size", sa.Integer, nullable=False),
        sa.Column("value_a", sa.Text, nullable=False),
        sa.Column("value_b", sa.Text, nullable=False),
        sa.Column("n", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("schema", "unit_size", "value_a", "value_b"),
    )
    op.create_table(
        "annotator_pairs",
        sa.Column("user_a", sa.Integer, nullable=False),
        sa.Column("user_b", sa.Integer, nullable=False),
        sa.Column("schema", sa.String(200), nullable=False),
        sa.Column("shared", sa.Integer, nullable=False, server_default="0"),
        sa.Column("agreed", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("user_a", "user_b", "schema"),
    )
    op.create_index("ix_annotator_pairs_user_b", "annotator_pairs", ["user_b"])
    op.create_index("ix_annotator_pairs_schema_shared", "annotator_pairs", ["schema", "shared"])
    op.create_table(
        "annotator_pair_values",
        sa.Column("user_a", sa.Integer, nullable=False),
        sa.Column("user_b", sa.Integer, nullable=False),
        sa.Column("schema", sa.String(200), nullable=False),
        sa.Column("value_a", sa.Text, nullable=False),
        sa.Column("value_b", sa.Text, nullable=False),
        sa.Column("n", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("user_a", "user_b", "schema", "value_a", "value_b"),
    )


def downgrade() -> None:
    for table in ("annotator_pair_values", "annotator_pairs", "agreement_cells", "answer_tallies"):
        op.drop_table(table)
    with op.batch_alter_table("users") as batch:
        for column in ("timed_seconds", "timed_items", "last_done_at"):
            batch.drop_column(column)
