"""`annotation_type: multiselect` — any number of labels (checkboxes)."""

from __future__ import annotations

from .choice import ChoiceScheme
from .registry import register


@register("multiselect")
class Multiselect(ChoiceScheme):
    macro = "schemes/choice.html"
    single_choice = False
    input_type = "checkbox"
    agreement_metric = "masi"
    survey_names = ("checkbox",)
