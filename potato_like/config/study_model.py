"""Frozen settings of the study flow (phases, training) and of quality control."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..schemes.base import Scheme
    from ..study.instruments import Instrument

PHASE_TYPES = ("consent", "prestudy", "instructions", "training", "annotation", "poststudy")

# (schema, ((label, value), ...)) pairs: a label map per scheme, hashable for frozen classes.
Expected = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def expected_maps(expected: Expected) -> dict[str, dict[str, str]]:
    return {schema: dict(pairs) for schema, pairs in expected}


@dataclass(frozen=True)
class PhasePage:
    """One entry of `phases.order`. Content phases (consent, prestudy, instructions,
    poststudy) have sanitised HTML and/or questions; `gates` are the questions whose answer
    must be one of the listed labels (`label_requirement.right_label`) to go on."""

    name: str
    type: str
    header: str = ""
    html: str | None = None
    schemes: tuple[Scheme, ...] = ()
    gates: tuple[tuple[str, tuple[str, ...]], ...] = ()
    instruments: tuple[Instrument, ...] = ()  # bundled questionnaires, asked first, scored

    @property
    def title(self) -> str:
        return self.header or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class TrainingItem:
    id: str
    text: str
    expected: Expected
    explanation: str | None = None
    categories: tuple[str, ...] = ()  # for category_based assignment's qualification

    @property
    def answer_maps(self) -> dict[str, dict[str, str]]:
        return expected_maps(self.expected)


@dataclass(frozen=True)
class TrainingConfig:
    enabled: bool = False
    items: tuple[TrainingItem, ...] = ()
    scheme_names: tuple[str, ...] = ()
    min_correct: int = 0
    require_all_correct: bool = False
    max_mistakes: int | None = None
    max_mistakes_per_question: int | None = None
    max_attempts: int | None = None
    allow_retry: bool = True
    show_explanations: bool = True
    failure_action: str = "move_to_done"  # or repeat_training


@dataclass(frozen=True)
class QcItem:
    """An attention check or a gold-standard item from its items file."""

    kind: str  # attention_check | gold_standard
    id: str
    text: str
    expected: Expected
    explanation: str | None = None
    fields_json: str = "{}"

    @property
    def answer_maps(self) -> dict[str, dict[str, str]]:
        return expected_maps(self.expected)

    @property
    def fields(self) -> dict[str, Any]:
        return json.loads(self.fields_json)


@dataclass(frozen=True)
class AttentionConfig:
    enabled: bool = False
    items: tuple[QcItem, ...] = ()
    frequency: int | None = None  # one check after every N completed items
    probability: float | None = None  # or: a check after each completion with this chance
    min_response_time: float | None = None  # answered faster than this: failed
    warn_threshold: int = 2
    warn_message: str = "Please read items carefully before answering."
    block_threshold: int | None = 5
    block_message: str = "You have been blocked due to too many incorrect responses."


@dataclass(frozen=True)
class GoldConfig:
    enabled: bool = False
    items: tuple[QcItem, ...] = ()
    frequency: int | None = None
    probability: float | None = None
    min_threshold: float | None = None
    evaluation_count: int = 5
    block_below_threshold: bool = False
    block_message: str = (
        "Your answers on check items were too often wrong to continue. Thank you for your time."
    )
    show_correct_answer: bool = False
    show_explanation: bool = False

    @property
    def feedback(self) -> bool:
        return self.show_correct_answer or self.show_explanation


@dataclass(frozen=True)
class PromotionConfig:
    enabled: bool = False
    min_annotators: int = 3
    agreement_threshold: float = 1.0


@dataclass(frozen=True)
class PreAnnotationConfig:
    enabled: bool = False
    field: str = "predictions"
    allow_modification: bool = True
    show_confidence: bool = False
    highlight_low_confidence: float | None = None


@dataclass(frozen=True)
class StudyConfig:
    phases: tuple[PhasePage, ...] = (PhasePage("annotation", "annotation"),)
    training: TrainingConfig = TrainingConfig()
    attention: AttentionConfig = AttentionConfig()
    gold: GoldConfig = GoldConfig()
    promotion: PromotionConfig = PromotionConfig()
    pre_annotation: PreAnnotationConfig = PreAnnotationConfig()

    @property
    def first_phase(self) -> str:
        return self.phases[0].name

    @property
    def annotation_phase(self) -> str:
        return next(p.name for p in self.phases if p.type == "annotation")

    @property
    def has_flow(self) -> bool:
        """Anything beyond the plain annotation loop (phases or quality control)?"""
        return len(self.phases) > 1 or self.qc_enabled

    @property
    def qc_enabled(self) -> bool:
        return self.attention.enabled or self.gold.enabled

    def page(self, name: str) -> PhasePage | None:
        return next((p for p in self.phases if p.name == name), None)

    def next_phase(self, name: str) -> str | None:
        names = [p.name for p in self.phases]
        if name not in names:
            return None
        i = names.index(name)
        return names[i + 1] if i + 1 < len(names) else None

    def phase_index(self, name: str) -> int:
        names = [p.name for p in self.phases]
        return names.index(name) if name in names else len(names)
