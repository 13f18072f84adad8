"""`display_logic`: show a scheme only while other schemes' answers match (Potato's grammar).

    display_logic:
      show_when:
        - {schema: contains_pii, operator: equals, value: "Yes"}
      logic: all        # or any

A scheme with `display_logic` starts hidden and shows while its rule holds. The page
evaluates the rule in the browser (static/js/display-logic.js, from the rule in a data
attribute); the server evaluates the same rule to decide whether `label_requirement`
applies. Answers to a hidden scheme are kept, as in Potato (an annotator who changes the
first answer back finds the second one again).

Operators and comparisons follow Potato: text compares case-insensitively unless
`case_sensitive: true`; `equals` with a list matches any of them; a multiselect with one
chosen label compares as that label, with several as the list.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config.reader import ConfigReader, hint, type_name

RULE_KEYS = ("show_when", "logic")
CONDITION_KEYS = ("schema", "operator", "value", "case_sensitive")
NO_VALUE = ("empty", "not_empty")
RANGE = ("in_range", "not_in_range", "length_in_range")
NUMERIC = ("gt", "gte", "lt", "lte", "length_gt", "length_lt")
OPERATORS = (
    "equals",
    "not_equals",
    "contains",
    "not_contains",
    "matches",
    *NUMERIC,
    "in_range",
    "not_in_range",
    *NO_VALUE,
    "length_in_range",
)


@dataclass(frozen=True)
class Condition:
    schema: str
    operator: str
    value: Any = None
    case_sensitive: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "operator": self.operator,
            "value": self.value,
            "case_sensitive": self.case_sensitive,
        }


@dataclass(frozen=True)
class Rule:
    conditions: tuple[Condition, ...]
    logic: str = "all"

    @property
    def watched(self) -> list[str]:
        return list(dict.fromkeys(c.schema for c in self.conditions))

    def as_json(self) -> dict[str, Any]:
        """What the page's data-display-logic attribute carries."""
        return {"logic": self.logic, "show_when": [c.as_json() for c in self.conditions]}

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """`answers`: scheme name -> comparable answer (None when unanswered)."""
        results = (matches(c, answers.get(c.schema)) for c in self.conditions)
        return all(results) if self.logic == "all" else any(results)


def read_rule(reader: ConfigReader) -> Rule | None:
    """The scheme's `display_logic`, or None when absent; problems go on the reader."""
    raw = reader.raw.get("display_logic")
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        reader.problem("display_logic", f"must be a mapping with 'show_when', got {type_name(raw)}")
        return None
    sub = reader.child("display_logic")
    sub.warn_unknown(RULE_KEYS)
    logic = raw.get("logic", "all")
    if logic not in ("all", "any"):
        sub.problem("logic", f"must be 'all' or 'any', got {logic!r}")
        logic = "all"
    show_when = raw.get("show_when")
    if not isinstance(show_when, list) or not show_when:
        sub.problem("show_when", "must be a non-empty list of conditions")
        return None
    conditions = []
    for i, entry in enumerate(show_when):
        condition = _read_condition(entry, f"{sub.key_path('show_when')}[{i}]", reader)
        if condition is not None:
            conditions.append(condition)
    if len(conditions) != len(show_when):
        return None
    return Rule(tuple(conditions), logic)


def _read_condition(entry: Any, path: str, reader: ConfigReader) -> Condition | None:
    if not isinstance(entry, Mapping):
        reader.problems.append(f"{path}: a condition is a mapping, got {type_name(entry)}")
        return None
    sub = ConfigReader(entry, path, reader.problems, reader.warnings)
    sub.warn_unknown(CONDITION_KEYS)
    schema = entry.get("schema")
    operator = entry.get("operator")
    before = len(reader.problems)
    if not isinstance(schema, str) or not schema:
        sub.problem("schema", "is required: the name of the scheme whose answer decides")
    if operator not in OPERATORS:
        sub.problem(
            "operator",
            f"must be one of {', '.join(OPERATORS)}, got {operator!r}"
            f"{hint(str(operator), OPERATORS)}",
        )
    else:
        problem = _value_problem(operator, entry.get("value"))
        if problem:
            sub.problem("value", problem)
    case_sensitive = sub.bool("case_sensitive", False)
    if len(reader.problems) != before:
        return None
    return Condition(schema, operator, entry.get("value"), case_sensitive)


