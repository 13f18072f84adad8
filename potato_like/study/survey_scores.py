"""Scores of the bundled instruments a user answered, computed from their stored phase answers.

Scores are derived, not stored twice: the answers are the record (saved in the phase's
transaction), and the instrument files say how they score. Reading them again after a fix to
an instrument's scoring gives the corrected scores for everyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.study_model import PhasePage
from .instruments import score


def page_scores(page: PhasePage, answers: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """{instrument id: {score name: {"value", "band"?} or None}} for one phase page's stored
    answers ({item id: label map})."""
    by_name = {s.name: s for s in page.schemes}
    chosen: dict[str, Any] = {}
    for name, label_map in answers.items():
        scheme = by_name.get(name)
        if scheme is not None and isinstance(label_map, Mapping):
            chosen[name] = scheme.answer(label_map)
    return {inst.id: score(inst, chosen) for inst in page.instruments}


def user_scores(
    pages: tuple[PhasePage, ...], phase_answers: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """{phase name: {instrument id: scores}} for the phases with instruments the user
    submitted."""
    out: dict[str, dict[str, Any]] = {}
    for page in pages:
        answers = phase_answers.get(page.name)
        if page.instruments and isinstance(answers, Mapping):
            out[page.name] = page_scores(page, answers)
    return out
