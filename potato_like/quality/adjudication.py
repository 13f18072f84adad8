"""Adjudication: which items need an expert, what they see, and what a decision may say.

No SQL and no Flask here: the store (store/gold.py) gives answers and decisions, web/adjudicate.py
serves them. Nothing names an annotation type: answers are compared with the scheme's own
`same_answer`, and a decided answer is read with the scheme's `from_answer`.

Agreement of an item, per scheme: the share of its annotators who gave the most common answer
(1.0 when all agree); the item's agreement is the mean over the schemes answered. An item is
queued when that is below `agreement_threshold` (or always with `show_all_items`), or when an
annotator flagged it (`POST /api/flag_item`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import BadAnnotation, BadRequest
from ..project import TtlCache

if TYPE_CHECKING:
    from ..config.gold import AdjudicationConfig
    from ..config.model import ProjectConfig
    from ..project import Project

QUEUE_SECONDS = 30.0
PENDING, SKIPPED, COMPLETED = "pending", "skipped", "completed"
QUEUE_STATUSES = (PENDING, SKIPPED, COMPLETED)
MAX_NOTES = 10_000


@dataclass
class QueueEntry:
    seq: int
    instance_id: str
    num_annotators: int
    agreement_scores: dict[str, float]
    overall_agreement: float
    status: str = PENDING
    adjudicator: str | None = None
    flagged: bool = False  # an annotator flagged the item (POST /api/flag_item)

    def as_json(self) -> dict[str, Any]:
        return {
            "flagged": self.flagged,
            "instance_id": self.instance_id,
            "num_annotators": self.num_annotators,
            "agreement_scores": self.agreement_scores,
            "overall_agreement": self.overall_agreement,
            "status": self.status,
            "assigned_adjudicator": self.adjudicator,
        }


@dataclass
class Groups:
    """One scheme's answers on one item, grouped by equal answer (largest group first)."""

    answers: list[tuple[list[str], dict[str, Any]]] = field(default_factory=list)

    def add(self, scheme: Any, user: str, value: dict[str, Any]) -> None:
        for users, seen in self.answers:
            if scheme.same_answer(seen, value):
                users.append(user)
                return
        self.answers.append(([user], value))

    @property
    def agreement(self) -> float:
        total = sum(len(users) for users, _ in self.answers)
        return max(len(users) for users, _ in self.answers) / total if total else 1.0

    def majority(self) -> dict[str, Any] | None:
        """The most common answer when it is the only most common one, else None."""
        ordered = sorted(self.answers, key=lambda g: -len(g[0]))
        if not ordered or (len(ordered) > 1 and len(ordered[1][0]) == len(ordered[0][0])):
            return None
        return ordered[0][1]


def group_answers(
    config: ProjectConfig, answers: list[tuple[str, str, dict[str, Any]]]
) -> dict[str, Groups]:
    """scheme name -> Groups, from (username, schema, label map) answers of one item."""
    out: dict[str, Groups] = {}
    for user, schema, value in answers:
        scheme = config.scheme(schema)
        if scheme is None or not value:
            continue
        out.setdefault(schema, Groups()).add(scheme, user, value)
    return out


def agreement_of(groups: Mapping[str, Groups]) -> tuple[dict[str, float], float]:
    scores = {name: round(g.agreement, 4) for name, g in groups.items()}
    overall = round(sum(scores.values()) / len(scores), 4) if scores else 1.0
    return scores, overall


def eligible_entries(project: Project) -> list[QueueEntry]:
    """Items that need adjudication (before statuses), lowest agreement first; cached for
    QUEUE_SECONDS per count of finished items."""
    store = project.store
    with store.read() as conn:
        done = store.counter(conn, "done_assignments")
    cache = project.cache("adjudication_queue", lambda: TtlCache(QUEUE_SECONDS, max_entries=8))
    return cache.get(done, lambda: _eligible(project))


def _eligible(project: Project) -> list[QueueEntry]:
    cfg: AdjudicationConfig = project.config.adjudication
    gold = project.store.gold
    candidates = gold.finished_items(cfg.min_annotations)
    if cfg.require_fully_annotated:
        target = project.config.max_annotations_per_item
        candidates = [c for c in candidates if target is None or c[2] >= target]
    flagged = project.store.admin.flagged_seqs()
    entries = []
    for start in range(0, len(candidates), 2000):
        chunk = candidates[start : start + 2000]
        answers = gold.answers_of_items([c[0] for c in chunk])
        for seq, item_id, done, _status in chunk:
            scores, overall = agreement_of(group_answers(project.config, answers[seq]))
            if cfg.show_all_items or overall < cfg.agreement_threshold or seq in flagged:
                entries.append(
                    QueueEntry(seq, item_id, done, scores, overall, flagged=seq in flagged)
                )
    entries.sort(key=lambda e: (e.overall_agreement, e.seq))
    return entries


