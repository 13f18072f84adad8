"""Training and evaluation data from agent annotations:

- `trajectory_correction`: one JSON line per corrected (item, annotator): the original
  trace, the corrected trace and the edits (the schemes whose answers correct a trace,
  `scheme.corrects_steps`); `trajectory_sft` (`{"prompt", "completion", "trace_id"}`) and
  `trajectory_dpo` (`{"prompt", "chosen", "rejected", "trace_id"}`) from the same records.
  Answers that change nothing are not written.
- `judge_alignment`: how an LLM judge's verdicts, carried in the items, agree with the
  human verdicts: per scheme, accuracy, Cohen's kappa and the confusion matrix of the judge
  against the majority human label of each item, the same per annotator, and the
  disagreements. An item carries its verdicts in `judge_verdicts` (or `judge`,
  `llm_judge`): `{"<scheme>": "<label>"}` or `{"<scheme>": {"predicted_label": ...}}` (the
  shape of Potato's judge predictions; `label` and `verdict` are read too).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from ..quality.agreement import cohen_kappa, interpret_kappa
from .registry import Exporter, register

JUDGE_KEYS = ("judge_verdicts", "judge", "llm_judge")
MAX_DISAGREEMENTS = 1000


def corrections(project):
    schemes = [s for s in project.config.schemes if s.corrects_steps]
    if not schemes:
        return
    for row in project.store.annotations.iter_annotated():
        for scheme in schemes:
            label_map = row.label_maps.get(scheme.name)
            answer = scheme.answer(label_map) if label_map else None
            if not answer:
                continue
            record = scheme.corrected_trace(row.fields | {"text": row.text}, answer)
            if not record["edits"]:
                continue
            yield {
                "trace_id": row.item_id,
                "annotator": row.user,
                "schema": scheme.name,
                **record,
                "n_edits": len(record["edits"]),
            }


def _line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


@register
class TrajectoryCorrection(Exporter):
    name = "trajectory_correction"
    description = "Corrected agent traces: original, corrected and the edits (JSON lines)"
    extension = "jsonl"
    mimetype = "application/x-ndjson"

    def stream(self, project):
        for record in corrections(project):
            yield _line(record)


@register
class TrajectorySFT(Exporter):
    name = "trajectory_sft"
    description = "SFT pairs from corrected traces: prompt (the task) and completion"
    extension = "jsonl"
    mimetype = "application/x-ndjson"

    def stream(self, project):
        for r in corrections(project):
            yield _line(
                {"prompt": r["task"], "completion": r["corrected_trace"], "trace_id": r["trace_id"]}
            )


@register
class TrajectoryDPO(Exporter):
    name = "trajectory_dpo"
    description = "DPO preference pairs: the corrected trace chosen, the original rejected"
    extension = "jsonl"
    mimetype = "application/x-ndjson"

    def stream(self, project):
        for r in corrections(project):
            yield _line(
                {
                    "prompt": r["task"],
                    "chosen": r["corrected_trace"],
                    "rejected": r["original_trace"],
                    "trace_id": r["trace_id"],
                }
            )


def judge_verdicts(fields: Mapping[str, Any]) -> dict[str, str]:
    """{scheme: the judge's label} from an item's fields."""
    for key in JUDGE_KEYS:
        found = fields.get(key)
        if isinstance(found, Mapping):
            out = {}
            for schema, verdict in found.items():
                if isinstance(verdict, Mapping):
                    verdict = next(
                        (
                            verdict[k]
                            for k in ("predicted_label", "label", "verdict")
                            if k in verdict
                        ),
                        None,
                    )
                if verdict not in (None, ""):
                    out[str(schema)] = str(verdict)
            return out
    return {}


def human_label(scheme, label_map) -> str | None:
    value = scheme.agreement_value(label_map) if label_map else None
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def alignment_report(project) -> dict[str, Any]:
    schemes = {s.name: s for s in project.config.schemes}
    human: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    judged: dict[str, dict[str, str]] = defaultdict(dict)  # scheme -> item -> judge label
    for row in project.store.annotations.iter_annotated():
        verdicts = judge_verdicts(row.fields)
        for name, verdict in verdicts.items():
            if name not in schemes:
                continue
            judged[name][row.item_id] = verdict
            label = human_label(schemes[name], row.label_maps.get(name))
            if label is not None:
                human[name][row.item_id][row.user] = label
    report: dict[str, Any] = {"schemas": {}}
    for name in sorted(judged):
        report["schemas"][name] = _scheme_alignment(judged[name], human[name])
    report["judge_fields"] = list(JUDGE_KEYS)
    return report


def _scheme_alignment(judge: dict[str, str], human: dict[str, dict[str, str]]) -> dict:
    pairs, ties, disagreements = [], 0, []
    per_user: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for item_id, by_user in sorted(human.items()):
        verdict = judge.get(item_id)
        if verdict is None or not by_user:
            continue
        for user, label in by_user.items():
            per_user[user].append((label, verdict))
        counts = Counter(by_user.values()).most_common()
        if len(counts) > 1 and counts[0][1] == counts[1][1]:
            ties += 1
            continue
        majority = counts[0][0]
        pairs.append((majority, verdict))
        if majority != verdict and len(disagreements) < MAX_DISAGREEMENTS:
            disagreements.append({"id": item_id, "human": majority, "judge": verdict})
    return {
        **_agreement(pairs),
        "items_with_verdict": len(judge),
        "ties_skipped": ties,
        "per_annotator": {user: _agreement(p) for user, p in sorted(per_user.items())},
        "disagreements": disagreements,
    }


def _agreement(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    kappa = cohen_kappa(pairs)
    confusion: dict[str, dict[str, int]] = {}
    for h, j in pairs:
        confusion.setdefault(h, {})
        confusion[h][j] = confusion[h].get(j, 0) + 1
    agree = sum(1 for h, j in pairs if h == j)
    return {
        "items_compared": len(pairs),
        "accuracy": round(agree / len(pairs), 4) if pairs else None,
        "cohen_kappa": None if kappa is None else round(kappa, 4),
        "kappa_interpretation": interpret_kappa(kappa),
        "labels": sorted({v for p in pairs for v in p}),
        "confusion": confusion,
    }


@register
class JudgeAlignment(Exporter):
    name = "judge_alignment"
    description = (
        "LLM judge vs human verdicts (judge labels carried in the items): accuracy, "
        "Cohen's kappa, confusion matrix, disagreements"
    )
    extension = "json"
    mimetype = "application/json"

    def stream(self, project):
        yield json.dumps(alignment_report(project), ensure_ascii=False, indent=2) + "\n"
