"""The study flow and quality-control parts of a config: `phases`, `training`,
`attention_checks`, `gold_standards` (with `auto_promote`), `pre_annotation`.

Everything is read with the same ConfigReader as the rest of the config, so a bad phase file or
a gold label that is not a label of its scheme is reported with its key path before serving.
The frozen dataclasses live in study_model.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import BadAnnotation
from ..schemes.registry import scheme_class, survey_question_type, type_names
from . import compat
from .reader import ConfigReader, hint, type_name
from .study_model import (
    PHASE_TYPES,
    AttentionConfig,
    GoldConfig,
    PhasePage,
    PreAnnotationConfig,
    PromotionConfig,
    QcItem,
    StudyConfig,
    TrainingConfig,
    TrainingItem,
)

DISPLAY_TYPES = ("pure_display", "display", "html")
CONTENT_SUFFIXES = (".html", ".htm", ".md", ".markdown", ".txt")


def read_study(r: ConfigReader, task_dir: Path, base: Path, schemes: list[Any]) -> StudyConfig:
    by_name = {s.name: s for s in schemes}
    training = _training(r, task_dir, base, by_name)
    attention = _attention(r, task_dir, base, by_name)
    gold, promotion = _gold(r, task_dir, base, by_name)
    pre = _pre_annotation(r)
    phases = _phases(r, task_dir, base, training)
    ids: dict[str, str] = {}
    for kind, items in (("attention_checks", attention.items), ("gold_standards", gold.items)):
        for item in items:
            if item.id in ids:
                r.problem(kind, f"item id {item.id!r} is also used in {ids[item.id]}")
            ids[item.id] = kind
    return StudyConfig(phases, training, attention, gold, promotion, pre)


# -- phases ------------------------------------------------------------------------------
def _phases(
    r: ConfigReader, task_dir: Path, base: Path, training: TrainingConfig
) -> tuple[PhasePage, ...]:
    sub = r.child("phases")
    flow = _surveyflow(r, bool(sub.raw))
    if flow is not None:
        sub = flow
    raw_order = sub.raw.get("order")
    if not sub.raw:
        order = ["training", "annotation"] if training.enabled else ["annotation"]
        return tuple(_builtin_page(name, name) for name in order)
    if raw_order is None:
        raw_order = [k for k in sub.raw if k != "order"]
        if "annotation" not in raw_order:
            raw_order.append("annotation")
    if not isinstance(raw_order, list) or not all(isinstance(x, str) for x in raw_order):
        sub.problem("order", "must be a list of phase names")
        return (_builtin_page("annotation", "annotation"),)
    names = [x.strip() for x in raw_order]
    for key in sub.raw:
        if key != "order" and key not in names:
            sub.warn(key, "is configured but not listed in phases.order; it is not shown")
    pages = []
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            sub.problem("order", f"phase {name!r} is listed twice")
            continue
        seen.add(name)
        entry = sub.raw.get(name)
        if entry is not None and not isinstance(entry, Mapping):
            sub.problem(name, f"must be a mapping, got {type_name(entry)}")
            entry = None
        page_reader = sub.child(name) if entry is not None else ConfigReader({}, sub.key_path(name))
        kind = page_reader.str("type", name if name in PHASE_TYPES else None)
        if kind is None:
            sub.problem(
                f"order[{i}]",
                f"{name!r} is not a phase type ({', '.join(PHASE_TYPES)}); give it a 'type'"
                f"{hint(name, PHASE_TYPES)}",
            )
            continue
        if kind not in PHASE_TYPES:
            page_reader.problem(
                "type", f"{kind!r} is not one of {', '.join(PHASE_TYPES)}{hint(kind, PHASE_TYPES)}"
            )
            continue
        page_reader.warn_unknown(compat.PHASE_KEYS)
        if kind in ("annotation", "training"):
            pages.append(_builtin_page(name, kind, page_reader.str("header", "", allow_empty=True)))
            continue
        pages.append(_content_page(page_reader, name, kind, task_dir, base))
    # display_logic of a survey question may watch a question of any phase (Potato's rule)
    questions = {s.name: s for page in pages for s in page.schemes}
    for page in pages:
        for scheme in page.schemes:
            where = f"{sub.key_path(page.name)}.questions[{scheme.index}]"
            scheme.resolve_display_logic(questions, ConfigReader({}, where, r.problems, r.warnings))
    kinds = [p.type for p in pages]
    if kinds.count("annotation") != 1:
        sub.problem("order", "must list exactly one annotation phase")
    if "training" in kinds and not training.enabled:
        sub.problem("order", "lists a training phase but training.enabled is not true")
    if training.enabled and "training" not in kinds:
        at = kinds.index("annotation") if "annotation" in kinds else len(pages)
        pages.insert(at, _builtin_page("training", "training"))
        sub.warn("order", "training is enabled: the training phase runs before annotation")
    if (
        "annotation" in kinds
        and "training" in kinds
        and (kinds.index("training") > kinds.index("annotation"))
    ):
        sub.problem("order", "the training phase must come before the annotation phase")
    return tuple(pages)


def _surveyflow(r: ConfigReader, has_phases: bool) -> ConfigReader | None:
    """Potato's older survey form, read as the `phases` it stands for:

        surveyflow: {on: true, order: [pre_annotation, post_annotation],
                     pre_annotation: [consent.jsonl, ...], post_annotation: [end.jsonl]}

    Each file is one page of questions (Potato's survey file format). Files listed before
    annotation become prestudy pages (consent pages when the file name says consent), those
    after it poststudy pages. Pages are named by their file name."""
    flow = r.child("surveyflow")
    if not flow.raw:
        return None
    if True in flow.raw or False in flow.raw:  # YAML 1.1 reads an unquoted `on:` key as true
        raw = {("on" if isinstance(k, bool) else k): v for k, v in flow.raw.items()}
        flow = ConfigReader(raw, flow.path, flow.problems, flow.warnings)
    flow.warn_unknown(compat.SURVEYFLOW_KEYS)
    if not flow.bool("on", True):
        return None
    if has_phases:
        r.problem("surveyflow", "give either phases or surveyflow, not both")
        return None
    order = flow.string_list("order") or [k for k in compat.SURVEYFLOW_STAGES if flow.has(k)]
    for stage in order:
        if stage not in compat.SURVEYFLOW_STAGES:
            flow.problem(
                "order",
                f"{stage!r} is not one of {', '.join(compat.SURVEYFLOW_STAGES)}"
                f"{hint(stage, compat.SURVEYFLOW_STAGES)}",
            )
    raw: dict[str, Any] = {"order": []}
    for stage in ("pre_annotation", "post_annotation"):
        if stage == "post_annotation":
            raw["order"].append("annotation")
        if stage not in order:
            continue
        for file_name in flow.string_list(stage):
            stem = Path(file_name).stem.lower().replace("-", "_").replace(" ", "_") or "page"
            name, n = stem, 2
            while name in raw or name == "annotation":
                name, n = f"{stem}_{n}", n + 1
            if stage == "post_annotation":
                kind = "poststudy"
            else:
                kind = "consent" if "consent" in stem else "prestudy"
            raw["order"].append(name)
            raw[name] = {"type": kind, "file": file_name}
    return ConfigReader(raw, "surveyflow", flow.problems, flow.warnings)


def _builtin_page(name: str, kind: str, header: str = "") -> PhasePage:
    return PhasePage(name=name, type=kind, header=header)


def _content_page(r: ConfigReader, name: str, kind: str, task_dir: Path, base: Path) -> PhasePage:
    header = r.str("header", "", allow_empty=True) or r.str("title", "", allow_empty=True)
    html = None
    instruments = _instruments(r)
    questions: list[Any] = [q for inst in instruments for q in inst.questions()]
    file_name = r.str("file", None) or r.str("data_file", None)
    if file_name:
        path = _find(task_dir, base, file_name)
        where = r.key_path("file")
        if not path.is_file():
            r.problems.append(f"{where}: file not found: {path}")
        elif path.suffix.lower() in CONTENT_SUFFIXES:
            html = _content_html(path, r, where)
        else:
            from_file = _read_json(path, r, where)
            if isinstance(from_file, Mapping):
                from_file = from_file.get("questions") or from_file.get("items") or []
            if isinstance(from_file, list):
                questions += from_file
            elif from_file is not None:
                r.problems.append(f"{where}: must hold a list of questions")
    inline = r.raw.get("annotation_schemes")
    if inline is not None:
        if not isinstance(inline, list):
            r.problem("annotation_schemes", "must be a list of schemes")
        else:
            questions += inline
    if not file_name and inline is None and not instruments and kind != "instructions":
        r.problem(
            "file", f"is required: the {kind} phase needs questions, content or an instrument"
        )
    schemes, blocks, gates = [], [], {}
    for i, q in enumerate(questions):
        where = f"{r.key_path('questions')}[{i}]"
        if not isinstance(q, Mapping):
            r.problems.append(f"{where}: must be a mapping, got {type_name(q)}")
            continue
        if q.get("schema") in DISPLAY_TYPES or q.get("annotation_type") in DISPLAY_TYPES:
            blocks.append(str(q.get("text") or q.get("description") or ""))
            continue
        scheme, right = _question_scheme(q, i, where, r, task_dir)
        if scheme is None:
            continue
        if any(s.name == scheme.name for s in schemes):
            r.problems.append(f"{where}: duplicate question id {scheme.name!r}")
            continue
        schemes.append(scheme)
        if right:
            gates[scheme.name] = right
    if html is None and blocks:
        from .validate import sanitize_html

        html = sanitize_html("".join(f"<p>{b}</p>" for b in blocks))
    return PhasePage(
        name=name,
        type=kind,
        header=header,
        html=html,
        schemes=tuple(schemes),
        gates=tuple(sorted(gates.items())),
        instruments=tuple(instruments),
    )


def _instruments(r: ConfigReader) -> list[Any]:
    """The bundled instruments a phase names (`instrument: tipi`, `instruments: [...]`)."""
    from ..study.instruments import instrument, instrument_ids, not_bundled

    named: list[tuple[str, str]] = []  # (key, instrument id)
    if r.has("instrument"):
        one = r.str("instrument", None)
        named += [("instrument", one)] if one else []
    if r.has("instruments"):
        named += [("instruments", name) for name in r.string_list("instruments")]
    out = []
    for key, name in named:
        found = instrument(name.strip().lower())
        why = not_bundled().get(name.strip().lower())
        if found is None and why is not None:
            r.problem(key, f"{name!r} is one of Potato's instruments, {why}")
        elif found is None:
            r.problem(
                key,
                f"{name!r} is not a bundled instrument (bundled: {', '.join(instrument_ids())})"
                f"{hint(name, instrument_ids())}",
            )
        elif found in out:
            r.problem(key, f"{name!r} is named twice")
        else:
            out.append(found)
    return out


def _question_scheme(q: Mapping[str, Any], i: int, where: str, r: ConfigReader, task_dir: Path):
    """A survey question ({id, text, schema, choices, label_requirement.right_label}) or a
    full scheme mapping, as a Scheme plus its accepted answers."""
    entry = dict(q)
    if "annotation_type" not in entry:
        # Potato's survey question types (checkbox, textbox, ...) -> ours (schemes say).
        kind = str(entry.pop("schema")) if "schema" in entry else None
        entry["annotation_type"] = survey_question_type(kind)
        entry.setdefault("name", str(entry.pop("id", f"q{i + 1}")))
        entry.setdefault("description", entry.pop("text", entry["name"]))
        if "choices" in entry:
            entry.setdefault("labels", entry.pop("choices"))
    else:
        entry.pop("id", None)
    # Survey-question keys, dropped unless the type has an option of that name (cloze: text)
    own = getattr(scheme_class(entry["annotation_type"]), "option_keys", ())
    for key in ("id", "text", "choices"):
        if key not in own:
            entry.pop(key, None)
    right: tuple[str, ...] = ()
    req = entry.get("label_requirement")
    if isinstance(req, Mapping) and "right_label" in req:
        req = dict(req)
        labels = req.pop("right_label")
        labels = [labels] if isinstance(labels, (str, int)) else labels
        if not isinstance(labels, list) or not labels:
            r.problems.append(f"{where}.label_requirement.right_label: must be a list of labels")
        else:
            right = tuple(str(x) for x in labels)
            req["required"] = True
        entry["label_requirement"] = req
    # Survey choices are prose written by the study's authors: Potato keeps them as written
    # unless the question asks for `humanize_labels: true`.
    entry.setdefault("humanize_labels", False)
    sub = ConfigReader(entry, where, r.problems, r.warnings)
    kind = entry["annotation_type"]
    cls = scheme_class(kind)
    if cls is None:
        r.problems.append(
            f"{where}.schema: {kind!r} is not supported (supported: {', '.join(type_names())})"
            f"{hint(str(kind), type_names())}"
        )
        return None, ()
    scheme = cls(sub, i, task_dir)
    for label in right:
        if scheme.labels and label not in scheme.label_names:
            r.problems.append(
                f"{where}.label_requirement.right_label: {label!r} is not one of its choices"
                f"{hint(label, scheme.label_names)}"
            )
    return scheme, right


def _content_html(path: Path, r: ConfigReader, where: str) -> str | None:
    from .validate import sanitize_html

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        r.problems.append(f"{where}: cannot read {path}: {exc}")
        return None
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        import markdown

        return sanitize_html(markdown.markdown(text, extensions=["tables", "sane_lists"]))
    if suffix == ".txt":
        from markupsafe import escape

        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return sanitize_html(text)


# -- training ----------------------------------------------------------------------------
def _training(r: ConfigReader, task_dir: Path, base: Path, by_name: dict) -> TrainingConfig:
    sub = r.child("training")
    sub.warn_unknown(compat.TRAINING_KEYS)
    enabled = sub.bool("enabled", bool(sub.raw))
    if not enabled:
        return TrainingConfig()
    names = sub.string_list("annotation_schemes") or list(by_name)
    for name in names:
        if name not in by_name:
            sub.problem(
                "annotation_schemes", f"{name!r} is not an annotation scheme{hint(name, by_name)}"
            )
    names = [n for n in names if n in by_name]
    crit = sub.child("passing_criteria")
    crit.warn_unknown(compat.TRAINING_CRITERIA_KEYS)
    feedback = sub.child("feedback")
    feedback.warn_unknown(compat.TRAINING_FEEDBACK_KEYS)
    allow_retry = sub.bool("allow_retry", feedback.bool("allow_retry", True))
    items: list[TrainingItem] = []
    file_name = sub.str("data_file", None, required=True)
    if file_name:
        path = _find(task_dir, base, file_name)
        where = sub.key_path("data_file")
        raw = _read_json(path, sub, where) if path.is_file() else None
        if raw is None and not path.is_file():
            sub.problems.append(f"{where}: file not found: {path}")
        if isinstance(raw, Mapping):
            raw = raw.get("training_instances", raw.get("items"))
        if raw is not None and not isinstance(raw, list):
            sub.problems.append(f"{where}: must hold a list or {{'training_instances': [...]}}")
            raw = None
        for i, entry in enumerate(raw or []):
            item = _training_item(entry, f"{path.name}[{i}]", sub, names, by_name)
            if item is not None:
                items.append(item)
        if raw is not None and not items:
            sub.problems.append(f"{where}: has no training questions")
    n = len(items)
    min_correct = crit.number("min_correct", None, integer=True, minimum=0)
    if min_correct is not None and n and min_correct > n:
        crit.problem("min_correct", f"is {min_correct} but there are only {n} training questions")
    failure = sub.str("failure_action", "move_to_done", choices=("move_to_done", "repeat_training"))
    return TrainingConfig(
        enabled=True,
        items=tuple(items),
        scheme_names=tuple(names),
        min_correct=n if min_correct is None else min_correct,
        require_all_correct=crit.bool("require_all_correct", False),
        max_mistakes=_limit(crit, "max_mistakes"),
        max_mistakes_per_question=_limit(crit, "max_mistakes_per_question"),
        max_attempts=_limit(crit, "max_attempts", minimum=1),
        allow_retry=allow_retry,
        show_explanations=feedback.bool("show_explanations", True),
        failure_action=failure,
    )


def _limit(r: ConfigReader, key: str, minimum: int = 0) -> int | None:
    """A count where -1 (Potato's spelling) or absence means unlimited."""
    value = r.raw.get(key)
    if value == -1:
        return None
    return r.number(key, None, integer=True, minimum=minimum)


def _training_item(
    entry: Any, where: str, r: ConfigReader, names: list[str], by_name: dict
) -> TrainingItem | None:
    if not isinstance(entry, Mapping):
        r.problems.append(f"{r.key_path('data_file')}: {where}: must be a mapping")
        return None
    answers = entry.get("correct_answers", entry.get("gold_label"))
    item_id, text = entry.get("id"), entry.get("text")
    prefix = f"{r.key_path('data_file')}: {where}"
    if item_id is None or text is None:
        r.problems.append(f"{prefix}: needs 'id' and 'text'")
        return None
    expected = _expected(answers, prefix, "correct_answers", r, by_name, names)
    if expected is None:
        return None
    return TrainingItem(
        id=str(item_id),
        text=str(text),
        expected=expected,
        explanation=str(entry.get("explanation") or "") or None,
        categories=_categories(entry.get("categories")),
    )


def _categories(raw: Any) -> tuple[str, ...]:
    """A training question's `categories` (one name or a list), for category_based."""
    if isinstance(raw, (str, int)) and not isinstance(raw, bool):
        raw = [raw]
    if not isinstance(raw, list):
        return ()
    return tuple(str(c) for c in raw if isinstance(c, (str, int)) and str(c))


def _expected(
    answers: Any, prefix: str, key: str, r: ConfigReader, by_name: dict, allowed: list[str]
) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...] | None:
    """Check {schema: answer} against the schemes; returns (schema, label map) pairs."""
    if not isinstance(answers, Mapping) or not answers:
        r.problems.append(f"{prefix}: '{key}' must map scheme names to answers")
        return None
    out = []
    for schema, value in answers.items():
        if schema not in allowed:
            r.problems.append(
                f"{prefix}.{key}.{schema}: not a scheme used here{hint(str(schema), allowed)}"
            )
            continue
        try:
            label_map = by_name[schema].from_answer(value)
        except BadAnnotation as exc:
            r.problems.append(f"{prefix}.{key}.{schema}: {exc}")
            continue
        if not label_map:
            r.problems.append(f"{prefix}.{key}.{schema}: the answer is empty")
            continue
        out.append((schema, tuple(sorted(label_map.items()))))
    return tuple(out) if len(out) == len(answers) else None


# -- quality control ---------------------------------------------------------------------
def _qc_items(
    sub: ConfigReader, task_dir: Path, base: Path, by_name: dict, answer_key: str, kind: str
) -> list[QcItem]:
    file_name = sub.str("items_file", None, required=True)
    if not file_name:
        return []
    path = _find(task_dir, base, file_name)
    where = sub.key_path("items_file")
    if not path.is_file():
        sub.problems.append(f"{where}: file not found: {path}")
        return []
    raw = _read_json(path, sub, where)
    if isinstance(raw, Mapping):
        raw = raw.get("items")
    if not isinstance(raw, list) or not raw:
        sub.problems.append(f"{where}: must hold a non-empty list of items")
        return []
    items = []
    names = list(by_name)
    for i, entry in enumerate(raw):
        prefix = f"{where}: {path.name}[{i}]"
        if not isinstance(entry, Mapping):
            sub.problems.append(f"{prefix}: must be a mapping")
            continue
        if entry.get("id") is None or entry.get("text") is None:
            sub.problems.append(f"{prefix}: needs 'id' and 'text'")
            continue
        answers = entry.get(answer_key)
        if answers is None:  # each file format's other spelling
            answers = entry.get("gold_label", entry.get("expected_answer"))
        expected = _expected(answers, prefix, answer_key, sub, by_name, names)
        if expected is None:
            continue
        fields = {k: v for k, v in entry.items() if k not in ("id", "text", answer_key)}
        items.append(
            QcItem(
                kind=kind,
                id=str(entry["id"]),
                text=str(entry["text"]),
                expected=expected,
                explanation=str(entry.get("explanation") or "") or None,
                fields_json=json.dumps(fields, ensure_ascii=False, sort_keys=True),
            )
        )
    ids = [item.id for item in items]
    for dup in sorted({x for x in ids if ids.count(x) > 1}):
        sub.problems.append(f"{where}: duplicate item id {dup!r}")
    return items


def _frequency(sub: ConfigReader) -> tuple[int | None, float | None]:
    freq = sub.number("frequency", None, integer=True, minimum=1)
    prob = sub.number("probability", None, minimum=0, maximum=1)
    if freq is not None and prob is not None:
        sub.problem("probability", "give either frequency or probability, not both")
        prob = None
    if freq is None and prob is None:
        freq = 10
    return freq, (float(prob) if prob is not None else None)


def _attention(r: ConfigReader, task_dir: Path, base: Path, by_name: dict) -> AttentionConfig:
    sub = r.child("attention_checks")
    sub.warn_unknown(compat.ATTENTION_KEYS)
    if not sub.bool("enabled", bool(sub.raw)):
        return AttentionConfig()
    items = _qc_items(sub, task_dir, base, by_name, "expected_answer", "attention_check")
    freq, prob = _frequency(sub)
    fail = sub.child("failure_handling")
    fail.warn_unknown(compat.ATTENTION_FAILURE_KEYS)
    defaults = AttentionConfig()
    warn_at = fail.number("warn_threshold", 2, integer=True, minimum=1)
    block_at = _limit(fail, "block_threshold", minimum=1)
    if block_at is None and fail.raw.get("block_threshold") is None:
        block_at = 5
    return AttentionConfig(
        enabled=True,
        items=tuple(items),
        frequency=freq,
        probability=prob,
        min_response_time=sub.number("min_response_time", None, minimum=0),
        warn_threshold=warn_at,
        warn_message=fail.str("warn_message", defaults.warn_message),
        block_threshold=block_at,
        block_message=fail.str("block_message", defaults.block_message),
    )


def _gold(
    r: ConfigReader, task_dir: Path, base: Path, by_name: dict
) -> tuple[GoldConfig, PromotionConfig]:
    sub = r.child("gold_standards")
    sub.warn_unknown(compat.GOLD_KEYS)
    promote = sub.child("auto_promote") if sub.has("auto_promote") else r.child("auto_promotion")
    promote.warn_unknown(compat.PROMOTION_KEYS)
    promotion = PromotionConfig()
    if promote.bool("enabled", bool(promote.raw)):
        promotion = PromotionConfig(
            enabled=True,
            min_annotators=promote.number("min_annotators", 3, integer=True, minimum=2),
            agreement_threshold=float(
                promote.number("agreement_threshold", 1.0, minimum=0.5, maximum=1.0)
            ),
        )
    # Gold items are served when configured; a config with only auto_promote just promotes.
    if not sub.bool("enabled", bool(set(sub.raw) - {"auto_promote"})):
        return GoldConfig(), promotion
    items: list[QcItem] = []
    if sub.has("items_file") or not promotion.enabled:
        items = _qc_items(sub, task_dir, base, by_name, "gold_label", "gold_standard")
    mode = sub.str("mode", "mixed", choices=("mixed", "training", "separate"))
    if mode != "mixed":
        sub.warn("mode", f"{mode!r} is not served yet: gold items are mixed into annotation")
    freq, prob = _frequency(sub)
    acc = sub.child("accuracy")
    acc.warn_unknown(compat.GOLD_ACCURACY_KEYS)
    feedback = sub.child("feedback")
    feedback.warn_unknown(compat.GOLD_FEEDBACK_KEYS)
    threshold = acc.number("min_threshold", None, minimum=0, maximum=1)
    gold = GoldConfig(
        enabled=True,
        items=tuple(items),
        frequency=freq,
        probability=prob,
        min_threshold=float(threshold) if threshold is not None else None,
        evaluation_count=acc.number("evaluation_count", 5, integer=True, minimum=1),
        block_below_threshold=acc.bool("block_below_threshold", False),
        block_message=acc.str("block_message", GoldConfig().block_message),
        show_correct_answer=feedback.bool("show_correct_answer", False),
        show_explanation=feedback.bool("show_explanation", False),
    )
    return gold, promotion


def _pre_annotation(r: ConfigReader) -> PreAnnotationConfig:
    sub = r.child("pre_annotation")
    sub.warn_unknown(compat.PRE_ANNOTATION_KEYS)
    if not sub.bool("enabled", bool(sub.raw)):
        return PreAnnotationConfig()
    low = sub.number("highlight_low_confidence", None, minimum=0, maximum=1)
    return PreAnnotationConfig(
        enabled=True,
        field=sub.str("field", "predictions"),
        allow_modification=sub.bool("allow_modification", True),
        show_confidence=sub.bool("show_confidence", False),
        highlight_low_confidence=float(low) if low is not None else None,
    )


# -- files -------------------------------------------------------------------------------
def _find(task_dir: Path, base: Path, name: str) -> Path:
    path = Path(name).expanduser()
    if path.is_absolute():
        return path
    first = (task_dir / path).resolve()
    if first.exists():
        return first
    alt = (base / path).resolve()
    return alt if alt.exists() else first


def _read_json(path: Path, r: ConfigReader, where: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        r.problems.append(f"{where}: cannot read {path}: {exc}")
        return None
    try:
        if path.suffix.lower() == ".jsonl":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        return json.loads(text)
    except json.JSONDecodeError as exc:
        r.problems.append(f"{where}: {path.name} line {exc.lineno}: invalid JSON ({exc.msg})")
        return None
