"""Exports for agent evaluation: `agent_eval` (one line per annotated step, with the step's
content) and `prm` (process reward model data: per (item, annotator) the steps with their
rewards). Both read the step-level schemes (`scheme.step_level`) of the project."""

from __future__ import annotations

import json
from collections.abc import Iterator

from .registry import Exporter, register


def _step_schemes(config):
    return [s for s in config.schemes if s.step_level]


def _rows(project) -> Iterator[tuple]:
    schemes = _step_schemes(project.config)
    if not schemes:
        return
    for row in project.store.annotations.iter_annotated():
        for scheme in schemes:
            label_map = row.label_maps.get(scheme.name)
            answer = scheme.answer(label_map) if label_map else None
            if answer:
                yield row, scheme, answer


@register
class AgentEval(Exporter):
    name = "agent_eval"
    description = "One JSON line per annotated step: item, annotator, scheme, step content, label"
    extension = "jsonl"
    mimetype = "application/x-ndjson"

    def stream(self, project):
        for row, scheme, answer in _rows(project):
            steps = scheme.steps_of(row.fields)
            for index, label in scheme.step_records(answer):
                step = steps[index] if index < len(steps) else None
                record = {
                    "id": row.item_id,
                    "user": row.user,
                    "schema": scheme.name,
                    "type": scheme.type_name,
                    "step_index": index,
                    "step": None if step is None else step["text"],
                    "agent": None if step is None else step["agent"],
                    "label": label,
                }
                yield json.dumps(record, ensure_ascii=False) + "\n"


@register
class ProcessRewardData(Exporter):
    name = "prm"
    description = "Process reward model data: per item and annotator, every step with its reward"
    extension = "jsonl"
    mimetype = "application/x-ndjson"

    def stream(self, project):
        for row, scheme, answer in _rows(project):
            if not scheme.rewards_steps:
                continue
            rewards = scheme.step_values(answer)
            steps = scheme.steps_of(row.fields)
            record = {
                "id": row.item_id,
                "user": row.user,
                "schema": scheme.name,
                "mode": answer.get("mode"),
                "first_error_step": scheme.first_error(answer),
                "steps": [
                    {"index": s["index"], "step": s["text"], "reward": rewards.get(s["index"])}
                    for s in steps
                ],
            }
            yield json.dumps(record, ensure_ascii=False) + "\n"