def queue(project: Project, user_id: int | None) -> list[QueueEntry]:
    """The queue with each entry's status for this adjudicator: pending first (lowest
    agreement first), then skipped, then completed."""
    gold = project.store.gold
    decided = {d.item_seq: d.adjudicator for d in gold.decisions()}
    skipped = gold.skipped_seqs(user_id) if user_id is not None else set()
    out = []
    for base in eligible_entries(project):
        entry = QueueEntry(**{**base.__dict__})
        if entry.seq in decided:
            entry.status, entry.adjudicator = COMPLETED, decided[entry.seq]
        elif entry.seq in skipped:
            entry.status = SKIPPED
        out.append(entry)
    order = {PENDING: 0, SKIPPED: 1, COMPLETED: 2}
    out.sort(key=lambda e: (order[e.status], e.overall_agreement, e.seq))
    return out


@dataclass(frozen=True)
class CheckedDecision:
    labels: dict[str, dict[str, Any]]  # schema -> stored label map
    source: dict[str, str]
    confidence: str | None
    notes: str
    error_categories: list[str]
    time_spent_ms: int


def check_decision(
    config: ProjectConfig, body: Mapping[str, Any], groups: Mapping[str, Groups]
) -> CheckedDecision:
    """A submitted decision, checked against the schemes and the adjudication settings;
    BadRequest naming the field otherwise. `groups` are the item's answers (to tell an
    annotator's answer from the adjudicator's own edit)."""
    from ..config.gold import CONFIDENCE_LEVELS

    cfg = config.adjudication
    raw = body.get("label_decisions")
    if not isinstance(raw, Mapping) or not raw:
        raise BadRequest("label_decisions must be a non-empty object {schema: answer}")
    labels: dict[str, dict[str, Any]] = {}
    source: dict[str, str] = {}
    for schema, value in raw.items():
        scheme = config.scheme(str(schema))
        if scheme is None:
            raise BadRequest(
                f"label_decisions: unknown schema {schema!r}; schemas: "
                f"{', '.join(config.scheme_names)}"
            )
        try:
            stored = scheme.from_answer(value)
        except BadAnnotation as exc:
            raise BadRequest(f"label_decisions: {exc}") from None
        except (TypeError, ValueError) as exc:
            raise BadRequest(f"label_decisions: {exc}") from None
        if not stored:
            raise BadRequest(f"label_decisions.{schema}: the answer is empty")
        labels[scheme.name] = stored
        given = groups.get(scheme.name)
        match = (
            next((users for users, v in given.answers if scheme.same_answer(v, stored)), None)
            if given
            else None
        )
        source[scheme.name] = f"annotator:{match[0]}" if match else "adjudicator"
    confidence = body.get("confidence")
    if confidence in (None, ""):
        if cfg.require_confidence:
            raise BadRequest(f"confidence is required: one of {', '.join(CONFIDENCE_LEVELS)}")
        confidence = None
    elif confidence not in CONFIDENCE_LEVELS:
        raise BadRequest(f"confidence must be one of {', '.join(CONFIDENCE_LEVELS)}")
    notes = body.get("notes") or ""
    if not isinstance(notes, str) or len(notes) > MAX_NOTES:
        raise BadRequest(f"notes must be text of at most {MAX_NOTES} characters")
    if cfg.require_notes_on_override and "adjudicator" in source.values() and not notes.strip():
        raise BadRequest("notes are required when the decision overrides every annotator")
    categories = body.get("error_taxonomy") or []
    if isinstance(categories, str):
        categories = [categories]
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise BadRequest("error_taxonomy must be a list of category names")
    unknown = [c for c in categories if c not in cfg.error_taxonomy]
    if unknown:
        raise BadRequest(
            f"error_taxonomy: unknown categories {unknown}; "
            f"categories: {', '.join(cfg.error_taxonomy)}"
        )
    spent = body.get("time_spent_ms", 0)
    if isinstance(spent, bool) or not isinstance(spent, (int, float)) or spent < 0:
        raise BadRequest("time_spent_ms must be a number of milliseconds >= 0")
    return CheckedDecision(
        labels=labels,
        source=source,
        confidence=confidence,
        notes=notes,
        error_categories=list(dict.fromkeys(categories)),
        time_spent_ms=int(min(spent, 2**31 - 1)),
    )
