"""Nothing outside potato_like/schemes/ names an annotation type (DESIGN.md section 7).

Code elsewhere asks the scheme object (its attributes and methods, docs/schemes.md) instead
of checking `scheme.type_name == "radio"`; then adding a type touches only its own module,
template, JS module, test file and docs entry. The check reads the source with `ast`:

- `.type_name` may be shown (f-strings, response bodies) but never compared, looked up in a
  table, or used as a key;
- a string constant equal to a registered type name is a finding, except where it is a
  record's field name (a key of a dict literal holding values computed at run time,
  `row["text"]`, `.get("text")`), or on the short
  allowlist below (each entry says why the word there is not a type name);
- no module imports a type's own module (`schemes.span`, `schemes.choice`, ...): only
  `schemes.base` and `schemes.registry` are the schemes' public face.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from potato_like.schemes.registry import type_names

PACKAGE = Path(__file__).resolve().parents[2] / "potato_like"
# service_tasks: which annotation types answer a labelling service's task types (seed 002);
# image_label_types: which image tools a labelling service's label types map to (seed 000)
PUBLIC_SCHEME_MODULES = ("base", "registry", "service_tasks", "image_label_types")

# Folders outside schemes/ that are skipped as a whole.
SKIPPED_DIRS = {
    # Frozen history: a migration is never edited after it ships.
    "store/migrations",
    # The item display registry has its own type names ("text", "html", ...): display
    # types, not annotation types.
    "displays",
}

# (path relative to potato_like/, word) -> why that word there is not an annotation type.
ALLOWED = {
    ("live_agents/tools.py", "select"): "a browser action (choose an option) the agent may name",
    ("traces/claude_code.py", "text"): "the text content block of Claude Code's session lines",
    ("traces/mcp.py", "text"): "the text content item of an MCP tool result",
    ("traces/webarena.py", "text"): "the text field of a WebArena action or observation",
    ("workspace/create.py", "radio"): "the one question of a project created with no schemes",
    ("config/model.py", "text"): "text_key's default: Potato's item field named text",
    ("config/validate.py", "text"): "text_key's default: Potato's item field named text",
    ("config/compat.py", "text"): "a label option key (what annotators see), Potato's name",
    ("traces/anthropic.py", "text"): "the text content block of Anthropic's Messages API",
    ("rollouts/judge.py", "text"): "the text part of an OpenAI chat message (with the image)",
    ("traces/langsmith.py", "text"): "the text output key of a LangSmith run",
    ("traces/otel.py", "text"): "the text part of a GenAI semantic-conventions message",
    ("traces/potato.py", "text"): "the text key of Potato's canonical trace turns",
    ("config/study.py", "text"): "the text field of Potato's survey questions and QC items",
    ("store/tables.py", "text"): "the items table's column holding the item text",
    ("store/importer.py", "text"): "the items table's column holding the item text",
    ("web/tracking.py", "select"): "a tracked UI action (select / deselect a label)",
    ("config/assignment.py", "triage"): "the top-level `triage` key (assignment order)",
    ("config/compat.py", "triage"): "the top-level `triage` key (assignment order)",
    ("config/study.py", "pure_display"): "Potato's survey display-only question kinds",
    ("config/compat.py", "audio_annotation"): "Potato's top-level waveform-cache settings key",
    ("store/tables.py", "confidence"): "the adjudication decision's confidence column",
    ("ai/providers/anthropic.py", "text"): "the text content block of Anthropic's Messages API",
    ("ai/providers/llm.py", "confidence"): "a field of the answer asked of an LLM (JSON Schema)",
    ("ai/providers/llm.py", "number"): "a JSON Schema type",
    ("config/embeddings.py", "text"): "Potato's `embeddings.backend: text` (embed the item text)",
    ("config/event_template.py", "text"): "Potato's event slot value type (free text)",
    ("embeddings/map_data.py", "text"): "Potato's preview_type of a map point (text, not media)",
    ("web/event_registry.py", "text"): "the quoted evidence text of Potato's event registry API",
    (
        "services/batches/views.py",
        "text",
    ): "seed 002's attachment_type text (the attachment is text)",
    ("services/hitl/logic.py", "text"): "the item field a job's project reads (text_key)",
    ("ai/vision/llm.py", "number"): "a JSON Schema type (the detection answer's schema)",
    ("ai/vision/llm.py", "confidence"): "a field of the detection answer asked of a vision LLM",
    ("ai/vision/llm.py", "text"): "the text content part of the OpenAI and Anthropic APIs",
    ("store/batch_tables.py", "text"): "a calibration question's text column",
}


def _modules() -> list[Path]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("schemes/") or any(rel.startswith(d + "/") for d in SKIPPED_DIRS):
            continue
        out.append(path)
    return out


def _field_name_constants(tree: ast.AST) -> set[int]:
    """ids of constants used as a record's field name (dict key, subscript, .get/.pop)."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        # A dict whose values are all constants is a lookup table ({"radio": "nominal"}),
        # not a record: its keys are checked.
        if isinstance(node, ast.Dict) and not all(isinstance(v, ast.Constant) for v in node.values):
            ids.update(id(k) for k in node.keys if isinstance(k, ast.Constant))
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            ids.add(id(node.slice))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "pop", "setdefault")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            ids.add(id(node.args[0]))
    return ids


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            ids.add(id(node.value))
    return ids


