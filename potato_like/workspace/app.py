"""The root app of a workspace: its dashboard at `/`, the management API at `/api/v1` on the
workspace's store, and every project's app mounted at `/p/<slug>/` by the dispatcher."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from ..config.reader import ConfigReader
from ..config.ui_language import read_ui_language
from .dispatch import Dispatcher
from .workspace import Workspace

# The root has no project config: its own rate limits (the project defaults) and no crowd.
ROOT_LIMITS = {
    "login_rate_limit": "10 per minute",
    "login_failure_rate_limit": "30 per 10 minutes",
    "registration_rate_limit": "60 per hour",
    "admin_key_rate_limit": "10 per 10 minutes",
}


def create_workspace_app(root: str | Path | Workspace, **overrides: Any) -> Flask:
    from .. import __version__, flask_app
    from ..services.batches import views as batches_views
    from ..services.hitl import api as hitl_api
    from ..services.jtheta import api as jtheta_api
    from ..web import api_v1, errors, headers, static_assets
    from ..web.rate_limits import Limits
    from . import api, views, webhooks_view

    workspace = root if isinstance(root, Workspace) else Workspace.open(root, **overrides)
    app = flask_app(workspace.secret_key)
    app.config["SESSION_COOKIE_NAME"] = "potato_like_workspace"
    app.extensions["potato_like"] = workspace
    limits = {k: overrides.get(k, v) for k, v in ROOT_LIMITS.items()}
    app.extensions["potato_like_limits"] = Limits(SimpleNamespace(**limits))
    app.extensions["potato_like_csrf"] = CSRFProtect(app)
    headers.install(app, SimpleNamespace(crowd=None, schemes=()))  # the root serves no scheme
    static_assets.install(app)
    # The labelling-service APIs: seeds 000, 001 and 002.
    services = (jtheta_api.bp, hitl_api.bp, hitl_api.admin_bp, batches_views.bp)
    for bp in (views.bp, api.bp, api_v1.bp, webhooks_view.bp, *services):
        app.register_blueprint(bp)
    errors.install(app)
    ui = read_ui_language(ConfigReader({}))

    @app.context_processor
    def inject_globals():
        return {
            "project_title": "Workspace",
            "project_config": SimpleNamespace(hide_navbar=False, project_css=None),
            "home_endpoint": "workspace.home",
            "current_user": SimpleNamespace(is_authenticated=False),  # no accounts here
            "version": __version__,
            "ui": ui,
            "t": ui.messages,
        }

    app.wsgi_app = Dispatcher(app.wsgi_app, workspace)
    return app
