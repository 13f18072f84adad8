"""AI assistance: the suggestions shown and what became of them (ai_suggestions), and chat
messages per user and item (ai_chat_messages).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ai_suggestions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("item_seq", sa.Integer, nullable=False),
        sa.Column("schema", sa.String(200), nullable=False),
        sa.Column("provider", sa.String(80), nullable=False, server_default=""),
        sa.Column("model", sa.String(200), nullable=False, server_default=""),
        sa.Column("label", sa.Text, nullable=False, server_default="null"),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("shown_at", sa.Float, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("decided_at", sa.Float, nullable=True),
        sa.UniqueConstraint(
            "user_id", "item_seq", "schema", name="uq_ai_suggestions_user_item_schema"
        ),
    )
    op.create_index("ix_ai_suggestions_item", "ai_suggestions", ["item_seq"])
    op.create_table(
        "ai_chat_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("item_seq", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("ts", sa.Float, nullable=False),
        sa.Column("finished_at", sa.Float, nullable=True),
    )
    op.create_index("ix_ai_chat_user_item", "ai_chat_messages", ["user_id", "item_seq", "channel"])


def downgrade() -> None:
    op.drop_index("ix_ai_chat_user_item", "ai_chat_messages")
    op.drop_table("ai_chat_messages")
    op.drop_index("ix_ai_suggestions_item", "ai_suggestions")
    op.drop_table("ai_suggestions")
