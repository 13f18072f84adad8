"""SWE-bench predictions and evaluation records: `{"instance_id", "model_name_or_path",
"model_patch"}` (the harness's predictions file, one per line or in a list), with, when
present, the task fields of the dataset (`problem_statement`, `repo`, `base_commit`,
`FAIL_TO_PASS`, `PASS_TO_PASS` as lists or JSON text), a trajectory (`model_trajectory` or
`trajectory`: steps `{"thought", "action", "observation"}`), the harness result (`resolved`,
`tests_status: {"FAIL_TO_PASS": {"success", "failure"}, ...}` as in its report.json) and the
harness log (`test_output` or `log`, text). One item per record, id `instance_id`; the
patch ends the trace, the log follows it as an observation. A JSON object keyed by
instance id is read as one record per instance: a predictions dict, or the harness's
`report.json` (`{"<instance_id>": {"patch_is_None", "patch_exists",
"patch_successfully_applied", "resolved", "tests_status"}}`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from .common import item, text_of, turn
from .registry import Record, TraceFormat, register

REPORT_KEYS = {"resolved", "tests_status", "patch_successfully_applied", "model_patch"}


def _keyed(value: Any) -> bool:
    """An object keyed by instance id (a predictions dict or a harness report.json)."""
    return (
        isinstance(value, Mapping)
        and "instance_id" not in value
        and bool(value)
        and all(isinstance(v, Mapping) and REPORT_KEYS & set(v) for v in value.values())
    )


def _tests(value: Any) -> list:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            return [value]
    return value if isinstance(value, list) else []


@register
class SweBench(TraceFormat):
    name = "swebench"
    aliases = ("swe-bench", "swe_bench")
    description = "SWE-bench predictions (instance_id, model_name_or_path, model_patch)"
    detect_order = 16

    def detect(self, value: Any) -> bool:
        return _keyed(value) or (
            isinstance(value, Mapping)
            and "instance_id" in value
            and ("model_patch" in value or "model_name_or_path" in value)
        )

    def convert(self, records: list[Record]) -> Iterator[dict]:
        n = 0
        for record in records:
            if _keyed(record.value):
                for instance_id, entry in record.value.items():
                    value = {**entry, "instance_id": entry.get("instance_id") or instance_id}
                    yield self.convert_one(Record(value, record.line, record.path), n)
                    n += 1
            else:
                yield self.convert_one(record, n)
                n += 1

    def convert_one(self, record: Record, n: int) -> dict:
        value = record.value
        if not isinstance(value, Mapping) or not value.get("instance_id"):
            raise record.error("a SWE-bench record needs its instance_id")
        patch = value.get("model_patch")
        if patch is not None and not isinstance(patch, str):
            raise record.error("model_patch must be text (a diff) or null")
        task = value.get("problem_statement") or ""
        conversation = [turn("User", task, "observation", role="user")] if task else []
        steps = value.get("model_trajectory", value.get("trajectory")) or []
        if not isinstance(steps, list):
            raise record.error("model_trajectory must be a list of steps")
        for i, step in enumerate(steps):
            if not isinstance(step, Mapping):
                raise record.error(f"trajectory step {i + 1} must be an object")
            if step.get("thought"):
                conversation.append(turn("Agent (Thought)", step["thought"], "thought"))
            command = text_of(step.get("action")).strip()
            if command:
                tool = command.split(None, 1)[0]
                conversation.append(
                    turn("Agent (Action)", command, "action", tool=tool, args={"command": command})
                )
            if step.get("observation") not in (None, ""):
                conversation.append(turn("Environment", step["observation"], "observation"))
        if patch:
            conversation.append(turn("Agent", patch, "answer", patch=True))
        log = value.get("test_output") or value.get("log")
        if log:
            conversation.append(turn("Environment", log, "observation", harness_log=True))
        status = value.get("tests_status") if isinstance(value.get("tests_status"), Mapping) else {}
        f2p = status.get("FAIL_TO_PASS") if isinstance(status.get("FAIL_TO_PASS"), Mapping) else {}
        return item(
            value["instance_id"],
            task,
            conversation,
            agent_name=value.get("model_name_or_path") or "",
            metadata={
                "Model": value.get("model_name_or_path"),
                "repo": value.get("repo"),
                "base_commit": value.get("base_commit"),
                "resolved": value.get("resolved"),
                "FAIL_TO_PASS": _tests(value.get("FAIL_TO_PASS")),
                "PASS_TO_PASS": _tests(value.get("PASS_TO_PASS")),
                "FAIL_TO_PASS passed": f2p.get("success"),
                "FAIL_TO_PASS failed": f2p.get("failure"),
                "empty patch": True if not patch and "model_patch" in value else None,
                "patch applied": value.get("patch_successfully_applied"),
            },
        )
