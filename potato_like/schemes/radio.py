"""`annotation_type: radio` — exactly one label."""

from __future__ import annotations

from ..config.reader import ConfigReader
from . import item_labels
from .choice import ChoiceScheme
from .registry import register


@register("radio")
class Radio(item_labels.ItemLabels, ChoiceScheme):
    macro = "schemes/choice.html"
    option_keys = (*ChoiceScheme.option_keys, *item_labels.KEYS)
    humanized_by_default = True
    single_choice = True
    input_type = "radio"
    agreement_metric = "nominal"
    learned_as = "classes"
    confusion_matrix = True
    numbered_when_alone = True
    survey_default = True

    def parse_options(self, reader: ConfigReader) -> None:
        super().parse_options(reader)
        self.read_item_label_options(reader)
