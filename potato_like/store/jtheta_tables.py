"""Seed 000 (JTheta-style API) records in a workspace's store: which workspace project a
JTheta project title names, its datasets, one-time invite links and review decisions.
Imported at the end of tables.py so that they are part of the one schema."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table, Text

from .tables import metadata

jtheta_projects = Table(
    "jtheta_projects",
    metadata,
    Column("title", String(200), primary_key=True),
    Column("slug", String(63), nullable=False, unique=True),
    Column("category", String(200), nullable=False),
    Column("annotator", String(254)),
    Column("reviewer", String(254)),
    Column("created_at", Float, nullable=False),
)

jtheta_datasets = Table(
    "jtheta_datasets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("slug", String(63), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("license", Text),
    Column("created_at", Float, nullable=False),
)

jtheta_invites = Table(
    "jtheta_invites",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("slug", String(63), nullable=False, index=True),
    Column("email", String(254), nullable=False),
    Column("role", String(16), nullable=False),  # annotator | reviewer
    Column("expires_at", Float, nullable=False),
    Column("used_at", Float),
)

jtheta_reviews = Table(
    "jtheta_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("slug", String(63), nullable=False),
    Column("item_id", String(512), nullable=False),
    Column("reviewer", String(254), nullable=False),
    Column("decision", String(8), nullable=False),  # accept | reject
    Column("comment", Text, nullable=False),
    Column("decided_at", Float, nullable=False),
    Index("ix_jtheta_reviews_slug_item", "slug", "item_id"),
)
