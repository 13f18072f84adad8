"""The rollout judge's verdicts (Potato's /admin/api/rollout/judge-batch and alignment).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rollout_predictions",
        sa.Column("prompt_version", sa.String(200), nullable=False),
        sa.Column("item_id", sa.String(500), nullable=False),
        sa.Column("schema", sa.String(200), nullable=False),
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("prediction", sa.Text, nullable=False),
        sa.Column("judged_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("prompt_version", "item_id", "schema", "stream"),
    )


def downgrade() -> None:
    op.drop_table("rollout_predictions")
