"""items.queue_key and its index: the order of the `priority` assignment strategy.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A constant default: a plain ALTER TABLE ... ADD COLUMN on both databases (no rewrite
    # of the table on SQLite, no table copy that would fire ON DELETE CASCADE).
    op.add_column("items", sa.Column("queue_key", sa.Integer, nullable=False, server_default="0"))
    op.create_index("ix_items_open_queue_key", "items", ["is_open", "queue_key", "seq"])


def downgrade() -> None:
    op.drop_index("ix_items_open_queue_key", table_name="items")
    op.drop_column("items", "queue_key")
