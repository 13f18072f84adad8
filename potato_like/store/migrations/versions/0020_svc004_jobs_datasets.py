"""/api/v1 service records (seed 004): a durable job table, datasets with audio files,
annotation sets with their annotations, trained audio models, and Idempotency-Key answers.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.String(36), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "jobs",
        _id(),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("result", sa.Text, nullable=True),
        sa.Column("progress", sa.Float, nullable=False, server_default="0"),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("cancel_requested", sa.Integer, nullable=False, server_default="0"),
        sa.Column("lease_owner", sa.String(120), nullable=True),
        sa.Column("lease_expires_at", sa.Float, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("started_at", sa.Float, nullable=True),
        sa.Column("finished_at", sa.Float, nullable=True),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_jobs_status_created", "jobs", ["status", "created_at"])
    op.create_index("ix_jobs_owner_kind", "jobs", ["owner", "kind", "created_at"])
    op.create_table(
        "datasets",
        _id(),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_datasets_owner", "datasets", ["owner", "created_at"])
    op.create_table(
        "audio_files",
        _id(),
        sa.Column(
            "dataset_id",
            sa.String(36),
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("upload_expires_at", sa.Float, nullable=False),
        sa.Column("duration_seconds", sa.Float, nullable=True),
        sa.Column("sample_rate", sa.Integer, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_audio_files_dataset", "audio_files", ["dataset_id", "created_at"])
    op.create_table(
        "annotation_sets",
        _id(),
        sa.Column(
            "dataset_id",
            sa.String(36),
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("published_at", sa.Float, nullable=True),
    )
    op.create_index("ix_annotation_sets_dataset", "annotation_sets", ["dataset_id", "created_at"])
    op.create_table(
        "audio_annotations",
        _id(),
        sa.Column(
            "set_id",
            sa.String(36),
            sa.ForeignKey("annotation_sets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "audio_id",
            sa.String(36),
            sa.ForeignKey("audio_files.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("start_seconds", sa.Float, nullable=False),
        sa.Column("end_seconds", sa.Float, nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_audio_annotations_set", "audio_annotations", ["set_id", "created_at"])
    op.create_table(
        "audio_models",
        _id(),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("annotation_set_id", sa.String(36), nullable=False),
        sa.Column("training_job_id", sa.String(36), nullable=False),
        sa.Column("labels", sa.Text, nullable=False),
        sa.Column("metrics", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("api_key", sa.String(120), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("api_key", "key"),
    )


def downgrade() -> None:
    for name in (
        "idempotency_keys",
        "audio_models",
        "audio_annotations",
        "annotation_sets",
        "audio_files",
        "datasets",
        "jobs",
    ):
        op.drop_table(name)
