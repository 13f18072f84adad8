"""Potato's key names: aliases we translate, and keys Potato knows that we do not serve yet.

Every key in LATER is accepted with a warning naming it, so a Potato config runs unchanged;
truly unknown keys get a did-you-mean warning instead.
"""

from __future__ import annotations

# Potato spelling -> our canonical key (the canonical key wins when both are given).
ALIASES = {
    "num_annotators_per_item": "max_annotations_per_item",
    "annotation_instructions": "instructions",
    "task_description": "instructions",
    "annotation_task_description": "instructions",
    "require_no_password": None,  # handled in validate: inverts require_password
}

IMPLEMENTED = (
    "annotation_task_name",
    "task_dir",
    "output_annotation_dir",
    "output_annotation_format",
    "data_files",
    "bws_config",
    "ibws_config",
    "data_sources",
    "data_cache",
    "data_directory",
    "data_directory_encoding",
    "watch_data_directory",
    "watch_poll_interval",
    "item_properties",
    "annotation_schemes",
    "user_config",
    "require_password",
    "require_no_password",
    "login",
    "assignment_strategy",
    "triage",
    "batch_assignment",
    "category_assignment",
    "diversity_ordering",
    "max_annotations_per_user",
    "max_annotations_per_item",
    "num_annotators_per_item",
    "assignment_timeout_minutes",
    "secret_key",
    "admin_api_key",
    "admin_users",
    "port",
    "host",
    "server",
    "server_name",
    "jumping_to_id_disabled",
    "annotation_codebook_url",
    "instructions",
    "annotation_instructions",
    "task_description",
    "annotation_task_description",
    "database_url",
    "durability",
    "min_annotations_for_completion",
    "login_rate_limit",
    "login_failure_rate_limit",
    "registration_rate_limit",
    "admin_key_rate_limit",
    "session_idle_minutes",
    "session_max_days",
    "password_reset_hours",
    "output_flush_seconds",
    "random_seed",
    "hide_navbar",
    "psychometrics",
    "active_learning",
    "icl_labeling",
    "ui_language",
    "layout",
    "site_dir",
    "site_file",
    "base_html_template",
    "header_file",
    "task_layout",
    "export_escape_formulas",
    "behind_proxy",
    "trusted_hosts",
    "suspicious_activity",
    "phases",
    "surveyflow",
    "training",
    "attention_checks",
    "gold_standards",
    "auto_promotion",
    "pre_annotation",
    "ui",
    "keyword_highlights_file",
    "crowdsourcing",
    "prolific",
    "mturk",
    "completion_code",
    "auto_redirect_on_completion",
    "auto_redirect_delay",
    "instance_display",
    "cot_segmentation",
    "base_css",
    "customjs",
    "media",
    "event_template",
    "corpus_map",
    "mace",
    "adjudication",
    "embeddings",
    "embedding_visualization",
    "ai_support",
    "chat_support",
    "live_agent",
    "live_coding_agent",
    "webhooks",
)

# Known to Potato, not implemented here yet: accepted with a warning.
_LATER_NAMES = [
    "partial_loading",
    "media_directory",
    "authentication",
    "rbac",
    "user_roles",
    "customjs_hostname",
    "persist_sessions",
    "session_lifetime_days",
    "gold_standards_file",
    "agreement_metrics",
    "quality_control",
    "qda_mode",
    "codebook",
    "codebook_mode",
    "codebook_invivo_key",
    "annotation_ui",
    "cases",
    "search",
    "diversity_config",
    "database",
    "bws_config",
    "ibws_config",
    "mace",
    "llm_labeling",
    "boundary_probing",
    "rooms",
    "truth_serum",
    "thinkaloud",
    "pocket",
    "analytics",
    "annotator_dashboard",
    "keystroke_logging",
    "ui_config",
    "format_handling",
    "ui_debug",
    "custom_footer_html",
    "header_logo",
    "keyword_highlight_settings",
    "highlight_linebreaks",
    "list_as_text",
    "horizontal_key_bindings",
    "allow_phase_back_navigation",
    "require_fully_annotated",
    "export_include_phase_data",
    "export_annotation_format",
    "auto_export_interval",
    "audio_annotation",
    "spectrogram",
    "default_video_fps",
    "trace_ingestion",
    "huggingface_backup",
    "publish",
    "dataset_metadata",
    "debug",
    "debug_phase",
    "server_debug",
    "verbose",
    "very_verbose",
    "debug_log",
    "agent_proxy",
    "datasets",
    "automation",
    "curation",
    "arena",
    "judge_alignment",
    "judge_calibration",
    "prestudy",
    "review_mode",
    "review_workflow",
    "min_annotators_per_instance",
    "solo_mode",
    "alert_time_each_instance",
    "reclaim_stale_assignments",
    "instance_reclaim",
    "max_session_seconds",
    "env_substitution",
    "automatic_assignment",
    "per_annotator_quota",
    "scheme_sets",
    "sessions",
    "export_include_annotation_changes",
]

LATER = {name: "a later release serves it" for name in _LATER_NAMES}

ASSIGNMENT_STRATEGIES_LATER: tuple[str, ...] = ()