def _value_problem(operator: str, value: Any) -> str | None:
    if operator in NO_VALUE:
        return None
    if operator in RANGE:
        if not isinstance(value, list) or len(value) != 2 or not all(map(_is_number, value)):
            return f"operator {operator!r} needs a range [min, max] of two numbers"
        if value[0] > value[1]:
            return f"range min {value[0]} is greater than max {value[1]}"
        return None
    if operator in NUMERIC:
        return None if _is_number(value) else f"operator {operator!r} needs a number"
    if value is None:
        return f"operator {operator!r} needs a value"
    if operator == "matches":
        if not isinstance(value, str):
            return "operator 'matches' needs a regular expression (a string)"
        try:
            re.compile(value)
        except re.error as exc:
            return f"invalid regular expression {value!r}: {exc}"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_references(
    name: str, rule: Rule, schemes: Mapping[str, Any], reader: ConfigReader
) -> None:
    """Every watched scheme exists, is not the scheme itself, and no chain of rules loops."""
    for i, condition in enumerate(rule.conditions):
        path = f"display_logic.show_when[{i}]"
        if condition.schema == name:
            reader.problem(path, "a scheme's display_logic cannot watch the scheme itself")
        elif condition.schema not in schemes:
            reader.problem(
                path,
                f"schema {condition.schema!r} is not a scheme of this project"
                f"{hint(condition.schema, list(schemes))}",
            )
    cycle = _cycle_from(name, schemes)
    if cycle:
        reader.problem("display_logic", "circular dependency: " + " -> ".join(cycle))


def _cycle_from(start: str, schemes: Mapping[str, Any]) -> list[str] | None:
    path: list[str] = [start]

    def walk(name: str, seen: set[str]) -> list[str] | None:
        rule = getattr(schemes.get(name), "display_logic", None)
        for nxt in rule.watched if rule else ():
            if nxt == start and len(path) > 1:
                return [*path, start]
            if nxt in seen or nxt not in schemes:
                continue
            path.append(nxt)
            found = walk(nxt, seen | {nxt})
            if found:
                return found
            path.pop()
        return None

    return walk(start, {start})


# -- comparisons (static/js/display-logic.js does the same) ------------------------------
def matches(condition: Condition, actual: Any) -> bool:
    op, expected = condition.operator, condition.value
    if op == "empty":
        return _is_empty(actual)
    if op == "not_empty":
        return not _is_empty(actual)
    cs = condition.case_sensitive
    if op in ("equals", "not_equals"):
        hit = any(_equal(actual, e, cs) for e in _as_list(expected))
        return hit if op == "equals" else not hit
    if op in ("contains", "not_contains"):
        hit = any(_contains(actual, e, cs) for e in _as_list(expected))
        return hit if op == "contains" else not hit
    if op == "matches":
        text = "" if actual is None else _text(actual)
        return re.search(expected, text, 0 if cs else re.IGNORECASE) is not None
    if op in ("length_gt", "length_lt", "length_in_range"):
        length = 0 if actual is None else len(_text(actual))
        if op == "length_gt":
            return length > expected
        if op == "length_lt":
            return length < expected
        return expected[0] <= length <= expected[1]
    number = _number(actual)
    if number is None:
        return False
    if op in ("in_range", "not_in_range"):
        inside = expected[0] <= number <= expected[1]
        return inside if op == "in_range" else not inside
    return {
        "gt": number > expected,
        "gte": number >= expected,
        "lt": number < expected,
        "lte": number <= expected,
    }[op]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, set)):
        return not value
    return False


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _equal(actual: Any, expected: Any, case_sensitive: bool) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    if isinstance(actual, list):  # a multiselect with several labels equals none of them
        return False
    a, e = _number(actual), _number(expected)
    if a is not None and e is not None and not isinstance(expected, str):
        return a == e
    a_text, e_text = _text(actual), _text(expected)
    if case_sensitive:
        return a_text == e_text
    return a_text.casefold() == e_text.casefold()


def _contains(actual: Any, expected: Any, case_sensitive: bool) -> bool:
    if isinstance(actual, list):
        return any(_equal(a, expected, case_sensitive) for a in actual)
    if isinstance(actual, str):
        if case_sensitive:
            return _text(expected) in actual
        return _text(expected).casefold() in actual.casefold()
    return _equal(actual, expected, case_sensitive)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None
