"""Turn a raw config mapping into a ProjectConfig, reporting every problem at once."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..accounts import unprotected_staff
from ..data.cot_segmentation import read_cot_segmentation
from ..errors import ConfigError
from ..html_sanitizer import clean_html
from ..key_policy import weak_keys
from ..live_agents.config import read_live_agents
from ..schemes.registry import scheme_class, type_names
from ..spans.colors import read_ui_colors
from ..spans.keywords import read_keywords
from . import compat
from .ai import read_ai, read_chat
from .ai_offline import read_active_learning, read_icl
from .assignment import (
    read_batch,
    read_categories,
    read_diversity,
    read_strategy,
    read_triage,
)
from .comparisons import check_tuple_schemes, note_displayed_items, read_bws, read_ibws
from .corpus_map import read_corpus_map
from .webhooks import read_webhooks
from .crowd import read_crowd
from .data_file_options import read_data_file_options
from .data_sources import read_data
from .embeddings import read_embedding_map, read_embeddings
from .event_template import read_event_template
from .form_layout import read_form_layout
from .gold import read_adjudication, read_mace
from .links import safe_link
from .load import UnsetVariable, read_config_file
from .media import read_media
from .model import (
    DURABILITY_LEVELS,
    ConfiguredUser,
    ItemProperties,
    LoginConfig,
    ProjectConfig,
    SuspiciousActivityConfig,
)
from .overlap import read_overlap_plan
from .project_css import ProjectCss, read_project_css
from .project_js import read_project_js
from .psychometrics import read_psychometrics
from .reader import ConfigReader, hint, type_name
from .server import read_server_limits
from .site_templates import read_site_templates, wants_task_layout
from .study import read_study
from .task_layout import read_task_layout
from .ui_language import read_ui_language

LOGIN_TYPES = ("password", "url_direct", "prolific", "mturk", "none")
_HOST = re.compile(r"^\.?[^\s/:@\\\[\]?#]+$")
_RATE = re.compile(r"^\s*\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day)s?\s*$")


def load_config(
    config: str | os.PathLike[str] | Mapping[str, Any], **overrides: Any
) -> ProjectConfig:
    """Read (if a path), merge overrides, validate. Raises ConfigError listing every problem."""
    if isinstance(config, Mapping):
        raw, unset = dict(config), []
        config_path = None
        base = Path(overrides.pop("config_dir", None) or os.getcwd()).resolve()
    else:
        config_path = Path(config).resolve()
        raw, unset = read_config_file(config_path)
        base = config_path.parent
    raw.update(overrides)
    unset = [u for u in unset if u.path.split(".", 1)[0].split("[", 1)[0] not in overrides]
    return build_config(raw, base, config_path, unset)


OUTPUT_ANNOTATION_FORMATS = ("json", "jsonl", "csv", "tsv")


def build_config(
    raw: dict[str, Any],
    base: Path,
    config_path: Path | None = None,
    unset: list[UnsetVariable] | None = None,
) -> ProjectConfig:
    r = ConfigReader(raw)
    _apply_aliases(r)
    r.warn_unknown(compat.IMPLEMENTED, later=compat.LATER)

    name = r.str("annotation_task_name", "Annotation", required=True)
    task_dir = (base / r.str("task_dir", ".")).resolve()
    output_dir = _resolve(task_dir, r.str("output_annotation_dir", "annotation_output"))
    # Set: Potato 1.x's project-wide annotated_instances.<format> is written too (see
    # export/project_file.py); the per-user files are JSON Lines either way, as in Potato.
    fmt = r.str("output_annotation_format", None, choices=OUTPUT_ANNOTATION_FORMATS)
    media = read_media(r)  # before the data: remote data_sources obey its allow_fetch_hosts
    data_files, data_directory, remote_data = read_data(r, task_dir, base, media.allow_fetch_hosts)
    file_options = read_data_file_options(
        r, task_dir, base, data_directory.path if data_directory else None
    )
    props = _item_properties(r)
    schemes = _schemes(r, task_dir)
    project_root = (config_path.parent if config_path else task_dir).resolve()
    project_css = read_project_css(r, project_root, output_dir, schemes)
    form_layout = read_form_layout(r, schemes)
    read_site_templates(r, project_root)
    task_layout = None
    if wants_task_layout(r, project_root):
        task_layout = read_task_layout(r, project_root, output_dir, schemes)
    if task_layout is not None:
        if form_layout is not None:
            r.warn("layout", "ignored: task_layout places the questions")
            form_layout = None
        if task_layout.css:
            project_css = ProjectCss((project_css.text if project_css else "") + task_layout.css)
    if form_layout is not None:  # its grid is CSS too, served with the project's
        project_css = ProjectCss((project_css.text if project_css else "") + form_layout.css())
    project_js = read_project_js(r, project_root, output_dir)
    study = read_study(r, task_dir, base, schemes)
    # Imported here: display types import the config reader (as scheme types do).
    from ..displays.config import read_instance_display

    keywords_file = r.str("keyword_highlights_file", None)
    keywords_path = _resolve(task_dir, keywords_file) if keywords_file else None
    if keywords_path is not None and not keywords_path.is_file():
        alt = _resolve(base, keywords_file)
        keywords_path = alt if alt.is_file() else keywords_path
    users = _users(r)
    login = _login(r)
    crowd = read_crowd(r, task_dir, login)
    # Workers arriving from a platform have no password (Potato turns it off for them too).
    require_password = r.bool("require_password", not login.from_url)
    if r.has("require_no_password"):
        require_password = not r.bool("require_no_password", False)
    if login.type == "none":
        require_password = False

    triage = read_triage(r)
    batch = read_batch(r, task_dir, props.id_key)
    categories = read_categories(
        r, props.category_key, {q.id: q.categories for q in study.training.items}
    )
    strategy = read_strategy(r, triage)
    if strategy == "batch" and any(d.live for d in remote_data.databases):
        r.problem(
            "assignment_strategy",
            "batch serves only items of a declared cohort, so rows a live database source "
            "adds would never be served; use another strategy with live_ingestion",
        )
    overlap, overlap_plan = read_overlap_plan(r)
    psychometrics = read_psychometrics(r, schemes, strategy)

    server = r.child("server")
    server.warn_unknown(compat.SERVER_KEYS)
    port = r.number(
        "port", server.number("port", 8000, integer=True), integer=True, minimum=0, maximum=65535
    )
    host = r.str("host", server.str("host", "127.0.0.1"))

    rate = _rate(r, "login_rate_limit", "10 per minute")
    admin_key = (
        r.str("admin_api_key", None, allow_empty=True)
        or os.environ.get("POTATO_ADMIN_API_KEY")
        or None
    )
    secret = r.str("secret_key", None, allow_empty=True) or None
    # Weak keys: warnings here; `run.py` refuses to listen beyond loopback with them.
    r.warnings.extend(weak_keys(admin_key, secret))

    values = dict(
        annotation_task_name=name,
        config_path=config_path,
        task_dir=task_dir,
        output_dir=output_dir,
        data_files=tuple(data_files),
        data_directory=data_directory,
        remote_data=remote_data,
        item_properties=props,
        schemes=tuple(schemes),
        project_css=project_css,
        project_js=project_js,
        form_layout=form_layout,
        task_layout=task_layout,
        allow_all_users=r.child("user_config").bool("allow_all_users", True),
        users=tuple(users),
        require_password=require_password,
        login=login,
        assignment_strategy=strategy,
        triage=triage,
        batch_assignment=batch,
        category_assignment=categories,
        diversity_ordering=read_diversity(r),
        psychometrics=psychometrics,
        active_learning=read_active_learning(r, schemes, strategy),
        icl=read_icl(r, schemes),
        max_annotations_per_item=overlap,
        overlap_plan=overlap_plan,
        data_file_options=file_options,
        cot_segmentation=read_cot_segmentation(r),
        secret_key=secret,
        admin_api_key=admin_key,
        admin_users=tuple(r.string_list("admin_users")),
        port=port,
        host=host,
        server_name=r.str("server_name", "", allow_empty=True),
        database_url=r.str("database_url", None, allow_empty=True) or None,
        durability=r.str("durability", "normal", choices=DURABILITY_LEVELS),
        min_annotations_for_completion=r.number(
            "min_annotations_for_completion", 1, integer=True, minimum=0
        ),
        login_rate_limit=rate,
        login_failure_rate_limit=_rate(r, "login_failure_rate_limit", "30 per 10 minutes"),
        registration_rate_limit=_rate(r, "registration_rate_limit", "60 per hour"),
        admin_key_rate_limit=_rate(r, "admin_key_rate_limit", "10 per 10 minutes"),
        session_idle_minutes=float(r.number("session_idle_minutes", 1440, minimum=1)),
        session_max_days=float(r.number("session_max_days", 30, minimum=0.01)),
        password_reset_hours=float(r.number("password_reset_hours", 24, minimum=0.1, maximum=720)),
        output_flush_seconds=r.number("output_flush_seconds", 2.0, minimum=0.1),
        random_seed=r.number("random_seed", None, integer=True),
        hide_navbar=r.bool("hide_navbar", False),
        ui=read_ui_language(r),
        export_escape_formulas=r.bool("export_escape_formulas", True),
        output_annotation_format=fmt,
        behind_proxy=r.number("behind_proxy", 0, integer=True, minimum=0, maximum=5),
        trusted_hosts=_trusted_hosts(r),
        server_limits=read_server_limits(server, task_dir),
        media=media,
        event_template=read_event_template(r, task_dir),
        corpus_map=read_corpus_map(r),
        webhooks=read_webhooks(r),
        study=study,
        ui_colors=read_ui_colors(r),
        keyword_highlights_file=keywords_path,
        keyword_rules=(
            read_keywords(keywords_path, r.problems, "keyword_highlights_file")
            if keywords_path
            else ()
        ),
        crowd=crowd,
        ai=read_ai(r, project_root, output_dir, [s.name for s in schemes]),
        chat=read_chat(r),
        live_agents=read_live_agents(r, project_root),
        mace=read_mace(r),
        adjudication=read_adjudication(r),
        embeddings=read_embeddings(r),
        embedding_map=read_embedding_map(r),
        instance_display=(display := read_instance_display(r, props.text_key)),
        bws=(bws := read_bws(r)),
        ibws=(ibws := read_ibws(r)),
        raw=raw,
        **_runtime_fields(r),
    )
    check_tuple_schemes(r, schemes, bws or ibws)
    note_displayed_items(schemes, display)
    for scheme in schemes:
        scheme.check_display(display, props.text_key, r)
    _report_unset(r, unset or [])
    if r.problems:
        raise ConfigError(r.problems, r.warnings)
    config = ProjectConfig(**values, warnings=tuple(r.warnings))
    staff = unprotected_staff(config)
    if staff:
        admins = {n.casefold() for n in config.admin_users}
        key = (
            "admin_users"
            if all(n in admins for n in staff)
            else "adjudication.adjudicator_users"
            if not any(n in admins for n in staff)
            else "admin_users, adjudication.adjudicator_users"
        )
        note = (
            f"{key}: {', '.join(staff)} ha{'s' if len(staff) == 1 else 've'} no password "
            "in user_config.users; these names are reserved, so nobody can log in as them "
            "(add them with password: ${ENV_VAR})"
        )
        config = dataclasses.replace(config, warnings=(*config.warnings, note))
    return config


def _rate(r: ConfigReader, key: str, default: str) -> str:
    rate = r.str(key, default)
    if not _RATE.match(rate):
        r.problem(key, f"{rate!r} is not a rate like '10 per minute'")
        return default
    return rate


# Keys whose value is always in use and has no safe fallback: an unset variable there is fatal
# (an unset database_url would quietly start an empty SQLite project instead).
NEEDS_ENV_VALUE = ("database_url",)


def _report_unset(r: ConfigReader, unset: list[UnsetVariable]) -> None:
    """A value naming an unset environment variable was read as unset. Fatal when the key
    needs it (NEEDS_ENV_VALUE, or a problem about that very value, such as "is required"),
    otherwise a warning: what needs it stays off."""
    for ref in unset:
        top = ref.path.split(".", 1)[0].split("[", 1)[0]
        reason = f"environment variable {ref.name} is not set"
        related = [
            i
            for i, p in enumerate(r.problems)
            if p.startswith((f"{ref.path}:", f"{ref.path}.", f"{ref.path}["))
        ]
        for i in related:
            r.problems[i] += f" ({reason})"
        if top in NEEDS_ENV_VALUE:
            r.problems.append(f"{ref.path}: {reason}")
        elif not related:
            r.warnings.append(f"{ref.path}: {reason}; read as unset, so what needs it stays off")


# Run-time setting -> the ProjectConfig field it sets.
RUNTIME_FIELDS = {
    "max_annotations_per_user": "max_annotations_per_user",
    "assignment_timeout_minutes": "assignment_timeout_minutes",
    "jumping_to_id_disabled": "jumping_to_id_disabled",
    "instructions": "instructions_html",
    "annotation_codebook_url": "annotation_codebook_url",
    "suspicious_activity": "suspicious_activity",
}


def _runtime_fields(r: ConfigReader) -> dict[str, Any]:
    """The settings that may also change while serving (compat.RUNTIME_SETTINGS)."""
    instructions = r.str("instructions", None, allow_empty=True)
    codebook = r.str("annotation_codebook_url", None)
    if codebook and not safe_link(codebook):
        r.problem(
            "annotation_codebook_url",
            f"{codebook!r} must be an http(s) URL or a path on this server starting with one /",
        )
        codebook = None
    timeout = r.number("assignment_timeout_minutes", 60.0, minimum=0)
    sub = r.child("suspicious_activity")
    sub.warn_unknown(compat.SUSPICIOUS_ACTIVITY_KEYS)
    defaults = SuspiciousActivityConfig()
    suspicious = SuspiciousActivityConfig(
        rapid_submissions_per_minute=sub.number(
            "rapid_submissions_per_minute",
            defaults.rapid_submissions_per_minute,
            integer=True,
            minimum=1,
        ),
        min_seconds_per_item=float(
            sub.number("min_seconds_per_item", defaults.min_seconds_per_item, minimum=0)
        ),
        same_answer_streak=sub.number(
            "same_answer_streak", defaults.same_answer_streak, integer=True, minimum=2
        ),
    )
    return dict(
        max_annotations_per_user=r.limit("max_annotations_per_user"),
        assignment_timeout_minutes=timeout or None,
        jumping_to_id_disabled=r.bool("jumping_to_id_disabled", False),
        annotation_codebook_url=codebook,
        instructions_html=sanitize_html(instructions) if instructions else None,
        suspicious_activity=suspicious,
    )


def runtime_fields(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    """Validate run-time settings exactly as the loader does: (ProjectConfig fields for the
    keys given, problems, warnings). An explicit null means "none" (no limit, no timeout)."""
    r = ConfigReader(dict(values))
    fields = _runtime_fields(r)
    if "assignment_timeout_minutes" in values and values["assignment_timeout_minutes"] is None:
        fields["assignment_timeout_minutes"] = None
    chosen = {RUNTIME_FIELDS[k]: fields[RUNTIME_FIELDS[k]] for k in values if k in RUNTIME_FIELDS}
    return chosen, r.problems, r.warnings


def sanitize_html(html: str) -> str:
    """Instructions are researcher-written HTML: keep formatting, drop scripts and handlers."""
    return clean_html(html)


def _apply_aliases(r: ConfigReader) -> None:
    raw = r.raw
    for alias, canonical in compat.ALIASES.items():
        if canonical is None or alias not in raw:
            continue
        if canonical in raw and raw[canonical] != raw[alias]:
            r.warn(alias, f"ignored because {canonical!r} is also set")
            continue
        raw[canonical] = raw[alias]


def _resolve(base: Path, value: str) -> Path:
    path = Path(os.path.expanduser(value))
    return (path if path.is_absolute() else base / path).resolve()


def _item_properties(r: ConfigReader) -> ItemProperties:
    if not r.has("item_properties"):
        r.problem("item_properties", "is required (with id_key and text_key)")
    sub = r.child("item_properties")
    sub.warn_unknown(compat.ITEM_PROPERTIES_KEYS, later={"kwargs": "extra fields"})
    return ItemProperties(
        id_key=sub.str("id_key", "id", required=r.has("item_properties")),
        text_key=sub.str("text_key", "text", required=r.has("item_properties")),
        context_key=sub.str("context_key", None),
        category_key=sub.str("category_key", None),
    )


def _schemes(r: ConfigReader, task_dir: Path) -> list[Any]:
    raw = r.raw.get("annotation_schemes")
    if raw is None:
        r.problem("annotation_schemes", "is required: list at least one annotation scheme")
        return []
    if not isinstance(raw, list) or not raw:
        r.problem("annotation_schemes", "must be a non-empty list of schemes")
        return []
    schemes, names = [], set()
    for i, entry in enumerate(raw):
        path = f"annotation_schemes[{i}]"
        if not isinstance(entry, Mapping):
            r.problems.append(f"{path}: must be a mapping, got {type_name(entry)}")
            continue
        sub = ConfigReader(entry, path, r.problems, r.warnings)
        kind = sub.str("annotation_type", None, required=True)
        if kind is None:
            continue
        cls = scheme_class(kind)
        if cls is None:
            sub.problem(
                "annotation_type",
                f"{kind!r} is not supported (supported: {', '.join(type_names())})"
                f"{hint(kind, type_names())}",
            )
            continue
        scheme = cls(sub, i, task_dir)
        if scheme.name in names:
            sub.problem("name", f"duplicate scheme name {scheme.name!r}")
        names.add(scheme.name)
        schemes.append(scheme)
    by_name = {s.name: s for s in schemes}
    for scheme in schemes:  # e.g. links and events name the span scheme they point into
        path = f"annotation_schemes[{scheme.index}]"
        sub = ConfigReader(raw[scheme.index], path, r.problems, r.warnings)
        scheme.resolve_references(by_name, sub)
        scheme.resolve_display_logic(by_name, sub)
    _auto_keys(schemes, r)
    return schemes


def _auto_keys(schemes: list[Any], r: ConfigReader) -> None:
    """Potato binds 1..9 automatically when there is a single radio scheme; report clashes."""
    if len(schemes) == 1 and schemes[0].numbered_when_alone:
        schemes[0].assign_keys(True)
    owner: dict[str, str] = {}
    for scheme in schemes:
        for key, label in scheme.key_bindings.items():
            if key in owner:
                r.warn(
                    f"annotation_schemes[{scheme.index}]",
                    f"key {key!r} of label {label!r} is already bound in scheme {owner[key]!r}; "
                    "it works only when this scheme has focus",
                )
            else:
                owner[key] = scheme.name


def _users(r: ConfigReader) -> list[ConfiguredUser]:
    sub = r.child("user_config")
    sub.warn_unknown(compat.USER_CONFIG_KEYS)
    users = []
    for i, entry in enumerate(sub.list("users")):
        path = f"{sub.key_path('users')}[{i}]"
        if isinstance(entry, str) and entry.strip():
            users.append(ConfiguredUser(entry.strip()))
        elif isinstance(entry, Mapping):
            for key in entry:
                if key not in compat.USER_ENTRY_KEYS:
                    close = hint(str(key), compat.USER_ENTRY_KEYS)
                    r.warnings.append(f"{path}.{key}: unknown key, ignored{close}")
            name = entry.get("username") or entry.get("email") or entry.get("name")
            password = entry.get("password")
            if not isinstance(name, str) or not name.strip():
                r.problems.append(f"{path}.username: is required")
                continue
            if password is not None and not isinstance(password, str):
                r.problems.append(f"{path}.password: must be a string")
                password = None
            users.append(ConfiguredUser(name.strip(), password))
        else:
            r.problems.append(f"{path}: must be a username or a mapping with username/password")
    return users


def _trusted_hosts(r: ConfigReader) -> tuple[str, ...]:
    """Host names (or IPv4 addresses) the server answers to; `.example.org` also accepts
    every subdomain. The port of a request is not compared."""
    hosts = []
    for i, value in enumerate(r.string_list("trusted_hosts")):
        host = value.strip().lower()
        if not _HOST.match(host):
            r.problem(
                f"trusted_hosts[{i}]",
                f"{value!r} is not a host name; give the name only, like "
                "'annotate.example.org' or '.example.org' (no scheme, port or path)",
            )
            continue
        hosts.append(host)
    return tuple(hosts)


def _login(r: ConfigReader) -> LoginConfig:
    sub = r.child("login")
    sub.warn_unknown(compat.LOGIN_KEYS)
    # A crowdsourcing block implies workers arriving by URL (Potato's examples omit the type).
    default = "url_direct" if r.has("crowdsourcing") else "password"
    return LoginConfig(
        type=sub.str("type", default, choices=LOGIN_TYPES),
        url_argument=sub.str("url_argument", "PROLIFIC_PID"),
    )