# Keys accepted inside nested mappings (docs/config.md must document each one).
ITEM_PROPERTIES_KEYS = ("id_key", "text_key", "context_key", "category_key")
USER_CONFIG_KEYS = ("allow_all_users", "users")
USER_ENTRY_KEYS = ("username", "email", "name", "password")
LOGIN_KEYS = ("type", "url_argument", "auto_redirect_on_completion", "auto_redirect_delay")
SERVER_KEYS = (
    "port",
    "host",
    "debug",
    "header_timeout",
    "body_timeout",
    "max_connections_per_address",
    "uncapped_addresses",
    "max_request_line_bytes",
    "max_header_bytes",
    "access_log",
)
LABEL_REQUIREMENT_KEYS = ("required", "required_label")
LABEL_KEYS = (
    "name",
    "tooltip",
    "key_value",
    "key_binding",
    "text",
    "displayed_label",
    "color",
    "abbreviation",
    "tooltip_file",
)
# Label keys Potato reads that change nothing here yet: accepted with a warning.
LABEL_KEYS_LATER = ("abbreviation", "tooltip_file")
SUSPICIOUS_ACTIVITY_KEYS = (
    "rapid_submissions_per_minute",
    "min_seconds_per_item",
    "same_answer_streak",
)

# The study flow and quality control (config/study.py).
# Potato's older survey config: stages of survey files around annotation. `testing` (check
# questions during annotation) is Potato's own older feature; attention_checks replaces it.
SURVEYFLOW_STAGES = ("pre_annotation", "post_annotation")
SURVEYFLOW_KEYS = ("on", "order", *SURVEYFLOW_STAGES)
PHASE_KEYS = (
    "type",
    "file",
    "data_file",
    "header",
    "title",
    "annotation_schemes",
    "instrument",
    "instruments",
)
TRAINING_KEYS = (
    "enabled",
    "data_file",
    "annotation_schemes",
    "passing_criteria",
    "allow_retry",
    "feedback",
    "failure_action",
)
TRAINING_CRITERIA_KEYS = (
    "min_correct",
    "require_all_correct",
    "max_mistakes",
    "max_mistakes_per_question",
    "max_attempts",
)
TRAINING_FEEDBACK_KEYS = ("show_explanations", "allow_retry")
ATTENTION_KEYS = (
    "enabled",
    "items_file",
    "frequency",
    "probability",
    "min_response_time",
    "failure_handling",
)
ATTENTION_FAILURE_KEYS = ("warn_threshold", "warn_message", "block_threshold", "block_message")
GOLD_KEYS = (
    "enabled",
    "items_file",
    "mode",
    "frequency",
    "probability",
    "accuracy",
    "feedback",
    "auto_promote",
)
GOLD_ACCURACY_KEYS = (
    "min_threshold",
    "evaluation_count",
    "block_below_threshold",
    "block_message",
)
GOLD_FEEDBACK_KEYS = ("show_correct_answer", "show_explanation")
PROMOTION_KEYS = ("enabled", "min_annotators", "agreement_threshold")
PRE_ANNOTATION_KEYS = (
    "enabled",
    "field",
    "allow_modification",
    "show_confidence",
    "highlight_low_confidence",
)

# Crowd recruitment (config/crowd.py).
CROWD_PROVIDER_NAMES = (
    "prolific",
    "mturk",
    "generic",
    "connect",
    "sona",
    "microworkers",
    "clickworker",
    "expert",
)
CROWDSOURCING_KEYS = ("provider", "time_limit_minutes", *CROWD_PROVIDER_NAMES)
_PROVIDER_COMMON = (
    "platform_label",
    "id_param",
    "capture_params",
    "completion",
    "invites",
    "invites_file",
)
PROVIDER_KEYS = {
    "prolific": (*_PROVIDER_COMMON, "study_id", "api_url", "token"),
    "mturk": (*_PROVIDER_COMMON, "sandbox", "frame_height", "submit_hosts"),
    "generic": _PROVIDER_COMMON,
    "connect": _PROVIDER_COMMON,
    "sona": (*_PROVIDER_COMMON, "hostname", "experiment_id", "credit_token"),
    "microworkers": (*_PROVIDER_COMMON, "vcode_secret", "vcode_prefix", "vcode_length"),
    "clickworker": _PROVIDER_COMMON,
    "expert": _PROVIDER_COMMON,
}
CROWD_PROVIDER_KEYS = tuple(dict.fromkeys(k for keys in PROVIDER_KEYS.values() for k in keys))
CROWD_PROVIDER_LATER = {
    "screen_out_on_block": "screen-outs through the Prolific API",
    "postback_url": "Clickworker payment postbacks",
    "experimental": "Clickworker payment postbacks",
    "api_key": "Clickworker payment postbacks",
    "config_file_path": "a separate API config file",
}
COMPLETION_KEYS = (
    "code",
    "failed_code",
    "screened_out_code",
    "incomplete_code",
    "redirect_url",
    "message",
    "auto_redirect",
)
PROLIFIC_KEYS = ("study_id", "completion_code", "token", "api_url")
PROLIFIC_LATER = {
    "config_file_path": "a separate API config file; set PROLIFIC_API_TOKEN instead",
    "max_concurrent_sessions": "automatic pause/resume of the study",
    "sandbox_mode": "Prolific has no sandbox",
    "workload_checker": "automatic pause/resume of the study",
    "workload_checker_period": "automatic pause/resume of the study",
}
MTURK_KEYS = ("enabled", "sandbox", "frame_height", "submit_hosts")
MTURK_LATER = {
    "config_file_path": "the MTurk requester API",
    "hit_id": "the MTurk requester API",
    "aws_access_key_id": "the MTurk requester API",
    "aws_secret_access_key": "the MTurk requester API",
}

# Settings an admin may change while serving (POST /admin/api/config); every other key changes
# the data model or needs a restart.
RUNTIME_SETTINGS = (
    "max_annotations_per_user",
    "assignment_timeout_minutes",
    "jumping_to_id_disabled",
    "instructions",
    "annotation_codebook_url",
    "suspicious_activity",
)
