"""`annotation_type: list_experiment` — the item count technique: "how many of these
statements are true for you?". Each annotator is assigned to the control group (the
`items` only) or the treatment group (also `sensitive_item`, at `sensitive_position`) by a
draw on the server, seeded by the project's `random_seed`, the scheme and the annotator, so
the same annotator always sees the same list; the group is recorded with every answer.

Sent as Potato's number input, `"schema:number": "2"`; stored `{"number": "2", "group":
"treatment"}` (the server writes the group; a request naming another one is refused). A
count above the list's length is refused. The questions page shows the difference-in-means
estimate of the sensitive item's prevalence with its Welch standard error.

Potato reads the group from its experiment `conditions` (`treatment: {factor, level}`);
the keys are accepted and `level` names the treatment group, but the draw is ours, 50/50.
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Iterable, Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Label, Scheme
from .registry import register

GROUPS = ("control", "treatment")


def assigned_group(seed: Any, scheme: str, annotator: str) -> str:
    """The annotator's group: a fair coin seeded by project, scheme and annotator."""
    rng = random.Random(f"list_experiment\0{seed}\0{scheme}\0{annotator}")
    return GROUPS[rng.random() < 0.5]


def welch_difference(treatment: list[float], control: list[float]) -> dict[str, Any]:
    """Difference in means (treatment - control) with Welch's standard error
    sqrt(s_t^2/n_t + s_c^2/n_c), the Welch-Satterthwaite degrees of freedom and a 95%
    normal-approximation interval."""
    nt, nc = len(treatment), len(control)
    out: dict[str, Any] = {"n_treatment": nt, "n_control": nc}
    if nt < 2 or nc < 2:
        out["note"] = "needs at least two answers in each group"
        return out
    mt, mc = sum(treatment) / nt, sum(control) / nc
    vt = sum((x - mt) ** 2 for x in treatment) / (nt - 1)
    vc = sum((x - mc) ** 2 for x in control) / (nc - 1)
    se = math.sqrt(vt / nt + vc / nc)
    est = mt - mc
    out.update(mean_treatment=mt, mean_control=mc, estimate=est, se=se)
    out["ci95"] = [est - 1.96 * se, est + 1.96 * se]
    if se > 0:
        out["df"] = (vt / nt + vc / nc) ** 2 / (
            (vt / nt) ** 2 / (nt - 1) + (vc / nc) ** 2 / (nc - 1)
        )
    return out


@register("list_experiment")
class ListExperiment(Scheme):
    macro = "schemes/list_experiment.html"
    stylesheet = "css/survey-methods.css"
    option_keys = ("items", "sensitive_item", "treatment", "sensitive_position", "count_prompt")
    summarizes_answers = True
    analysis_title = "List experiment: difference in means (Welch SE)"
    agreement_skip_reason = "each annotator answers about themselves"
    group: str | None = None  # the annotator's group, on views for one annotator

    def parse_options(self, reader: ConfigReader) -> None:
        self.items = reader.string_list("items")
        if not self.items:
            reader.problem("items", "needs at least one statement")
        self.sensitive_item = reader.str("sensitive_item", "", required=True)
        position = reader.number("sensitive_position", len(self.items), integer=True, minimum=0)
        self.position = min(position, len(self.items))
        self.count_prompt = reader.str("count_prompt", "Number of statements:")
        treatment = reader.child("treatment")
        treatment.warn_unknown(("factor", "level"))
        self.treatment_level = treatment.str("level", "treatment")
        self.labels = [Label("number")]
        self.labels_configured = False

    # -- one annotator ------------------------------------------------------------------
    def for_annotator(self, annotator: str, seed: Any) -> ListExperiment:
        view = copy.copy(self)
        view.group = assigned_group(seed, self.name, annotator)
        return view

    def for_page(self, fields, annotator: str, item_id: str, seed: Any):
        return self.for_annotator(annotator, seed)

    def statements(self) -> list[str]:
        """The list this view's annotator sees (the sensitive item for treatment only)."""
        shown = list(self.items)
        if self.group == "treatment":
            shown.insert(self.position, self.sensitive_item)
        return shown

    def most(self, group: str | None) -> int:
        return len(self.items) + (0 if group == "control" else 1)

    # -- values -------------------------------------------------------------------------
    def merge(self, old, incoming):
        sent = incoming.get("group")
        if self.group is not None and sent not in (None, "", self.group):
            raise BadAnnotation(
                f"{self.name}: the group is assigned by the server; {sent!r} is not yours"
            )
        merged = {**(old or {}), **incoming}
        if self.group is not None:
            merged["group"] = self.group
        return self.normalize(merged)

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        extra = set(label_map) - {"number", "group"}
        if extra:
            raise BadAnnotation(
                f"{self.name}: unknown label {sorted(extra)[0]!r}; send the count as "
                f"'{self.name}:number'"
            )
        group = label_map.get("group") or None
        if group is not None and group not in GROUPS:
            raise BadAnnotation(f"{self.name}: group must be control or treatment, got {group!r}")
        raw = label_map.get("number")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return {}
        try:
            count = float(raw) if not isinstance(raw, bool) else math.nan
        except (TypeError, ValueError):
            count = math.nan
        if not math.isfinite(count) or count != int(count):
            raise BadAnnotation(f"{self.name}: the count must be a whole number, got {raw!r}")
        most = self.most(group)
        if not 0 <= count <= most:
            raise BadAnnotation(
                f"{self.name}: the count must be between 0 and {most} "
                f"(the number of statements shown), got {int(count)}"
            )
        out = {"number": str(int(count))}
        if group:
            out["group"] = group
        return out

    def answer(self, label_map: Mapping[str, str]) -> Any:
        return int(label_map["number"]) if label_map.get("number") else None

    def answer_map(self, value: Any) -> dict[str, Any]:
        return {"number": value}

    def table_keys(self) -> list[str]:
        return ["number", "group"]

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(items=self.items, count_prompt=self.count_prompt)
        return out

    # -- the estimate -------------------------------------------------------------------
    def dashboard_summary(self, label_maps):
        return {g: sum(1 for m in label_maps if m.get("group") == g) for g in GROUPS}

    def analysis(self, answers: Iterable[Any]) -> dict[str, Any]:
        return self.estimate(entry[2] for entry in answers)

    def estimate(self, label_maps: Iterable[Mapping[str, str]]) -> dict[str, Any]:
        counts: dict[str, list[float]] = {g: [] for g in GROUPS}
        for label_map in label_maps:
            if label_map.get("group") in counts and label_map.get("number") is not None:
                counts[label_map["group"]].append(float(label_map["number"]))
        out = welch_difference(counts["treatment"], counts["control"])
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()} | (
            {"ci95": [round(x, 4) for x in out["ci95"]]} if "ci95" in out else {}
        )
