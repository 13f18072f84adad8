"""Initial schema: users, items, assignments, annotations, events, bookkeeping.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "data_sources",
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("mtime_ns", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.Float, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(200), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(300), nullable=True),
        sa.Column("is_admin", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("login_kind", sa.String(40), nullable=False, server_default="password"),
        sa.Column("phase", sa.String(40), nullable=False, server_default="annotation"),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_active_at", sa.Float, nullable=True),
        sa.Column("current_pos", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_pos", sa.Integer, nullable=False, server_default="0"),
        sa.Column("order_cursor", sa.Integer, nullable=False, server_default="0"),
        sa.Column("assigned_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("done_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("max_items", sa.Integer, nullable=True),
    )
    op.create_table(
        "items",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(512), nullable=False, unique=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("rand", sa.Integer, nullable=False),
        sa.Column("priority", sa.Integer, nullable=False, server_default="0"),
        sa.Column("holders", sa.Integer, nullable=False, server_default="0"),
        sa.Column("done_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("is_open", sa.Integer, nullable=False, server_default="1"),
        sa.Column("retired", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_items_status_seq", "items", ["status", "seq"])
    op.create_index("ix_items_open_seq", "items", ["is_open", "seq"])
    op.create_index("ix_items_open_rand", "items", ["is_open", "rand"])
    op.create_index("ix_items_open_holders", "items", ["is_open", "holders", "seq"])
    op.create_table(
        "assignments",
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "item_seq", sa.Integer, sa.ForeignKey("items.seq", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("leased_at", sa.Float, nullable=False),
        sa.Column("completed_at", sa.Float, nullable=True),
        sa.PrimaryKeyConstraint("user_id", "item_seq"),
        sa.UniqueConstraint("user_id", "position", name="uq_assignments_user_position"),
    )
    op.create_index("ix_assignments_status_leased", "assignments", ["status", "leased_at"])
    op.create_index("ix_assignments_item", "assignments", ["item_seq"])
    op.create_table(
        "annotations",
        sa.Column(
            "item_seq", sa.Integer, sa.ForeignKey("items.seq", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("schema", sa.String(200), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("item_seq", "user_id", "schema"),
    )
    op.create_index("ix_annotations_user", "annotations", ["user_id", "item_seq"])
    op.create_table(
        "completions_by_hour",
        sa.Column("hour", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ts", sa.Float, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("item_seq", sa.Integer, nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("schema", sa.String(200), nullable=True),
        sa.Column("data", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("ix_events_user_ts", "events", ["user_id", "ts"])
    op.create_index("ix_events_item", "events", ["item_seq"])
    op.create_index("ix_events_ts", "events", ["ts"])


def downgrade() -> None:
    for table in (
        "events",
        "completions_by_hour",
        "annotations",
        "assignments",
        "items",
        "users",
        "data_sources",
        "counters",
        "meta",
    ):
        op.drop_table(table)
