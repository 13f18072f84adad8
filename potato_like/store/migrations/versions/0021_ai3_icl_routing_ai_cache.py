"""ICL verification routing: which predictions were sampled (`icl_labeling.verification.
sample_rate`) to be handed to annotators among their normal items (icl_predictions.routed);
and the LLM suggestion cache (ai_cache, one row per suggestion, instead of a JSON file
rewritten whole per entry).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("icl_predictions") as batch:
        batch.add_column(sa.Column("routed", sa.Integer, nullable=False, server_default="0"))
    op.create_index(
        "ix_icl_predictions_routed",
        "icl_predictions",
        ["routed", "status", "confidence"],
    )
    op.create_table(
        "ai_cache",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ai_cache")
    op.drop_index("ix_icl_predictions_routed", table_name="icl_predictions")
    with op.batch_alter_table("icl_predictions") as batch:
        batch.drop_column("routed")
