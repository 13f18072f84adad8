"""`annotation_type: radio` — exactly one label."""

from __future__ import annotations

from .choice import ChoiceScheme
from .registry import register


@register("radio")
class Radio(ChoiceScheme):
    macro = "schemes/choice.html"
    single_choice = True
    input_type = "radio"
    agreement_metric = "nominal"
    confusion_matrix = True
    numbered_when_alone = True
    survey_default = True
