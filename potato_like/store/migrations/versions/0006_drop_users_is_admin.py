"""Drop users.is_admin: nothing read it. Admin rights come from `admin_users` in the config
(checked at each request), so a stored flag could only disagree with it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL), never a batch copy of
    # the table: dropping `users` to rebuild it would fire the ON DELETE CASCADE of every
    # table that references it while foreign keys are on.
    op.drop_column("users", "is_admin")


def downgrade() -> None:
    op.add_column("users", sa.Column("is_admin", sa.Boolean, nullable=False, server_default="0"))
