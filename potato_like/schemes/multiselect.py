"""`annotation_type: multiselect` — any number of labels (checkboxes)."""

from __future__ import annotations

from ..config.reader import ConfigReader
from . import item_labels
from .choice import ChoiceScheme
from .registry import register


@register("multiselect")
class Multiselect(item_labels.ItemLabels, ChoiceScheme):
    macro = "schemes/choice.html"
    option_keys = (*ChoiceScheme.option_keys, *item_labels.KEYS)
    humanized_by_default = True
    single_choice = False
    input_type = "checkbox"
    agreement_metric = "masi"
    learned_as = "label_set"
    survey_names = ("checkbox",)

    def parse_options(self, reader: ConfigReader) -> None:
        super().parse_options(reader)
        self.read_item_label_options(reader)
