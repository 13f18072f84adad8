"""The schema, as SQLAlchemy Core tables. Migrations in migrations/versions create it;
tests/unit/test_migrations.py fails when the two drift apart.

Times are UNIX seconds (float) so SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

counters = Table(
    "counters",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("value", Integer, nullable=False, server_default="0"),
)

data_sources = Table(
    "data_sources",
    metadata,
    Column("path", Text, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("imported_at", Float, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(200), nullable=False, unique=True),
    Column("password_hash", String(300), nullable=True),
    Column("login_kind", String(40), nullable=False, server_default="password"),
    Column("phase", String(40), nullable=False, server_default="annotation"),
    Column("created_at", Float, nullable=False),
    Column("last_active_at", Float, nullable=True),
    # Navigation: the position (in this user's list) shown now, and the next free position.
    Column("current_pos", Integer, nullable=False, server_default="0"),
    Column("next_pos", Integer, nullable=False, server_default="0"),
    # Highest item seq leased in fixed order: where the next fixed-order search starts.
    Column("order_cursor", Integer, nullable=False, server_default="0"),
    Column("assigned_count", Integer, nullable=False, server_default="0"),
    Column("done_count", Integer, nullable=False, server_default="0"),
    Column("max_items", Integer, nullable=True),  # admin override of max_annotations_per_user
    # Study flow: active | blocked | failed | completed, why (e.g. "training"), and the
    # quality-control item waiting to be answered ({"kind", "id", "shown_at"} as JSON).
    Column("study_status", String(20), nullable=False, server_default="active"),
    Column("status_reason", String(200), nullable=True),
    Column("qc_pending", Text, nullable=True),
    # Speed, kept by the save that finishes an item: the gap since this user's previous
    # completion counts as time spent on the item unless it is longer than a break.
    Column("last_done_at", Float, nullable=True),
    Column("timed_items", Integer, nullable=False, server_default="0"),
    Column("timed_seconds", Float, nullable=False, server_default="0"),
)

items = Table(
    "items",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(512), nullable=False, unique=True),
    Column("text", Text, nullable=False),
    Column("data", Text, nullable=False),  # the row's other fields, JSON
    Column("source", Text, nullable=False),
    Column("line", Integer, nullable=False),
    Column("rand", Integer, nullable=False),
    Column("priority", Integer, nullable=False, server_default="0"),
    # The `priority` strategy's order (lower first), from the item's fields and the `triage`
    # rules (assign/triage.py, store/queue_keys.py).
    Column("queue_key", Integer, nullable=False, server_default="0"),
    # Users holding the item: unexpired leases plus completions. is_open = holders < overlap.
    Column("holders", Integer, nullable=False, server_default="0"),
    Column("done_count", Integer, nullable=False, server_default="0"),
    Column("is_open", Integer, nullable=False, server_default="1"),
    Column("retired", Integer, nullable=False, server_default="0"),
    # 0 unassigned (nobody holds it), 1 in progress, 2 completed (done_count >= target, where
    # target is the overlap or 1): kept in step by the same UPDATEs that change holders and
    # done_count, so admin listings by status are index range scans at any size.
    Column("status", Integer, nullable=False, server_default="0"),
    # This item's own annotator cap (Potato's overlap_sample and adaptive boost; NULL: the
    # project's max_annotations_per_item). Every overlap check reads COALESCE(max_holders, k).
    Column("max_holders", Integer, nullable=True),
)
Index("ix_items_status_seq", items.c.status, items.c.seq)
Index("ix_items_open_seq", items.c.is_open, items.c.seq)
Index("ix_items_open_rand", items.c.is_open, items.c.rand)
Index("ix_items_open_holders", items.c.is_open, items.c.holders, items.c.seq)
Index("ix_items_open_queue_key", items.c.is_open, items.c.queue_key, items.c.seq)

assignments = Table(
    "assignments",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("item_seq", Integer, ForeignKey("items.seq", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # leased | done | expired
    Column("leased_at", Float, nullable=False),
    Column("completed_at", Float, nullable=True),
    # 1 once a skipped (unanswered) item has been offered again after the rest (issue 21).
    Column("returned", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("user_id", "item_seq"),
    UniqueConstraint("user_id", "position", name="uq_assignments_user_position"),
)
Index("ix_assignments_status_leased", assignments.c.status, assignments.c.leased_at)
Index("ix_assignments_item", assignments.c.item_seq)

# The `batch` strategy's cohorts (assign/batches.py): who may be offered which item, in
# which order. `member` is "user:<username>" or "group:<index>" (an auto-assigned group).
cohort_items = Table(
    "cohort_items",
    metadata,
    Column("member", String(220), nullable=False),
    Column("item_seq", Integer, ForeignKey("items.seq", ondelete="CASCADE"), nullable=False),
    Column("ord", Integer, nullable=False),
    PrimaryKeyConstraint("member", "item_seq"),
)
Index("ix_cohort_items_member_ord", cohort_items.c.member, cohort_items.c.ord)

# Auto-assigned groups: how many annotators each took (at most max_annotators, enforced by a
# conditional UPDATE like an item's holders), and which group each user was given.
batch_groups = Table(
    "batch_groups",
    metadata,
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("max_annotators", Integer, nullable=True),
    Column("pinned", Integer, nullable=False, server_default="0"),
)
batch_pins = Table(
    "batch_pins",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("group_idx", Integer, nullable=False),
)

annotations = Table(
    "annotations",
    metadata,
    Column("item_seq", Integer, ForeignKey("items.seq", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("schema", String(200), nullable=False),
    Column("value", Text, nullable=False),  # the scheme's normalised label map, JSON
    Column("updated_at", Float, nullable=False),
    PrimaryKeyConstraint("item_seq", "user_id", "schema"),
)
Index("ix_annotations_user", annotations.c.user_id, annotations.c.item_seq)

# Finished annotations per hour (UNIX hour number), kept by the same transaction that marks an
# assignment done: the progress-over-time chart reads a few hundred rows at any project size.
completions_by_hour = Table(
    "completions_by_hour",
    metadata,
    Column("hour", Integer, primary_key=True, autoincrement=False),
    Column("done", Integer, nullable=False, server_default="0"),
)

# Dashboard aggregates (store/aggregates.py), kept by the save transaction and rebuilt by
# importer.recount(). Values are the stored label-map JSON; the web layer reads them through
# the schemes, so a config change never makes them stale.
# How many annotations of each schema hold exactly this value ('' for free-text schemas).
answer_tallies = Table(
    "answer_tallies",
    metadata,
    Column("schema", String(200), nullable=False),
    Column("value", Text, nullable=False),
    Column("n", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("schema", "value"),
)
# Finished answers of items with `unit_size` >= 2 finished annotators: ordered pairs of two
# different annotators' values (Krippendorff's coincidences, Fleiss' counts, confusion).
agreement_cells = Table(
    "agreement_cells",
    metadata,
    Column("schema", String(200), nullable=False),
    Column("unit_size", Integer, nullable=False),
    Column("value_a", Text, nullable=False),
    Column("value_b", Text, nullable=False),
    Column("n", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("schema", "unit_size", "value_a", "value_b"),
)
# Per pair of annotators (user_a < user_b) and schema: items both finished, and on how many
# they gave the identical answer (Cohen's kappa ranking, "agreement with others").
annotator_pairs = Table(
    "annotator_pairs",
    metadata,
    Column("user_a", Integer, nullable=False),
    Column("user_b", Integer, nullable=False),
    Column("schema", String(200), nullable=False),
    Column("shared", Integer, nullable=False, server_default="0"),
    Column("agreed", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("user_a", "user_b", "schema"),
)
Index("ix_annotator_pairs_user_b", annotator_pairs.c.user_b)
Index("ix_annotator_pairs_schema_shared", annotator_pairs.c.schema, annotator_pairs.c.shared)
# The same pairs' contingency tables: (value of user_a, value of user_b) -> items.
annotator_pair_values = Table(
    "annotator_pair_values",
    metadata,
    Column("user_a", Integer, nullable=False),
    Column("user_b", Integer, nullable=False),
    Column("schema", String(200), nullable=False),
    Column("value_a", Text, nullable=False),
    Column("value_b", Text, nullable=False),
    Column("n", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("user_a", "user_b", "schema", "value_a", "value_b"),
)
# A finished answer's change waiting to be folded into the two pair tables above
# (store/pair_folds.py): the save writes one row here instead of one per other annotator.
pair_pending = Table(
    "pair_pending",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_seq", Integer, nullable=False),
    Column("schema", String(200), nullable=False),
    Column("user_id", Integer, nullable=False),
    Column("old_value", Text, nullable=True),
    Column("new_value", Text, nullable=True),
)
# One row per counted attempt of a rate limit, when several processes count together
# (store/rate_hits.py; web/rate_limits.py).
rate_hits = Table(
    "rate_hits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(40), nullable=False),
    Column("key", String(400), nullable=False),
    Column("ts", Float, nullable=False),
)
Index("ix_rate_hits_name_key_ts", rate_hits.c.name, rate_hits.c.key, rate_hits.c.ts)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", Float, nullable=False),
    Column("user_id", Integer, nullable=True),
    Column("item_seq", Integer, nullable=True),
    Column("kind", String(40), nullable=False),
    Column("schema", String(200), nullable=True),
    Column("data", Text, nullable=False, server_default="{}"),
)
Index("ix_events_user_ts", events.c.user_id, events.c.ts)
Index("ix_events_item", events.c.item_seq)
Index("ix_events_ts", events.c.ts)

# Behavioural tracking from the annotation page (batched interactions, AI usage, label
# changes): one row per report, the payload as JSON. Kept apart from `events` (the audit log)
# because it is high-volume, client-reported and never feeds history or undo.
interactions = Table(
    "interactions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", Float, nullable=False),
    Column("user_id", Integer, nullable=False),
    Column("item_seq", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("data", Text, nullable=False, server_default="{}"),
)
Index("ix_interactions_user_item", interactions.c.user_id, interactions.c.item_seq)
Index("ix_interactions_ts", interactions.c.ts)

# Answers to a content phase's questions (consent, prestudy, poststudy): one row per phase.
phase_responses = Table(
    "phase_responses",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("phase", String(100), nullable=False),
    Column("value", Text, nullable=False),  # {question: label map}, JSON
    Column("submitted_at", Float, nullable=False),
    PrimaryKeyConstraint("user_id", "phase"),
)

# Every answer given in training, in order: a user's training state is derived from these.
training_answers = Table(
    "training_answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("round", Integer, nullable=False),  # 1 + the number of restarts
    Column("question", String(512), nullable=False),
    Column("correct", Integer, nullable=False),
    Column("value", Text, nullable=False),
    Column("ts", Float, nullable=False),
)
Index("ix_training_answers_user", training_answers.c.user_id, training_answers.c.id)

# Answers to attention checks and gold-standard items (never in `annotations`, so they never
# count as progress nor enter agreement).
qc_responses = Table(
    "qc_responses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),  # attention_check | gold_standard
    Column("item_id", String(512), nullable=False),
    Column("correct", Integer, nullable=False),
    Column("value", Text, nullable=False),
    Column("seconds", Float, nullable=True),  # time from showing the item to the answer
    Column("flags", String(100), nullable=False, server_default=""),
    Column("ts", Float, nullable=False),
)
Index("ix_qc_responses_user_kind", qc_responses.c.user_id, qc_responses.c.kind)
Index("ix_qc_responses_kind_item", qc_responses.c.kind, qc_responses.c.item_id)

# Items whose first annotators agreed (gold_standards.auto_promote): they join the gold pool.
promoted_items = Table(
    "promoted_items",
    metadata,
    Column(
        "item_seq",
        Integer,
        ForeignKey("items.seq", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("consensus", Text, nullable=False),  # {schema: label map}, JSON
    Column("annotator_count", Integer, nullable=False),
    Column("agreement", Float, nullable=False),
    Column("promoted_at", Float, nullable=False),
)

# A crowd worker's platform ids (one row per account, updated on every arrival): where they
# came from, the ids to report back, their time limit, and the code they were given.
crowd_sessions = Table(
    "crowd_sessions",
    metadata,
    Column(
        "user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("platform", String(40), nullable=False),  # prolific | mturk | generic | ...
    Column("worker_id", String(200), nullable=False),  # the platform's id (PROLIFIC_PID, ...)
    Column("study_id", String(200), nullable=True),  # STUDY_ID, hitId, projectId, campaign
    Column("session_id", String(200), nullable=True),  # SESSION_ID, assignmentId, slot
    Column("submit_to", Text, nullable=True),  # MTurk turkSubmitTo
    Column("params", Text, nullable=False, server_default="{}"),  # captured parameters, JSON
    Column("first_seen_at", Float, nullable=False),
    Column("last_seen_at", Float, nullable=False),
    Column("visits", Integer, nullable=False, server_default="1"),
    Column("deadline", Float, nullable=True),  # time limit: UNIX seconds
    Column("outcome", String(20), nullable=True),  # completed | screened_out | ... when ended
    Column("code", String(200), nullable=True),  # the code shown at the end
    Column("code_issued_at", Float, nullable=True),
)
Index("ix_crowd_sessions_platform", crowd_sessions.c.platform)

# Server-side login sessions: the cookie carries a random token whose hash is the id here;
# logout and revocation delete the row, so a copied cookie stops working.
login_sessions = Table(
    "login_sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # sha256 hex of the cookie's token
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    Column("created_at", Float, nullable=False),
    Column("last_seen_at", Float, nullable=False),
)
Index("ix_login_sessions_user", login_sessions.c.user_id)

# Password reset links issued by an admin or `run.py reset-password`: only the SHA-256 of
# the link's token is stored; a link ends when used, replaced, or its user's password changes.
password_resets = Table(
    "password_resets",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("ended_at", Float, nullable=True),
    Column("ended_reason", String(20), nullable=True),  # used / replaced / password_changed
)
Index("ix_password_resets_user", password_resets.c.user_id)

__all__ = ["metadata"]

# Gold labels (quality/mace.py, web/adjudicate.py). One MACE result per scheme (or per
# scheme option, key "schema::option"): competence, predictions and entropies as JSON.
mace_results = Table(
    "mace_results",
    metadata,
    Column("key", String(500), primary_key=True),
    Column("schema", String(200), nullable=False),
    Column("option", Text, nullable=True),
    Column("payload", Text, nullable=False),
    Column("computed_at", Float, nullable=False),
)

# Potato's cross-document event registry (store/event_registry.py): one row per event, its
# body as JSON (title, slot_values, member_doc_ids, evidence, ...), `version` for stale writes.
registry_events = Table(
    "registry_events",
    metadata,
    Column("event_id", String(120), primary_key=True),
    Column("body", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", Float, nullable=False),
)

# An adjudicator's final answer for an item: the label map per scheme (JSON), where each
# scheme's answer came from (an annotator's pick or the adjudicator's own edit), how sure.
adjudications = Table(
    "adjudications",
    metadata,
    Column("item_seq", Integer, ForeignKey("items.seq", ondelete="CASCADE"), primary_key=True),
    Column("adjudicator", String(200), nullable=False),
    Column("decided_at", Float, nullable=False),
    Column("labels", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("confidence", String(20), nullable=True),
    Column("notes", Text, nullable=False, server_default=""),
    Column("error_categories", Text, nullable=False, server_default="[]"),
    Column("time_spent_ms", Integer, nullable=False, server_default="0"),
)

adjudication_skips = Table(
    "adjudication_skips",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("item_seq", Integer, ForeignKey("items.seq", ondelete="CASCADE"), nullable=False),
    Column("skipped_at", Float, nullable=False),
    PrimaryKeyConstraint("user_id", "item_seq"),
)

# API keys for scripts (issue 22): only the SHA-256 of a key is stored (keys are 32 random
# bytes, so a fast hash is enough: nothing to brute-force), with its scopes, an optional
# project restriction (a workspace slug), and when it was last used and revoked.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(36), primary_key=True),  # a UUID, shown in lists and used to revoke
    Column("name", String(200), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("key_prefix", String(16), nullable=False),  # the key's first characters, to recognise it
    Column("scopes", String(100), nullable=False),  # "read,write,admin"
    Column("project", String(100), nullable=True),  # None: every project
    Column("created_at", Float, nullable=False),
    Column("last_used_at", Float, nullable=True),
    Column("revoked_at", Float, nullable=True),
)

# -- embedding map (store/embed_map.py), queue front, named locks (store/locks.py) --------
# One row per projected item and run: the 2-D position of the item in that run's map. The
# current run is the newest finished one (embedding_runs.finished_at not null).
embedding_runs = Table(
    "embedding_runs",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=True),
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float, nullable=True),
    Column("embedder", String(100), nullable=False),
    Column("points", Integer, nullable=False, server_default="0"),
    Column("seconds", Float, nullable=True),
    Column("params", Text, nullable=False, server_default="{}"),
)
embedding_points = Table(
    "embedding_points",
    metadata,
    Column("run", Integer, ForeignKey("embedding_runs.version", ondelete="CASCADE")),
    Column("item_seq", Integer, ForeignKey("items.seq", ondelete="CASCADE"), nullable=False),
    Column("x", Float, nullable=False),
    Column("y", Float, nullable=False),
    PrimaryKeyConstraint("run", "item_seq"),
)
# Items an admin moved to the front of the queue (POST /admin/api/embedding_viz/reorder):
# leasing offers the open ones, lowest rank first, before the strategy's own order.
queue_front = Table(
    "queue_front",
    metadata,
    Column("item_seq", Integer, ForeignKey("items.seq", ondelete="CASCADE"), primary_key=True),
    Column("rank", Integer, nullable=False),
    Column("added_at", Float, nullable=False),
)
Index("ix_queue_front_rank", queue_front.c.rank)
# A named lock held across processes on one database (SQLite file or PostgreSQL): the row
# exists while a holder has it; `expires_at` frees it when the holder died.
store_locks = Table(
    "store_locks",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("expires_at", Float, nullable=False),
)
# The builtin AI model's versions, per scheme (ai/builtin/): the pickled model, when it was
# trained, on how many answers, and its held-out score. The newest few are kept.
ai_models = Table(
    "ai_models",
    metadata,
    Column("schema", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("trained_at", Float, nullable=False),
    Column("n_answers", Integer, nullable=False),
    Column("score", Float, nullable=True),
    Column("info", Text, nullable=False),  # JSON: labels, features, held-out size, ...
    Column("model", LargeBinary, nullable=False),
    PrimaryKeyConstraint("schema", "version"),
)

# ICL labelling (ai/icl.py): a model's prediction for an item and scheme, and the human
# verification of it (status pending | verified_correct | verified_incorrect).
icl_predictions = Table(
    "icl_predictions",
    metadata,
    Column("item_seq", Integer, ForeignKey("items.seq", ondelete="CASCADE"), nullable=False),
    Column("schema", String(200), nullable=False),
    Column("label", Text, nullable=False),  # JSON
    Column("confidence", Float, nullable=True),
    Column("provider", String(100), nullable=False),
    Column("model_version", String(200), nullable=False, server_default=""),
    Column("reasoning", Text, nullable=False, server_default=""),
    Column("examples", Text, nullable=False, server_default="[]"),  # JSON item ids
    Column("created_at", Float, nullable=False),
    Column("status", String(30), nullable=False, server_default="pending"),
    Column("human_label", Text, nullable=True),  # JSON
    Column("verified_by", String(200), nullable=True),
    Column("verified_at", Float, nullable=True),
    # sampled for verification (verification.sample_rate): handed to annotators among their
    # normal items at assignment_mix_rate (store/icl.verification_candidates)
    Column("routed", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("item_seq", "schema"),
)
Index("ix_icl_predictions_status", icl_predictions.c.schema, icl_predictions.c.status)
Index(
    "ix_icl_predictions_routed",
    icl_predictions.c.routed,
    icl_predictions.c.status,
    icl_predictions.c.confidence,
)
# LLM suggestions kept across restarts and shared by server processes (store/ai_cache.py):
# key = JSON [provider, model, item id, schema], value = the suggestion's JSON
ai_cache = Table(
    "ai_cache",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)
# AI assistance (ai/service.py): the suggestion last shown to a user for an item's scheme and
# what became of it (accepted: the saved answer equals it; overridden: saved otherwise), for
# the automation-bias report and the exports' ai_accepted marks.
ai_suggestions = Table(
    "ai_suggestions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, nullable=False),
    Column("item_seq", Integer, nullable=False),
    Column("schema", String(200), nullable=False),
    Column("provider", String(80), nullable=False, server_default=""),
    Column("model", String(200), nullable=False, server_default=""),
    Column("label", Text, nullable=False, server_default="null"),
    Column("confidence", Float, nullable=True),
    Column("shown_at", Float, nullable=False),
    Column("outcome", String(20), nullable=True),
    Column("decided_at", Float, nullable=True),
    UniqueConstraint("user_id", "item_seq", "schema", name="uq_ai_suggestions_user_item_schema"),
)
Index("ix_ai_suggestions_item", ai_suggestions.c.item_seq)

# Chat about an item (chat_support) and agent chat: one row per message, per user and item.
ai_chat_messages = Table(
    "ai_chat_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, nullable=False),
    Column("item_seq", Integer, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("role", String(20), nullable=False),
    Column("content", Text, nullable=False),
    Column("ts", Float, nullable=False),
    Column("finished_at", Float, nullable=True),  # agent chat: set on the whole talk by finish
)
Index(
    "ix_ai_chat_user_item",
    ai_chat_messages.c.user_id,
    ai_chat_messages.c.item_seq,
    ai_chat_messages.c.channel,
)

# -- /api/v1 service records (seed 004): jobs, datasets, audio, annotation sets, models -----
# `owner` scopes a record to who may see it: "workspace" for unrestricted keys (and the
# admin key), "project:<slug>" for a key restricted to one project.
jobs = Table(
    "jobs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(40), nullable=False),  # training | inference | export (jobs/registry)
    Column("owner", String(120), nullable=False),
    Column("status", String(20), nullable=False),  # queued|running|completed|failed|cancelled
    Column("params", Text, nullable=False),  # JSON
    Column("result", Text, nullable=True),  # JSON, when completed
    Column("progress", Float, nullable=False, server_default="0"),
    Column("error", Text, nullable=True),
    Column("cancel_requested", Integer, nullable=False, server_default="0"),
    Column("lease_owner", String(120), nullable=True),  # the worker holding it
    Column("lease_expires_at", Float, nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float, nullable=True),
    Column("finished_at", Float, nullable=True),
    Column("updated_at", Float, nullable=False),
    Index("ix_jobs_status_created", "status", "created_at"),
    Index("ix_jobs_owner_kind", "owner", "kind", "created_at"),
)

datasets = Table(
    "datasets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner", String(120), nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_datasets_owner", "owner", "created_at"),
)

audio_files = Table(
    "audio_files",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("dataset_id", String(36), ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("status", String(20), nullable=False),  # pending|uploading|uploaded|ready|invalid
    Column("upload_expires_at", Float, nullable=False),
    Column("duration_seconds", Float, nullable=True),
    Column("sample_rate", Integer, nullable=True),
    Column("created_at", Float, nullable=False),
    Index("ix_audio_files_dataset", "dataset_id", "created_at"),
)

annotation_sets = Table(
    "annotation_sets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("dataset_id", String(36), ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("status", String(20), nullable=False),  # draft | published
    Column("created_at", Float, nullable=False),
    Column("published_at", Float, nullable=True),
    Index("ix_annotation_sets_dataset", "dataset_id", "created_at"),
)

audio_annotations = Table(
    "audio_annotations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column(
        "set_id",
        String(36),
        ForeignKey("annotation_sets.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "audio_id", String(36), ForeignKey("audio_files.id", ondelete="CASCADE"), nullable=False
    ),
    Column("start_seconds", Float, nullable=False),
    Column("end_seconds", Float, nullable=False),
    Column("label", String(100), nullable=False),
    Column("created_at", Float, nullable=False),
    Index("ix_audio_annotations_set", "set_id", "created_at"),
)

audio_models = Table(
    "audio_models",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner", String(120), nullable=False),
    Column("annotation_set_id", String(36), nullable=False),
    Column("training_job_id", String(36), nullable=False),
    Column("labels", Text, nullable=False),  # JSON list
    Column("metrics", Text, nullable=False),  # JSON: the held-out score
    Column("created_at", Float, nullable=False),
)

# Idempotency-Key on creates: the first answer, replayed for the same key and body.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("api_key", String(120), nullable=False),  # the API key's id ("admin": project key)
    Column("key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),  # method, path and body
    Column("status_code", Integer, nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    PrimaryKeyConstraint("api_key", "key"),
)

# Potato's corpus map (store/corpus_map.py, embeddings/corpus_map.py): the one current build
# of the project's 2-D cluster map (points, clusters, neighbours) as JSON.
corpus_maps = Table(
    "corpus_maps",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1: one map per project
    Column("built_at", Float, nullable=False),
    Column("data", Text, nullable=False),
)

# The webhook outbox (store/outbox.py, webhooks/outbox.py): one row per delivery (an HTTP
# POST or an e-mail), written in the transaction that caused it, sent by a background pass.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(64), primary_key=True),  # also the `webhook-id` header
    Column("event", String(100), nullable=False),
    Column("target", String(2000), nullable=False),  # an http(s) URL or an e-mail address
    Column("payload", Text, nullable=False),  # the exact JSON body sent
    Column("headers", Text, nullable=False, server_default="{}"),  # extra headers (JSON)
    # Sign with this named secret of the delivery settings (a Potato endpoint's `secret`)
    # instead of the store's own; the secret itself stays in the config, not here.
    Column("secret_ref", String(100), nullable=True),
    Column("status", String(20), nullable=False),  # pending|delivered|failed|undeliverable
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("created_at", Float, nullable=False),
    Column("next_attempt_at", Float, nullable=True),  # null unless pending
    Column("retry_until", Float, nullable=False),  # give up after this (24 h; a re-send renews)
    Column("last_attempt_at", Float, nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", Float, nullable=True),
)
Index(
    "ix_webhook_deliveries_due", webhook_deliveries.c.status, webhook_deliveries.c.next_attempt_at
)
Index("ix_webhook_deliveries_created", webhook_deliveries.c.created_at)

# The rollout judge's verdicts (ai/rollout_judge.py, store/rollout_predictions.py): one row per
# prompt version, item, schema and stream, the prediction as JSON. Kept per prompt version so
# a re-run after a prompt change is compared like with like.
rollout_predictions = Table(
    "rollout_predictions",
    metadata,
    Column("prompt_version", String(200), nullable=False),
    Column("item_id", String(500), nullable=False),
    Column("schema", String(200), nullable=False),
    Column("stream", String(200), nullable=False),
    Column("prediction", Text, nullable=False),
    Column("judged_at", Float, nullable=False),
    PrimaryKeyConstraint("prompt_version", "item_id", "schema", "stream"),
)

# The labelling services' tables live in their own modules and register on `metadata` too.
from . import batch_tables, hitl_jobs, jtheta_tables  # noqa: E402, F401
