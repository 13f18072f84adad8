"""What every annotation type shares.

A scheme's stored value is Potato's label map for that scheme, normalised: only chosen
labels, canonical value strings (`{"positive": "1"}`, `{"text_box": "..."}`, `{"slider": "40"}`).
That makes `/get_annotations` and Potato-style output a straight read, while `answer()` gives
the typed value for exports and agreement.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from ..config.compat import LABEL_KEYS, LABEL_KEYS_LATER, LABEL_REQUIREMENT_KEYS
from ..config.project_css import read_custom_css
from ..config.reader import ConfigReader, hint, type_name, yaml_bool_hint
from ..errors import BadAnnotation
from .display_logic import Rule, check_references, read_rule

_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|(rgb|rgba|hsl|hsla)\([0-9.,%\s]+\)|[a-zA-Z]{3,20})$")

# Values a client sends to mean "this label is not chosen" (Potato's frontend sends "0").
FALSY = ("", "0", "false", "False", "off", "null", "None")
SEQUENTIAL_KEYS = "1234567890"

COMMON_KEYS = (
    "annotation_type",
    "name",
    "description",
    "label_requirement",
    "required",
    "display_logic",
    "humanize_labels",
    "custom_css",
    "layout",  # Potato's form grid placement (config/form_layout.py)
)

# Scheme options Potato knows that change only presentation we do not offer yet.
LATER_SCHEME_KEYS = {
    "displaying_score": "score display",
    "display_config": "custom display settings",
    "video_as_label": "video labels",
    "bad_text_label": "bad-text option",
    "show_labels": "slider tick labels",
    "maxTick": "slider ticks",
    "min_chars": "minimum text length",
    "show_char_count": "character counter",
    "collapsible": "collapsible text boxes",
    "target_schema": "linked text boxes",
    "allow_paste": "paste blocking",
    "use_predefined_labels": "predefined label sets",
    "label_colors": "label colours",
    "cols": "text box width",
}


def is_chosen(value: Any) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0
    return str(value).strip() not in FALSY


@dataclass(frozen=True)
class Label:
    name: str
    tooltip: str = ""
    key: str | None = None  # keyboard shortcut, shown on the button
    color: str | None = None
    text: str | None = None  # what annotators see; the stored value is always `name`
    key_from_binding: bool = False  # the key came from `key_binding`: a clash only warns

    @property
    def shown(self) -> str:
        return self.text or self.name


class Scheme:
    """One entry of `annotation_schemes`. Subclasses set `type_name` (by @register), `macro`
    and `option_keys`, and implement `parse_options`, `normalize` and `answer`."""

    type_name: ClassVar[str] = ""
    macro: ClassVar[str] = ""
    option_keys: ClassVar[tuple[str, ...]] = ()
    single_choice: ClassVar[bool] = False
    # Potato humanizes label names by default for radio and multiselect only.
    humanized_by_default: ClassVar[bool] = False

    # What the rest of the app asks a scheme instead of naming its type (docs/schemes.md).
    # Stored value: a label map ({label: value}); structured types hold {"spans": [...]}-like
    # values that a request replaces as a whole (schemes/structured.py).
    structured: ClassVar[bool] = False
    # Its answer is about the steps of the item's trace: agreement is computed per step
    # (quality/step_agreement.py) through `step_values`, `first_error`, `step_metric`.
    step_level: ClassVar[bool] = False
    # Its answers correct an item's agent trace (`corrected_trace()`; trajectory exports).
    corrects_steps: ClassVar[bool] = False
    # The store keeps per-value tallies and agreement cells for it (store/aggregates.py);
    # otherwise the dashboard only counts its answers.
    tallied: ClassVar[bool] = False
    # The questions dashboard reads its untallied answers and shows dashboard_summary().
    summarizes_answers: ClassVar[bool] = False
    # How the questions dashboard summarises tallied answers: "labels" (count per label)
    # or "numbers" (mean, median, histogram).
    summary_kind: ClassVar[str] = "labels"
    # The agreement page shows a label-by-label confusion matrix.
    confusion_matrix: ClassVar[bool] = False
    # Krippendorff's alpha level ("nominal", "ordinal", "interval", "masi", "unitizing"), or
    # None with the reason the agreement page shows.
    agreement_metric: ClassVar[str | None] = None
    # How the builtin AI model (ai/builtin/) learns its answers: "classes" (one label of
    # `label_names`), "label_set" (any of `label_names`, one yes/no model per label),
    # "spans" (labelled character ranges of the item text: a sequence tagger), or None.
    learned_as: ClassVar[str | None] = None
    agreement_skip_reason: ClassVar[str] = "no agreement measure for this type yet"
    # Wire format: the /updateinstance body field carrying a structured type's entries
    # ("span_annotations"), and the `type` Potato's backend format (schema/type/state) uses
    # for it: "label" state entries become a label map, any other type's are its entries.
    wire_field: ClassVar[str | None] = None
    backend_type: ClassVar[str] = "label"
    # Its JS module under static/ (plain ES module), loaded by pages that show it.
    script: ClassVar[str | None] = None
    # Its stylesheet under static/, linked by pages that show it.
    stylesheet: ClassVar[str | None] = None
    # Its entries point at spans of another scheme (`span_schema`), checked after that
    # scheme's new value is known (spans/updates.py).
    refers_to_spans: ClassVar[bool] = False
    # Its entries are labelled character ranges of the item text (what links, events,
    # entity linking, span colours and /api/spans work on).
    marks_text_ranges: ClassVar[bool] = False
    # Its entries are about the item's text (the span page script shows them); False for
    # entries about the item's media (shapes on an image), which have their own script.
    text_page: ClassVar[bool] = True
    # Its entries are shapes on the item's image ({"shapes": [...]} with `pixels` and the
    # value's `image` size): what the computer-vision exports (export/image_formats.py) read.
    image_regions: ClassVar[bool] = False
    # Potato compatibility: binds 1..9 to its labels when it is a project's only scheme;
    # other names Potato's survey questions (`schema: checkbox`) use for this type; the type
    # of a survey question that names none.
    numbered_when_alone: ClassVar[bool] = False
    survey_names: ClassVar[tuple[str, ...]] = ()
    survey_default: ClassVar[bool] = False

    @classmethod
    def backend_names(cls) -> tuple[str, ...]:
        """The `type` values Potato's clients send in the backend format (schema/type/state)
        for this type's schemes: its own name and its survey names (`"radio"`, `"textbox"`).
        The scheme named by `schema` decides how the state is read, as in Potato, which
        takes any type name there. Structured types without a backend format have none."""
        if cls.structured and cls.backend_type == "label":
            return ()
        return (cls.type_name, *cls.survey_names)

    def __init__(self, reader: ConfigReader, index: int, task_dir: Path) -> None:
        self.index = index
        self.task_dir = task_dir
        self.name: str = reader.str("name", f"scheme_{index}", required=True)
        if ":" in self.name:
            reader.problem(
                "name", f"{self.name!r} must not contain ':' (it separates schema and label)"
            )
        self.description: str = reader.str("description", self.name, allow_empty=True) or self.name
        self.required, self.required_labels = _read_requirement(reader)
        self.labels: list[Label] = []
        # Labels written in the config (not ones a type makes up, such as a text box's key
        # or a likert scale's points): what Potato's /api/colors lists.
        self.labels_configured: bool = reader.has("labels")
        self.display_logic: Rule | None = read_rule(reader)
        # Potato shows a radio or multiselect label `very_positive` as "Very Positive" unless
        # `humanize_labels: false` (other types show names as written unless asked); a
        # label's own `displayed_label`/`text` always wins, the stored name never changes.
        self.humanize_labels = reader.bool("humanize_labels", self.humanized_by_default)
        # sizes of its inputs, served in /project.css (config/project_css.py)
        self.custom_css: dict[str, str] = read_custom_css(reader)
        self.parse_options(reader)
        reader.warn_unknown(COMMON_KEYS + self.option_keys, later=LATER_SCHEME_KEYS)
        self._check_labels(reader)
        if self.humanize_labels:
            self.labels = [
                label if label.text else replace(label, text=humanize(label.name))
                for label in self.labels
            ]

    def _check_labels(self, reader: ConfigReader) -> None:
        for label in self.required_labels:
            if self.labels and label not in self.label_names:
                reader.problem(
                    "label_requirement",
                    f"required_label {label!r} is not a label of this scheme"
                    f"{hint(label, self.label_names)}",
                )
        owners: dict[str, int] = {}  # key -> index of the label holding it
        for i, label in enumerate(self.labels):
            if not label.key:
                continue
            if label.key not in owners:
                owners[label.key] = i
                continue
            first = self.labels[owners[label.key]]
            clash = f"key {label.key!r} is bound to both {first.name!r} and {label.name!r}"
            if not (label.key_from_binding or first.key_from_binding):
                reader.problem("labels", clash)
                continue
            # `key_binding` is not read by Potato at all, so a clash there only warns; the
            # label that named it with `key_binding` loses the key.
            loser = i if label.key_from_binding else owners[label.key]
            reader.warn("labels", f"{clash}; {self.labels[loser].name!r} gets no key")
            owners[label.key] = i + owners[label.key] - loser
            self.labels[loser] = replace(self.labels[loser], key=None, key_from_binding=False)

    # Entity linking: the knowledge bases its entries may link to (spans/kb.py).
    knowledge_bases: tuple = ()

    # -- config -------------------------------------------------------------------------
    def parse_options(self, reader: ConfigReader) -> None:
        """Read type-specific options; record problems on the reader."""

    def resolve_references(self, schemes: Mapping[str, Scheme], reader: ConfigReader) -> None:
        """Check names of other schemes this one refers to (after all schemes are read)."""

    def resolve_display_logic(self, schemes: Mapping[str, Scheme], reader: ConfigReader) -> None:
        """Check the schemes its `display_logic` watches (exist, no loops)."""
        if self.display_logic is not None:
            check_references(self.name, self.display_logic, schemes, reader)

    def comparable(self, label_map: Mapping[str, str]) -> Any:
        """The answer `display_logic` conditions compare with (None when unanswered): the
        typed answer, a multiselect with one chosen label as that label (as Potato does)."""
        if not label_map:
            return None
        value = self.answer(label_map)
        if isinstance(value, list) and len(value) == 1:
            return value[0]
        return value

    def private_fields(self) -> tuple[str, ...]:
        """Item fields only the server may read (an answer key, a listening test's stimulus
        and condition fields): left out of every item an annotator's page or API receives
        (`public_fields`)."""
        return ()

    def for_annotator(self, annotator: str, seed: Any) -> Scheme:
        """The scheme as it checks one annotator's answers (a type that assigns each
        annotator a condition records it in the value); the scheme itself by default."""
        return self

    def for_page(
        self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any
    ) -> Scheme:
        """The scheme as one annotator sees it on one item (choice types may filter and
        shuffle their labels); the project's scheme itself when nothing changes."""
        return self

    @property
    def dom_id(self) -> str:
        """An HTML id made from the scheme's name (names may hold spaces and punctuation,
        which ids and aria-labelledby lists cannot): the question's legend is
        `<dom_id>-q`, so controls without a label of their own are named by it."""
        return "s-" + re.sub(r"[^A-Za-z0-9_-]", "_", self.name)

    @property
    def option_order(self) -> list[str] | None:
        """The label order shown when it was shuffled for this page (recorded), else None."""
        return None

    @property
    def label_names(self) -> list[str]:
        return [label.name for label in self.labels]

    @property
    def key_bindings(self) -> dict[str, str]:
        return {label.key: label.name for label in self.labels if label.key}

    def content_origins(self) -> dict[str, tuple[str, ...]]:
        """Origins its page loads from besides this site, by CSP directive ({"img-src":
        ("https://tiles.example.org",)}), all named by the project's configuration."""
        return {}

    # -- values -------------------------------------------------------------------------
    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        """Apply label-level updates from a request to the stored label map, then normalise.
        An empty result means the scheme is cleared."""
        merged: dict[str, Any] = dict(old or {})
        if self.single_choice and any(is_chosen(v) for v in incoming.values()):
            merged = {k: v for k, v in merged.items() if k not in self.label_names}
        merged.update(incoming)
        return self.normalize(merged)

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        raise NotImplementedError

    def answer(self, label_map: Mapping[str, str]) -> Any:
        """The typed answer (a label, a list of labels, a string or a number)."""
        raise NotImplementedError

    def agreement_value(self, label_map: Mapping[str, str]) -> Any:
        """The value agreement compares for one stored map (default: `answer()`); types
        with several parts (a rubric's criteria) reduce them to one value of their level."""
        return self.answer(label_map)

    # The questions page shows a model fitted to its answers (`analysis()`), under this
    # title; None: the type has none.
    analysis_title: ClassVar[str | None] = None
    # `analysis()` gets (fields with the item text, item id, stored map, annotator) and the
    # project's random_seed: for types whose answers mean something only per annotator (a
    # cloze respondent's score, a listening test's blinded per-annotator order).
    analysis_by_annotator: ClassVar[bool] = False

    def analysis(self, answers: Any) -> dict[str, Any]:
        """A model of its answers for the questions page: `answers` yields
        (item fields, item id, stored map) of every submitted answer."""
        return {}

    def item_charts(self, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Bar charts of one item's answers for the admin item page ({annotator: answer()}
        in, [{"title", "bars": [{"label", "value" (0..1), "text"}]}] out); none by default."""
        return []

    def from_answer(self, value: Any) -> dict[str, str]:
        """The stored label map for a typed answer as researchers write it in files
        (gold labels, training answers, predictions): `"positive"`, `["a", "b"]`, `4`, or a
        Potato label map. Raises BadAnnotation when the answer does not fit the scheme."""
        if isinstance(value, Mapping):
            return self.normalize(value)
        return self.normalize(self.answer_map(value))

    def answer_map(self, value: Any) -> dict[str, Any]:
        """A typed answer as a raw label map (subclasses say how)."""
        raise BadAnnotation(f"{self.name}: a {self.type_name} answer must be given as a label map")

    def same_answer(self, a: Mapping[str, str] | None, b: Mapping[str, str] | None) -> bool:
        """Do two stored label maps give the same answer? Order of chosen labels, case and
        surrounding blanks of text do not matter."""
        return _canonical(self.answer(a or {})) == _canonical(self.answer(b or {}))

    def dashboard_summary(self, label_maps: list[Mapping[str, Any]]) -> dict[str, Any]:
        """Figures over stored answers for the questions dashboard (types whose answers are
        records, not tallied labels): numbers, or {name: count} distributions."""
        return {}

    def check_display(self, display: Any, text_key: str, reader: Any) -> None:
        """Check options that name `instance_display` fields once the display is read
        (`display`: displays.config.InstanceDisplay or None); warnings go to `reader`."""

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        """Check a new stored map against the item it answers (`text`, its `fields`), e.g.
        offsets into its text; raises BadAnnotation. Called only when the item is known."""

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        """Why this scheme does not yet satisfy `label_requirement` (without the scheme's
        name), or None."""
        if self.required and not label_map:
            return "an answer is required"
        for label in self.required_labels:
            if not label_map or label not in label_map:
                return f"label {label!r} must be chosen"
        return None

    # -- wire parsing -------------------------------------------------------------------
    @classmethod
    def entry_from_wire_key(cls, key: str, value: Any) -> tuple[str, dict[str, Any]] | None:
        """(schema, entry) for a `{key: value}` pair of an object-shaped `wire_field`, when
        the key itself encodes an entry; None when the key is a schema name."""
        return None

    def entries_from_label(self, label: str, value: Any) -> list[Any] | None:
        """A structured type's entries sent as one `"schema:label": value` annotation (as
        Potato's page sends an image's shapes in `"schema:_data"`), or None: not a way this
        type takes entries."""
        return None

    # A structured type's entries sent as "schema:label" join those of its wire field in the
    # same request (span's bad_text flag), instead of being used only when that is absent.
    label_entries_join: ClassVar[bool] = False

    def page_input_labels(self) -> list[str]:
        """Labels of inputs its page part has beyond its label names (span's bad_text)."""
        return []

    def label_part(self, value: Any) -> dict[str, str]:
        """What a structured type's stored value shows among Potato's label_annotations
        (span: {"bad_text": "1"}); nothing by default."""
        return {}

    def with_old(self, entries: list[Any], old_value: Any) -> list[Any]:
        """A structured type's submitted entries completed from its stored value before
        validation (default: as sent: a request replaces the entries as a whole)."""
        return entries

    def backend_entries(self, state: list[Any]) -> list[Any]:
        """Its entries from the `state` list of Potato's backend format (non-label types)."""
        return list(state)

    def backend_merge(self, old_value: Any, entries: list[Any]) -> list[Any]:
        """All of its entries after a backend-format update sent `entries` (inside the save
        transaction, with the stored value): the sent entries replace the old ones, unless
        the type says otherwise."""
        return entries

    def form_answers(self, form: Mapping[str, Any]) -> dict[str, Any]:
        """Its `"schema:label": value` answers from the annotation page's HTML form (no
        JavaScript): every input is named `schema:label`."""
        prefix = f"{self.name}:"
        return {key: form.get(key) for key in form if key.startswith(prefix)}

    def scale_values(self) -> list[Any]:
        """The answers (`answer()`) its labels stand for, in label order: the categories and
        the ordinal scale agreement uses (a sized likert answers 1..size as numbers)."""
        return list(self.label_names)

    def table_keys(self) -> list[str]:
        """The keys of its stored label map that get a `schema:::key` column in Potato's wide
        table export (empty: only the `answer:<schema>` JSON column)."""
        return [] if self.structured else list(self.label_names)

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        """The labels a stored map counts for in the questions dashboard (a multiselect map
        counts for each of its labels)."""
        return list(label_map)

    def describe(self) -> dict[str, Any]:
        """The shape `/api/schemas` documents: name, description, labels, type."""
        return {
            "name": self.name,
            "description": self.description,
            "labels": self.label_names,
            "type": self.type_name,
            "required": self.required,
        }

    # -- helpers for subclasses ---------------------------------------------------------
    def unknown_label(self, label: str) -> BadAnnotation:
        return BadAnnotation(
            f"{self.name}: unknown label {label!r}; expected one of "
            f"{', '.join(self.label_names)}{hint(label, self.label_names)}"
        )

    def read_labels(self, reader: ConfigReader, *, required: bool = True) -> None:
        raw = reader.raw.get("labels")
        if raw is None:
            if required:
                reader.problem("labels", "is required for this annotation type")
            return
        if not isinstance(raw, list) or not raw:
            reader.problem("labels", "must be a non-empty list of labels")
            return
        seen: set[str] = set()
        for i, entry in enumerate(raw):
            path = f"{reader.key_path('labels')}[{i}]"
            label = _parse_label(entry, path, reader.problems, reader.warnings)
            if label is None:
                continue
            if label.name in seen:
                reader.problems.append(
                    f"{reader.key_path('labels')}[{i}]: duplicate label {label.name!r}"
                )
                continue
            seen.add(label.name)
            self.labels.append(label)

    def assign_keys(self, sequential: bool) -> None:
        """Bind 1..9, 0 to labels without an explicit key, when asked and when it fits."""
        if not sequential or len(self.labels) > len(SEQUENTIAL_KEYS):
            return
        taken = {label.key for label in self.labels if label.key}
        keys = iter(k for k in SEQUENTIAL_KEYS if k not in taken)
        self.labels = [
            label if label.key else replace(label, key=next(keys, None)) for label in self.labels
        ]


def hidden_schemes(
    schemes: list[Scheme],
    maps: Mapping[str, Mapping[str, str]],
    known: Mapping[str, Any] | None = None,
) -> set[str]:
    """Names of the schemes their `display_logic` hides, given the stored label maps (and
    `known` answers of schemes elsewhere, e.g. earlier phases). Rules read the answers of
    hidden schemes too, as Potato's page does."""
    answers = {**(known or {}), **{s.name: s.comparable(maps.get(s.name) or {}) for s in schemes}}
    return {
        s.name
        for s in schemes
        if s.display_logic is not None and not s.display_logic.holds(answers)
    }


def public_fields(schemes, fields: Mapping[str, Any]) -> dict[str, Any]:
    """An item's fields without those the schemes keep private (`private_fields`)."""
    private = {f for s in schemes for f in s.private_fields()}
    return {k: v for k, v in fields.items() if k not in private} if private else dict(fields)


def json_payload(scheme: str, value: Any, what: str) -> Mapping[str, Any]:
    """The JSON object a type's page sends as one `"<schema>:_data"` value (text or already
    parsed; empty means {}); `what` names the content for the error."""
    try:
        data = json.loads(value) if isinstance(value, str) and value else value or {}
    except ValueError as exc:
        raise BadAnnotation(f"{scheme}: the {what} are not valid JSON") from exc
    if not isinstance(data, Mapping):
        raise BadAnnotation(f"{scheme}:_data must be an object")
    return data


def humanize(name: str) -> str:
    """`very_positive` -> "Very Positive": `_`/`-` become spaces and words in lower case
    get a capital; ACRONYMS and MixedCase stay as written (Potato's rule)."""
    if "{{" in name or "{%" in name:
        return name
    words = name.replace("_", " ").replace("-", " ").split()
    return " ".join(w[:1].upper() + w[1:] if w.islower() else w for w in words) or name


def _canonical(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().casefold()
    if isinstance(value, (list, tuple, set)):
        return frozenset(_canonical(v) for v in value)
    if isinstance(value, Mapping):
        return frozenset((k, _canonical(v)) for k, v in value.items())
    return value


def _read_requirement(reader: ConfigReader) -> tuple[bool, tuple[str, ...]]:
    raw = reader.raw.get("label_requirement")
    required = reader.bool("required", False)
    if raw is None:
        return required, ()
    if isinstance(raw, bool):
        return raw or required, ()
    if not isinstance(raw, Mapping):
        reader.problem(
            "label_requirement", f"must be a mapping or true/false, got {type_name(raw)}"
        )
        return required, ()
    sub = reader.child("label_requirement")
    sub.warn_unknown(LABEL_REQUIREMENT_KEYS)
    required = sub.bool("required", False) or required
    labels = sub.raw.get("required_label")
    if labels is None:
        return required, ()
    if isinstance(labels, str):
        labels = [labels]
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        sub.problem("required_label", "must be a label name or a list of label names")
        return required, ()
    return required, tuple(labels)


def _parse_label(entry: Any, path: str, problems: list[str], warnings: list[str]) -> Label | None:
    if isinstance(entry, (int, float)) and not isinstance(entry, bool):
        entry = str(entry)
    if isinstance(entry, str):
        if not entry.strip():
            problems.append(f"{path}: label must not be empty")
            return None
        return Label(entry)
    if not isinstance(entry, Mapping):
        problems.append(
            f"{path}: a label is a string or a mapping with 'name', got {type_name(entry)}"
            f"{yaml_bool_hint(entry)}"
        )
        return None
    name = entry.get("name")
    if isinstance(name, (int, float)) and not isinstance(name, bool):
        name = str(name)
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{path}.name: is required{yaml_bool_hint(name)}")
        return None
    for key in entry:
        if key in LABEL_KEYS_LATER:
            warnings.append(f"{path}.{key}: accepted but not implemented yet; ignored")
        elif key not in LABEL_KEYS:
            # Potato ignores label keys it does not read; so do we, saying so.
            warnings.append(f"{path}.{key}: unknown label key, ignored{hint(str(key), LABEL_KEYS)}")
    key = _label_key(entry, "key_value", path, problems)
    binding = _label_key(entry, "key_binding", path, problems)
    if binding is not None and key is not None and binding != key:
        warnings.append(f"{path}.key_binding: ignored because key_value {key!r} is also set")
    tooltip = entry.get("tooltip") or ""
    if not isinstance(tooltip, str):
        problems.append(f"{path}.tooltip: must be a string")
        tooltip = ""
    color = entry.get("color")
    if color is not None and (not isinstance(color, str) or not _COLOR.match(color.strip())):
        problems.append(f"{path}.color: must be a CSS colour like '#4ecdc4' or 'rgb(1, 2, 3)'")
        color = None
    text = None
    for shown_key in ("text", "displayed_label"):  # displayed_label (Potato's name) wins
        value = entry.get(shown_key)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems.append(f"{path}.{shown_key}: must be a string{yaml_bool_hint(value)}")
            continue
        text = str(value)
    return Label(
        name,
        tooltip,
        key if key is not None else binding,
        color.strip() if color else None,
        text,
        key_from_binding=key is None and binding is not None,
    )


def _label_key(entry: Mapping[str, Any], field: str, path: str, problems: list[str]) -> str | None:
    """A label's keyboard shortcut (`key_value`, or `key_binding` as some Potato examples
    write it): one printable character, compared in lower case."""
    key = entry.get(field)
    if key is None:
        return None
    key = str(key)
    if len(key) != 1 or not key.isprintable() or key.isspace():
        problems.append(f"{path}.{field}: must be a single printable character, got {key!r}")
        return None
    return key.lower()
