"""`annotation_type: conjoint` — choose one of `profiles_per_set` profiles (each a level of
every attribute), or none of them (`show_none_option`).

An item's profiles come from its `profiles_field` (a list of {attribute: level}) or are
drawn from `attributes`, the same for every annotator of the item (seeded by the scheme
and the item id), so answers can be analysed afterwards. Sent as Potato does,
`"schema:schema": "2"` (the profile's number) or `"none"`; stored `{"<schema>": "2"}`.
`part_worths()` estimates each level's utility with a conditional logit fitted as a
logistic regression on profile differences (scikit-learn, loaded on use)."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterable, Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Label, Scheme
from .registry import register

NONE = "none"


@register("conjoint")
class Conjoint(Scheme):
    stylesheet = "css/scales.css"
    macro = "schemes/conjoint.html"
    option_keys = ("profiles_per_set", "attributes", "show_none_option", "profiles_field")
    tallied = True
    agreement_metric = "nominal"
    confusion_matrix = True
    profiles: list[dict[str, str]] = []
    analysis_title = "Part-worths (conditional logit)"

    def parse_options(self, reader: ConfigReader) -> None:
        self.per_set = reader.number("profiles_per_set", 3, integer=True, minimum=2, maximum=9)
        self.attributes: list[tuple[str, list[str]]] = []
        for _i, sub in reader.entries("attributes", "a mapping with name and levels"):
            name = sub.str("name", "", required=True)
            levels = sub.string_list("levels")
            if len(levels) < 2:
                sub.problem("levels", "needs at least two levels")
                continue
            self.attributes.append((name, levels))
        self.profiles_field = reader.str("profiles_field", "", allow_empty=True) or None
        if not self.attributes and not self.profiles_field:
            reader.problem("attributes", "is required (or profiles_field)")
        self.show_none = reader.bool("show_none_option", True)
        self.labels = [Label(str(i), key=str(i)) for i in range(1, self.per_set + 1)]
        if self.show_none:
            self.labels.append(Label(NONE, key="0", text="None of these"))
        self.labels_configured = False

    def profiles_for(self, fields: Mapping[str, Any], item_id: str) -> list[dict[str, str]]:
        """The profiles one item shows: from its `profiles_field`, else drawn."""
        given = fields.get(self.profiles_field) if self.profiles_field else None
        if isinstance(given, list) and given and all(isinstance(p, Mapping) for p in given):
            return [{str(k): str(v) for k, v in p.items()} for p in given[: self.per_set]]
        rng = random.Random(f"conjoint\0{self.name}\0{item_id}")
        drawn: list[dict[str, str]] = []
        for _ in range(self.per_set * 20):
            profile = {name: rng.choice(levels) for name, levels in self.attributes}
            if profile not in drawn:
                drawn.append(profile)
            if len(drawn) == self.per_set:
                break
        return drawn

    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        view = copy.copy(self)
        view.profiles = self.profiles_for(fields, item_id)
        return view

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        extra = set(label_map) - {self.name}
        if extra:
            raise BadAnnotation(
                f"{self.name}: unknown label {sorted(extra)[0]!r}; send the choice as "
                f"'{self.name}:{self.name}'"
            )
        value = label_map.get(self.name)
        if value is None or value == "":
            return {}
        choice = str(value).strip().lower()
        if choice not in self.label_names:
            raise BadAnnotation(
                f"{self.name}: {value!r} is not a choice; expected one of "
                f"{', '.join(self.label_names)}"
            )
        return {self.name: choice}

    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        return self.normalize({**(old or {}), **incoming})

    def answer(self, label_map: Mapping[str, str]) -> Any:
        return label_map.get(self.name)

    def answer_map(self, value: Any) -> dict[str, Any]:
        return {self.name: value}

    def table_keys(self) -> list[str]:
        return [self.name]

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        return [label_map.get(self.name)]

    def analysis(self, answers: Any) -> dict[str, Any]:
        return self.part_worths(answers)

    def part_worths(
        self, choices: Iterable[tuple[Mapping[str, Any], str, Mapping[str, str]]]
    ) -> dict[str, Any]:
        """Each level's estimated utility (the first level of an attribute is 0) from
        `(item fields, item id, stored map)` choices: every profile is a row of level
        dummies, and a chosen profile is compared with each one not chosen (a conditional
        logit as a logistic regression on the differences, without intercept)."""
        columns = [(a, lv) for a, levels in self.attributes for lv in levels[1:]]
        index = {c: i for i, c in enumerate(columns)}
        rows: list[list[float]] = []
        targets: list[int] = []

        def coded(profile: Mapping[str, str]) -> list[float]:
            vec = [0.0] * len(columns)
            for attr, level in profile.items():
                if (attr, level) in index:
                    vec[index[(attr, level)]] = 1.0
            return vec

        n_choices = 0
        for fields, item_id, label_map in choices:
            picked = label_map.get(self.name)
            if not picked or picked == NONE:
                continue
            profiles = [coded(p) for p in self.profiles_for(fields, item_id)]
            chosen = int(picked) - 1
            if chosen >= len(profiles):
                continue
            n_choices += 1
            for j, other in enumerate(profiles):
                if j == chosen:
                    continue
                diff = [a - b for a, b in zip(profiles[chosen], other, strict=True)]
                rows += [diff, [-x for x in diff]]
                targets += [1, 0]
        out: dict[str, Any] = {"choices": n_choices, "attributes": {}}
        if n_choices < 2 or not columns:
            out["note"] = "needs at least two choices of a profile"
            return out
        from sklearn.linear_model import LogisticRegression  # heavy: loaded on use

        model = LogisticRegression(fit_intercept=False, C=10.0, max_iter=1000)
        model.fit(rows, targets)
        weights = model.coef_[0]
        for attr, levels in self.attributes:
            worths = {levels[0]: 0.0}
            worths.update({lv: round(float(weights[index[(attr, lv)]]), 4) for lv in levels[1:]})
            out["attributes"][attr] = worths
        spans = {a: max(w.values()) - min(w.values()) for a, w in out["attributes"].items()}
        total = sum(spans.values()) or 1.0
        out["importance"] = {a: round(s / total, 4) for a, s in spans.items()}
        return out