def _uses_type_name(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "type_name" for n in ast.walk(node))


def _looks_up_type_name(node: ast.AST) -> bool:
    """`TABLE[scheme.type_name]` or `TABLE.get(scheme.type_name)`."""
    if isinstance(node, ast.Subscript):
        return _uses_type_name(node.slice)
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and any(_uses_type_name(a) for a in node.args)
    )


def findings_in(source: str, rel: str, names: set[str]) -> list[str]:
    tree = ast.parse(source)
    out = []
    fields, docs = _field_name_constants(tree), _docstrings(tree)
    for node in ast.walk(tree):
        where = f"{rel}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Compare) and _uses_type_name(node):
            out.append(f"{where}: compares .type_name (ask the scheme instead)")
        elif _looks_up_type_name(node):
            out.append(f"{where}: looks .type_name up in a table (ask the scheme instead)")
        elif isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if "schemes" in parts and parts.index("schemes") + 1 < len(parts):
                module = parts[parts.index("schemes") + 1]
                if module not in PUBLIC_SCHEME_MODULES:
                    out.append(f"{where}: imports the type module schemes.{module}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in names
            and id(node) not in fields
            and id(node) not in docs
            and (rel, node.value) not in ALLOWED
        ):
            out.append(f"{where}: names the annotation type {node.value!r}")
    return out


def test_no_module_outside_schemes_names_an_annotation_type():
    names = set(type_names())
    found = []
    for path in _modules():
        rel = path.relative_to(PACKAGE).as_posix()
        found += findings_in(path.read_text(encoding="utf-8"), rel, names)
    assert not found, "\n".join(found)


def test_every_allowlist_entry_is_still_needed():
    names = set(type_names())
    for rel, word in ALLOWED:
        path = PACKAGE / rel
        assert path.is_file(), f"{rel} is gone: drop its allowlist entry"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value == word]
        assert word in names and used, f"({rel}, {word!r}) is not needed any more"


@pytest.mark.parametrize(
    "source, finding",
    [
        ('if scheme.type_name == "radio":\n    pass\n', "compares .type_name"),
        ('ok = s.type_name in ("number", "slider")\n', "compares .type_name"),
        ("metric = METRIC.get(scheme.type_name)\n", "looks .type_name up"),
        ("metric = METRIC[scheme.type_name]\n", "looks .type_name up"),
        ('TALLIED = ("radio", "select")\n', "names the annotation type 'radio'"),
        ('METRIC = {"radio": "nominal"}\n', "names the annotation type 'radio'"),
        ('cls = scheme_class("span")\n', "names the annotation type 'span'"),
        ("from ..schemes.choice import FREE_RESPONSE\n", "imports the type module"),
    ],
)
def test_the_check_catches_each_way_of_naming_a_type(source, finding):
    found = findings_in(source, "example.py", set(type_names()))
    assert found and finding in found[0], found


@pytest.mark.parametrize(
    "source",
    [
        'out = {"text": item.text}\n',
        'value = row["text"]\n',
        'value = entry.get("text")\n',
        'body = {"type": scheme.type_name}\n',
        'msg = f"{scheme.name} is a {scheme.type_name} scheme"\n',
        '"""A docstring may say radio."""\n',
        "from ..schemes.registry import type_names\n",
    ],
)
def test_the_check_lets_field_names_and_display_through(source):
    assert findings_in(source, "example.py", set(type_names())) == []
