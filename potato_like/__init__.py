"""potato_like: a Potato-compatible annotation server.

`create_app(config, **overrides)` is the only way to build the web app. `config` is a path to
a YAML/JSON config, a config mapping, a validated ProjectConfig, or an opened Project.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from flask import Flask

__version__ = "0.1.0"
PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
WEB_FILE_DIRS = ("templates", "static")
MAX_BODY_BYTES = 2 * 1024 * 1024


def web_files_dir(name: str) -> Path:
    """The `templates` or `static` directory. The repo keeps both at its top level; a built
    wheel carries them inside the package as `_templates` and `_static` (setup.py copies them
    there), so an installed copy looks there first and a checkout finds the top-level ones."""
    if name not in WEB_FILE_DIRS:
        raise ValueError(f"{name!r} is not one of {WEB_FILE_DIRS}")
    candidates = (PACKAGE / f"_{name}", ROOT / name)
    for path in candidates:
        if path.is_dir():
            return path
    looked = ", ".join(str(path) for path in candidates)
    raise FileNotFoundError(f"the {name} directory is missing (looked in {looked})")


def flask_app(secret_key: str) -> Flask:
    """The Flask app every server starts from (a project's, or a workspace's root): the
    templates and static files, bounded JSON, session cookie and CSRF settings."""
    from .web import security
    from .web.json_limits import BoundedJSONProvider

    app = Flask(
        "potato_like",
        root_path=str(PACKAGE),
        template_folder=str(web_files_dir("templates")),
        static_folder=str(web_files_dir("static")),
        static_url_path="/static",
    )
    app.json = BoundedJSONProvider(app)  # too deeply nested request JSON: 400, not 500
    app.secret_key = secret_key
    app.config.update(
        SESSION_COOKIE_NAME="potato_like_session",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=os.environ.get("POTATO_SECURE_COOKIES", "") == "1",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(days=30),
        # The cookie is re-signed only when the session changes, not on every request.
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=False,  # same-origin is checked in security.guard_cross_site
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        JSON_SORT_KEYS=False,
    )
    app.session_interface = security.SessionCookies()
    return app


def create_app(config: Any, **overrides: Any) -> Flask:
    from .ai.service import service as ai_service
    from .config import ProjectConfig, load_config
    from .project import Project
    from .web import (
        adjudicate,
        admin,
        admin_agreement,
        admin_comparisons,
        admin_mace,
        admin_quality,
        admin_runtime,
        admin_state,
        admin_webhooks,
        ai,
        ai_builtin,
        annotate,
        api,
        api_v1,
        auth,
        chat,
        corpus_map,
        crowd,
        crowd_api,
        dashboard,
        data_sources_api,
        embedding_viz,
        entity_linking,
        errors,
        event_registry,
        flags,
        headers,
        icl,
        image_media,
        image_tiles,
        links,
        listening,
        live_agents,
        media,
        media_api,
        password_reset,
        phases,
        project_css,
        project_js,
        security,
        spans,
        spatial_media,
        static_assets,
        tracking,
        tracking_sessions,
        trusted_hosts,
        volume_media,
    )

    if isinstance(config, Project):
        project = config
    else:
        cfg = config if isinstance(config, ProjectConfig) else load_config(config, **overrides)
        project = Project.open(cfg)

    app = flask_app(project.secret_key)
    # Workers who may come from MTurk work inside an iframe on mturk.com.
    app.config["POTATO_EMBEDDED_IN_IFRAME"] = bool(
        project.config.crowd and project.config.crowd.provider in ("mturk", "url_direct")
    )
    app.extensions["potato_like"] = project
    if project.config.behind_proxy:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = project.config.behind_proxy
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    trusted_hosts.install(app, project.config)  # first: before any other work
    security.install(app, project)
    headers.install(app, project.config)
    static_assets.install(app)
    blueprints = (
        auth,
        password_reset,
        annotate,
        phases,
        api,
        spans,
        links,
        media,
        image_media,
        image_tiles,
        spatial_media,
        volume_media,
        media_api,
        listening,
        project_css,
        project_js,
        entity_linking,
        event_registry,
        corpus_map,
        flags,
        tracking,
        tracking_sessions,
        ai,
        chat,
        live_agents,
        admin,
        admin_state,
        admin_agreement,
        admin_mace,
        admin_quality,
        admin_runtime,
        admin_webhooks,
        admin_comparisons,
        embedding_viz,
        ai_builtin,
        icl,
        data_sources_api,
        dashboard,
        crowd,
        crowd_api,
        adjudicate,
        api_v1,
    )
    for module in blueprints:
        app.register_blueprint(module.bp)
    errors.install(app)
    # AI assistance: the provider made (and its SDK imported, in the background) at start.
    ai_service(project)
    # Settings changed by POST /admin/api/config in another process (a cheap time check;
    # one key lookup every few seconds).
    app.before_request(project.refresh_runtime_settings)

    @app.context_processor
    def inject_globals():
        return {
            "project_title": project.config.title,
            "project_config": project.config,
            "version": __version__,
            # ui_language: the page's strings, <html lang dir>, the script's strings
            "ui": project.config.ui,
            "t": project.config.ui.messages,
        }

    return app


def create_workspace_app(root: Any, **overrides: Any) -> Flask:
    """The app of a workspace directory (`python run.py DIR`): its dashboard and /api/v1 at
    the root, every project's own app at /p/<slug>/. `overrides` apply to every project's
    config."""
    from .workspace.app import create_workspace_app as create

    return create(root, **overrides)


__all__ = [
    "ROOT",
    "__version__",
    "create_app",
    "create_workspace_app",
    "flask_app",
    "web_files_dir",
]
