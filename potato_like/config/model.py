"""The validated, frozen project configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import UiStrings
from .ai import AiConfig, ChatConfig
from .crowd_model import CrowdConfig
from .gold import AdjudicationConfig, MaceConfig
from .media import MediaSettings
from .server import ServerLimits
from .study_model import StudyConfig

if TYPE_CHECKING:
    from ..assign.batches import BatchConfig
    from ..assign.categories import CategoryConfig
    from ..assign.diversity import DiversityConfig
    from ..assign.triage import TriageConfig
    from ..schemes.base import Scheme
    from .project_css import ProjectCss
    from .project_js import ProjectJs

# `durability`: "normal" (SQLite synchronous=NORMAL in WAL mode: survives a process crash,
# an OS crash or power cut can lose the last commits) or "full" (every commit waits for the
# disk). store/engine.py applies it.
DURABILITY_LEVELS = ("normal", "full")
DATA_SUFFIXES = (".json", ".jsonl", ".csv", ".tsv")


@dataclass(frozen=True)
class DataDirectory:
    """`data_directory`: the data files directly in `path` (config/data_sources.py)."""

    path: Path
    watch: bool = False  # scan again while serving (Project.poll_data_directory)
    poll_seconds: float = 5.0

    def files(self) -> tuple[Path, ...]:
        """The data files in the directory now, sorted by name (not recursive, like Potato);
        hidden files (editors' and uploaders' temporary files) are left out."""
        try:
            entries = list(self.path.iterdir())
        except OSError:
            return ()
        return tuple(
            sorted(
                p
                for p in entries
                if p.suffix.lower() in DATA_SUFFIXES and not p.name.startswith(".") and p.is_file()
            )
        )


@dataclass(frozen=True)
class ItemProperties:
    id_key: str = "id"
    text_key: str = "text"
    context_key: str | None = None
    category_key: str | None = None  # the category_based strategy's item categories


@dataclass(frozen=True)
class ConfiguredUser:
    """An entry of `user_config.users`: allowed to log in; created up front if it has a password."""

    username: str
    password: str | None = None


@dataclass(frozen=True)
class LoginConfig:
    type: str = "password"  # password | url_direct | prolific | mturk | none
    url_argument: str = "PROLIFIC_PID"

    @property
    def from_url(self) -> bool:
        """Workers log in by arriving with their id in the URL (no login form)."""
        return self.type in ("url_direct", "prolific", "mturk")


@dataclass(frozen=True)
class SuspiciousActivityConfig:
    """Thresholds of GET /admin/api/suspicious_activity."""

    rapid_submissions_per_minute: int = 20
    min_seconds_per_item: float = 3.0
    same_answer_streak: int = 15

    def as_json(self) -> dict[str, Any]:
        return {
            "rapid_submissions_per_minute": self.rapid_submissions_per_minute,
            "min_seconds_per_item": self.min_seconds_per_item,
            "same_answer_streak": self.same_answer_streak,
        }


@dataclass(frozen=True)
class ProjectConfig:
    annotation_task_name: str
    config_path: Path | None
    task_dir: Path
    output_dir: Path
    data_files: tuple[Path, ...]
    item_properties: ItemProperties
    schemes: tuple[Scheme, ...]
    data_directory: DataDirectory | None = None
    # remote data_sources and their cache (data/remote_sources.RemoteData)
    remote_data: Any = None
    allow_all_users: bool = True
    users: tuple[ConfiguredUser, ...] = ()
    require_password: bool = True
    login: LoginConfig = field(default_factory=LoginConfig)
    assignment_strategy: str = "fixed_order"
    triage: TriageConfig | None = None  # the priority strategy's item priorities
    batch_assignment: BatchConfig | None = None  # the batch strategy's cohorts
    category_assignment: CategoryConfig | None = None  # the category_based strategy's
    diversity_ordering: DiversityConfig | None = None  # the diversity_clustering strategy's
    max_annotations_per_user: int | None = None
    max_annotations_per_item: int | None = None
    assignment_timeout_minutes: float | None = 60.0
    secret_key: str | None = None
    admin_api_key: str | None = None
    admin_users: tuple[str, ...] = ()
    port: int = 8000
    host: str = "127.0.0.1"
    server_name: str = ""
    jumping_to_id_disabled: bool = False
    annotation_codebook_url: str | None = None
    instructions_html: str | None = None
    database_url: str | None = None
    # Answered items a user needs for the study to count as completed (crowd code, status);
    # fewer when nothing is left gives the "not_completed" outcome (issue 21).
    min_annotations_for_completion: int = 1
    durability: str = "normal"  # "full": every commit waits for the disk (store/engine.py)
    login_rate_limit: str = "10 per minute"
    login_failure_rate_limit: str = "30 per 10 minutes"  # failed logins per address
    registration_rate_limit: str = "60 per hour"  # new accounts per address
    admin_key_rate_limit: str = "10 per 10 minutes"  # wrong admin keys per address
    session_idle_minutes: float = 1440.0
    session_max_days: float = 30.0
    password_reset_hours: float = 24.0  # how long an admin-issued reset link works
    output_flush_seconds: float = 2.0
    random_seed: int | None = None
    hide_navbar: bool = False
    # ui_language: the pages' language and per-key overrides (i18n.UiStrings)
    ui: UiStrings = field(default_factory=UiStrings)
    # base_css and the schemes' custom_css, sanitised, served at /project.css
    project_css: ProjectCss | None = None
    project_js: ProjectJs | None = None  # customjs, served at /project.js
    # Potato's form `layout` (config/form_layout.FormLayout): groups, order, grid CSS
    form_layout: Any = None
    # Potato's `task_layout` file (config/task_layout.TaskLayout): sanitised markup + slots
    task_layout: Any = None
    # the `psychometric` strategy's settings (assign/psychometric.Settings)
    psychometrics: Any = None
    active_learning: Any = None  # assign/active_learning.ActiveLearningConfig
    icl: Any = None  # ai/icl.IclConfig (`icl_labeling`)
    # the mapping form of num_annotators_per_item (config/overlap.OverlapPlan)
    overlap_plan: Any = None
    # per data file `encoding` and `filter_by_prior_annotation` (config/data_file_options.py)
    data_file_options: Any = None
    # Potato's cot_segmentation: reasoning split into steps at import (data/cot_segmentation.py)
    cot_segmentation: Any = None
    export_escape_formulas: bool = True  # csv/tsv cells that a spreadsheet would run get a '
    output_annotation_format: str | None = None  # also write annotated_instances.<format>
    behind_proxy: int = 0  # reverse proxies in front of us whose X-Forwarded-* we trust
    trusted_hosts: tuple[str, ...] = ()  # Host header values served (empty: any)
    server_limits: ServerLimits = field(default_factory=ServerLimits)  # config/server.py
    media: MediaSettings = field(default_factory=MediaSettings)  # config/media.py
    event_template: Any = None  # config/event_template.py: EventTemplate, or None
    corpus_map: Any = None  # config/corpus_map.py: CorpusMapConfig, or None
    webhooks: Any = None  # config/webhooks.py: WebhooksConfig, or None (no active endpoint)
    suspicious_activity: SuspiciousActivityConfig = field(default_factory=SuspiciousActivityConfig)
    study: StudyConfig = field(default_factory=StudyConfig)
    # ui.label_colors / ui.spans.span_colors: {schema: {label: css colour}}
    ui_colors: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)
    keyword_highlights_file: Path | None = None
    keyword_rules: tuple[Any, ...] = ()  # spans.keywords.KeywordRule, read at start
    # ai_support / chat_support (config/ai.py); None: off
    ai: AiConfig | None = None
    chat: ChatConfig | None = None
    crowd: CrowdConfig | None = None  # crowd recruitment (Prolific, MTurk, other panels)
    mace: MaceConfig = field(default_factory=MaceConfig)  # config/gold.py
    adjudication: AdjudicationConfig = field(default_factory=AdjudicationConfig)
    # `embeddings` and `embedding_visualization` (config/embeddings.py)
    embeddings: Any = None
    embedding_map: Any = None
    # `instance_display` (displays.config.InstanceDisplay); None: show text_key as text
    instance_display: Any = None
    # `live_agent` / `live_coding_agent` (live_agents/config.py): {kind: LiveAgentConfig}
    live_agents: dict[str, Any] = field(default_factory=dict, compare=False)
    # `bws_config` / `ibws_config` (config/comparisons.py): items are tuples of pool items
    bws: Any = None
    ibws: Any = None
    warnings: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def scheme(self, name: str) -> Scheme | None:
        for scheme in self.schemes:
            if scheme.name == name:
                return scheme
        return None

    def current_data_files(self) -> tuple[Path, ...]:
        """The files to import now: `data_files` (or local `data_sources`) and the files
        found in `data_directory` at this moment."""
        if self.bws is not None or self.ibws is not None:
            return (self.tuples_file,)  # comparisons/tuples.py writes it from the pool
        found = self.data_directory.files() if self.data_directory else ()
        return tuple(dict.fromkeys((*self.data_files, *found)))

    @property
    def tuples_file(self) -> Path:
        """The best-worst scaling tuples made from the pool (`data_files`), imported as items."""
        return self.output_dir / "bws_tuples.jsonl"

    @property
    def scheme_names(self) -> list[str]:
        return [s.name for s in self.schemes]

    @property
    def title(self) -> str:
        return self.server_name or self.annotation_task_name

    @property
    def sqlite_path(self) -> Path:
        return self.output_dir / "potato_like.sqlite3"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"
