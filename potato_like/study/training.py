"""Training: questions with known answers, feedback, retries and a pass/fail outcome.

A user's training state is replayed from their stored answers (training_answers), so it
survives restarts and needs no extra state. The rules (Potato's `passing_criteria`):
- a question counts as correct when its *first* answer in a round is right; with
  `allow_retry` a wrong answer is shown with its explanation and the question is asked again
  (retries teach, they do not score); without it the next question follows;
- the user passes as soon as `min_correct` questions are correct (default: all of them), or,
  with `require_all_correct`, at the end of a round in which every question was correct;
- `max_mistakes` (all rounds) and `max_mistakes_per_question` end training as failed;
- at the end of a round that did not pass, `failure_action: repeat_training` starts a new
  round (up to `max_attempts` rounds), `move_to_done` ends training as failed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..config.study_model import TrainingConfig, TrainingItem
from ..store.study import TrainingAnswer


@dataclass
class TrainingState:
    round: int = 1
    index: int = 0  # the question asked now
    correct: int = 0  # questions right at the first answer, this round
    mistakes: int = 0  # wrong answers, all rounds
    per_question: Counter = field(default_factory=Counter)
    tried: set = field(default_factory=set)  # questions answered wrongly this round
    outcome: str | None = None  # passed | failed
    reason: str | None = None
    last: TrainingAnswer | None = None  # the latest answer, for feedback
    last_item: TrainingItem | None = None

    def question(self, cfg: TrainingConfig) -> TrainingItem | None:
        if self.outcome or self.index >= len(cfg.items):
            return None
        return cfg.items[self.index]


def replay(cfg: TrainingConfig, answers: list[TrainingAnswer]) -> TrainingState:
    state = TrainingState()
    for answer in answers:
        item = state.question(cfg)
        if item is None:
            break
        if answer.round != state.round or answer.question != item.id:
            continue  # a stale answer (another tab, or the config changed)
        record(cfg, state, item, answer)
    return state


def record(cfg: TrainingConfig, state: TrainingState, item: TrainingItem, answer) -> None:
    """Apply one answer to the state (the answer is about the current question)."""
    state.last, state.last_item = answer, item
    if answer.correct:
        if item.id not in state.tried:
            state.correct += 1
        state.index += 1
    else:
        state.mistakes += 1
        state.per_question[item.id] += 1
        state.tried.add(item.id)
        if not cfg.allow_retry:
            state.index += 1
        if cfg.max_mistakes is not None and state.mistakes >= cfg.max_mistakes:
            state.outcome, state.reason = "failed", "too many mistakes"
            return
        limit = cfg.max_mistakes_per_question
        if limit is not None and state.per_question[item.id] >= limit:
            state.outcome, state.reason = "failed", "too many mistakes on one question"
            return
    n = len(cfg.items)
    if not cfg.require_all_correct and state.correct >= cfg.min_correct:
        state.outcome = "passed"
        return
    if state.index < n:
        return
    passed = state.correct == n if cfg.require_all_correct else state.correct >= cfg.min_correct
    if passed:
        state.outcome = "passed"
    elif cfg.failure_action == "repeat_training" and (
        cfg.max_attempts is None or state.round < cfg.max_attempts
    ):
        state.round += 1
        state.index = state.correct = 0
        state.tried = set()
    else:
        state.outcome, state.reason = "failed", "not enough correct answers"


def summary(cfg: TrainingConfig, state: TrainingState) -> dict:
    """Training progress for the admin API and the JSON phase API."""
    answered = sum(state.per_question.values()) + state.correct
    return {
        "completed": state.outcome == "passed",
        "outcome": state.outcome,
        "round": state.round,
        "current_question": min(state.index + 1, len(cfg.items)),
        "total_questions": len(cfg.items),
        "correct_answers": state.correct,
        "mistakes": state.mistakes,
        "pass_rate": round(state.correct / answered, 4) if answered else None,
    }
