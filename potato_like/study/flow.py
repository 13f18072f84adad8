"""Moving users through the phases of a study.

A user's phase and status live on their account row (users.phase, users.study_status), so a
returning user resumes where they were, on any server process. Only the current phase can be
submitted; pages of later phases are never served (no skipping ahead by URL).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..config.study_model import PhasePage, TrainingConfig
from ..errors import BadRequest, Blocked, WrongPhase
from ..store import calibration
from ..store.study import FlowState
from ..submission import SchemeSet, compute_for, parse_update
from . import training

if TYPE_CHECKING:
    from ..project import Project

ACTIVE, BLOCKED, FAILED, COMPLETED = "active", "blocked", "failed", "completed"
INCOMPLETE = "incomplete"  # status reason: nothing left, too few answers to complete


def answered_count(project: Any, user_id: int) -> int:
    row = project.store.users.get(user_id)
    return row.done_count if row else 0


def too_few_answers(project: Any, user_id: int) -> bool:
    """Did the user pass over the work they were given? (Fewer answers than
    `min_annotations_for_completion` although items were offered: one never offered any item,
    as when a strategy has none for them, is not held to it.)"""
    row = project.store.users.get(user_id)
    if row is None or row.next_pos == 0:
        return False
    return row.done_count < project.config.min_annotations_for_completion


@dataclass(frozen=True)
class PhaseResult:
    """What happened to a submitted phase page."""

    phase: str  # the phase the user is in now
    status: str
    feedback: dict[str, Any] | None = None  # training: was the answer right, and why


class StudyFlow:
    def __init__(self, project: Project) -> None:
        self.project = project

    @property
    def study(self):
        return self.project.config.study

    @property
    def training(self) -> TrainingConfig:
        """The config's training, with the questions of seed-002 calibration batches after
        its own (store/calibration.py). With the default `min_correct` (every question)
        those count too; an explicit lower `min_correct` stays as configured."""
        cfg = self.study.training
        if not cfg.enabled:
            return cfg
        extra = calibration.training_items(self.project.store)
        if not extra:
            return cfg
        everything = cfg.min_correct == len(cfg.items)
        items = cfg.items + extra
        return replace(cfg, items=items, min_correct=len(items) if everything else cfg.min_correct)

    def state(self, user_id: int) -> FlowState:
        state = self.project.store.study.state(user_id)
        if state is None:
            raise BadRequest("unknown user")
        if self.study.page(state.phase) is None:
            # Their phase was removed from the config since they started: they go on from the
            # annotation phase. Stored, so that moving on from there (which expects the stored
            # phase) works.
            phase = self.study.annotation_phase
            if state.status == ACTIVE:
                self.project.store.study.set_phase(user_id, phase, expect_phase=state.phase)
            return FlowState(phase, state.status, state.reason, state.pending)
        return state

    def page(self, state: FlowState) -> PhasePage:
        return self.study.page(state.phase)

    def in_annotation(self, state: FlowState) -> bool:
        return state.status == ACTIVE and self.page(state).type == "annotation"

    def require_annotation(self, user_id: int) -> FlowState:
        """For the session API: the user must be annotating (not blocked, not in another
        phase). Returns their state (with any pending check)."""
        state = self.state(user_id)
        if state.status == BLOCKED:
            raise Blocked(self.project.checks.block_message(state))
        if not self.in_annotation(state):
            raise WrongPhase(self.wrong_phase_message(state), phase=state.phase)
        return state

    def wrong_phase_message(self, state: FlowState) -> str:
        if state.status == FAILED:
            return "this study has ended for you"
        if state.status == COMPLETED:
            return "you have completed this study"
        return f"finish the {self.page(state).title.lower()} step first (see /phase)"

    # -- submitting pages ----------------------------------------------------------------
    def submit(self, user_id: int, body: dict[str, Any]) -> PhaseResult:
        """Submit the current phase's page: answers for a question page (or nothing for an
        instructions page). `body["phase"]`, when given, must name the current phase."""
        state = self.settle_annotation(user_id, self.state(user_id))
        page = self.page(state)
        named = body.get("phase")
        if state.status != ACTIVE:
            raise WrongPhase(self.wrong_phase_message(state), phase=state.phase)
        if named not in (None, "") and named != page.name:
            raise WrongPhase(
                f"you are in the {page.name} phase, not {named!r}; reload the page",
                phase=page.name,
            )
        if page.type == "annotation":
            raise WrongPhase("annotate the items on /annotate", phase=page.name)
        if page.type == "training":
            return self._answer_training(user_id, state, body)
        answers = (
            self._answers(page, body, self.known_answers(user_id, page), self._username(user_id))
            if page.schemes
            else {}
        )
        failed = [
            schema
            for schema, right in page.gates
            if not _accepted(page_scheme(page, schema).answer(answers.get(schema, {})), right)
        ]
        store = self.project.store.study
        if failed:
            store.set_phase(
                user_id,
                page.name,
                status=FAILED,
                reason=page.name,
                answers=(page.name, answers),
                expect_phase=page.name,
            )
            return PhaseResult(page.name, FAILED)
        return self._advance(user_id, page.name, answers=(page.name, answers))

    def _answers(
        self, page: PhasePage, body: dict[str, Any], known: dict[str, Any], annotator: str | None
    ) -> dict[str, dict[str, str]]:
        # A phase has no item: schemes that check an answer against the item check it
        # against their configuration (`fields` empty); schemes that assign a condition per
        # respondent (list_experiment's group) check it against this respondent's.
        schemes = SchemeSet(page.schemes, self.project.config.random_seed)
        update = parse_update({**body, "instance_id": page.name}, schemes)
        compute = compute_for(update, schemes, known=known, fields={}, annotator=annotator)
        changes, _ = compute({})
        return {s: m for s, m in changes.items() if m}

    def _username(self, user_id: int) -> str | None:
        row = self.project.store.users.get(user_id)
        return row.username if row else None

    def known_answers(self, user_id: int, page: PhasePage) -> dict[str, Any]:
        """The user's answers on the other phases, as display_logic compares them (for
        survey questions that watch a question of an earlier phase)."""
        stored = self.project.store.study.phase_answers(user_id)
        out: dict[str, Any] = {}
        for other in self.study.phases:
            if other.name == page.name:
                continue
            maps = stored.get(other.name) or {}
            for scheme in other.schemes:
                if maps.get(scheme.name):
                    out[scheme.name] = scheme.comparable(maps[scheme.name])
        return out

    def _advance(self, user_id: int, current: str, answers=None) -> PhaseResult:
        nxt = self.study.next_phase(current)
        store = self.project.store.study
        if nxt is None:
            store.set_phase(
                user_id, current, status=COMPLETED, answers=answers, expect_phase=current
            )
            self._announce(user_id, current, None)
            return PhaseResult(current, COMPLETED)
        store.set_phase(user_id, nxt, answers=answers, expect_phase=current)
        self._announce(user_id, current, nxt)
        return PhaseResult(nxt, ACTIVE)

    def _announce(self, user_id: int, phase: str, next_phase: str | None) -> None:
        """Potato's user.phase_completed webhook (nothing without `webhooks:`)."""
        if self.project.config.webhooks is None:
            return
        from ..webhooks import events

        user = self.project.store.users.get(user_id)
        name = user.username if user else str(user_id)
        events.phase_completed(self.project, name, phase, next_phase)

    def settle_annotation(self, user_id: int, state: FlowState) -> FlowState:
        """For the JSON API, which opens no annotation page: a user annotating with no items
        left and no check pending goes on to the next phase (as /annotate does)."""
        if not self.in_annotation(state) or state.pending:
            return state
        if not self.project.store.assignments.current(user_id, self.project.policy).finished:
            return state
        self.finish_annotation(user_id)
        return self.state(user_id)

    def finish_annotation(self, user_id: int) -> PhaseResult:
        """The user has no items left: go on to the next phase, or complete the study. One
        who answered fewer items than `min_annotations_for_completion` (skipped them all,
        say) ends here with the reason "incomplete", never as completed."""
        state = self.state(user_id)
        if not self.in_annotation(state):
            return PhaseResult(state.phase, state.status)
        if too_few_answers(self.project, user_id):
            self.project.store.study.set_phase(
                user_id, state.phase, status=FAILED, reason=INCOMPLETE, expect_phase=state.phase
            )
            return PhaseResult(state.phase, FAILED)
        return self._advance(user_id, state.phase)

    # -- training --------------------------------------------------------------------------
    def training_state(self, user_id: int) -> training.TrainingState:
        answers = self.project.store.study.training_answers(user_id)
        return training.replay(self.training, answers)

    def training_schemes(self) -> list:
        names = self.training.scheme_names
        return [s for s in self.project.config.schemes if s.name in names]

    def _answer_training(self, user_id: int, state: FlowState, body: dict[str, Any]) -> PhaseResult:
        cfg = self.training
        t_state = self.training_state(user_id)
        item = t_state.question(cfg)
        if item is None:  # decided already (e.g. another tab): settle the phase
            return self._settle_training(user_id, state.phase, t_state)
        asked = body.get("question")
        if asked not in (None, "") and str(asked) != item.id:
            raise WrongPhase(
                f"training question {asked!r} is not the one asked now ({item.id!r}); reload",
                phase=state.phase,
            )
        schemes = SchemeSet(self.training_schemes())
        update = parse_update({**body, "instance_id": item.id}, schemes)
        given, _ = compute_for(update, schemes)({})
        given = {s: m for s, m in given.items() if m}
        expected = item.answer_maps
        correct = all(
            self.project.config.scheme(s).same_answer(given.get(s), m) for s, m in expected.items()
        )
        self.project.store.study.add_training_answer(
            user_id, t_state.round, item.id, correct, given
        )
        answer = training.TrainingAnswer(t_state.round, item.id, correct, given, 0.0)
        training.record(cfg, t_state, item, answer)
        feedback = self.feedback(item, correct)
        result = self._settle_training(user_id, state.phase, t_state)
        return PhaseResult(
            result.phase, result.status, {**feedback, **training.summary(cfg, t_state)}
        )

    def feedback(self, item, correct: bool) -> dict[str, Any]:
        cfg = self.training
        out: dict[str, Any] = {"question": item.id, "correct": correct}
        if not correct:
            scheme = self.project.config.scheme
            out["correct_answer"] = {s: scheme(s).answer(m) for s, m in item.answer_maps.items()}
            if cfg.show_explanations and item.explanation:
                out["explanation"] = item.explanation
            out["retry"] = cfg.allow_retry
        return out

    def _settle_training(self, user_id: int, phase: str, t_state) -> PhaseResult:
        if t_state.outcome == "passed":
            return self._advance(user_id, phase)
        if t_state.outcome == "failed":
            self.project.store.study.set_phase(
                user_id, phase, status=FAILED, reason="training", expect_phase=phase
            )
            return PhaseResult(phase, FAILED)
        return PhaseResult(phase, ACTIVE)


def _accepted(answer: Any, right: tuple[str, ...]) -> bool:
    if isinstance(answer, list):
        return bool(answer) and all(str(a) in right for a in answer)
    return answer is not None and str(answer) in right


def page_scheme(page: PhasePage, name: str):
    return next(s for s in page.schemes if s.name == name)
