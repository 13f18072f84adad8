"""The Workspace: several projects served by one process (`python run.py DIR`).

DIR holds `workspace.yaml` and `projects/<slug>/config.yaml`. The Workspace owns a store of
its own (`DIR/workspace.sqlite`: workspace API keys, each project's status, and whatever
/api/v1 resources keep), a private files directory, and one running Flask app per project
(each from `create_app`, each with its own store in its own output directory). Projects can
be created, paused, archived and deleted while the server runs; the dispatcher looks the
slug up here on every request, so nothing is held anywhere else.
"""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..config.load import read_config_file
from ..config.validate import build_config
from ..errors import ConfigError, Conflict, NotFound
from ..private_files import make_private_dir
from ..secrets_file import read_or_create
from ..store import Store
from ..store.engine import create_schema, drop_schema, schema_url
from ..webhooks import events as webhook_events
from ..webhooks import outbox
from .config import (
    WORKSPACE_SCHEMA,
    WorkspaceConfig,
    load_workspace_config,
    project_schema,
    slug_problem,
)

if TYPE_CHECKING:
    from flask import Flask

    from ..config.model import ProjectConfig
    from ..project import Project

log = logging.getLogger("potato_like")
STATUSES = ("active", "paused", "archived")
STATUS_META = "workspace.status."
CONFIG_FILE = "config.yaml"


class Workspace:
    """What the root app and /api/v1 work on in a workspace (web/api_v1/common.service)."""

    admin_api_key = None  # a workspace has no single admin key: admin-scoped API keys only

    def __init__(self, config: WorkspaceConfig, store: Store, **overrides) -> None:
        self.config = config
        self.store = store
        self.overrides = overrides  # for every project's config (tests: e.g. rate limits)
        self.secret_key = read_or_create(self.private_dir / "secret_key")
        self._apps: dict[str, Flask] = {}
        self._lock = threading.RLock()
        self._caches: dict = {}
        self._caches_lock = threading.Lock()
        self._statuses: dict[str, str] = {}  # read on every request: kept in memory too
        # Short passes the background thread runs every few seconds before delivering
        # webhooks (the seeds' reconcilers, which enqueue completions); add with append.
        self.periodic: list = []
        outbox.configure(
            store, outbox.DeliverySettings(allow_hosts=config.allow_fetch_hosts, smtp=config.smtp)
        )

    @classmethod
    def open(cls, root: str | Path, **overrides) -> Workspace:
        """Load workspace.yaml, open the workspace store, start every project. ConfigError
        lists every problem (of workspace.yaml and of each project) before anything serves."""
        config = load_workspace_config(root)
        make_private_dir(config.root / ".workspace")
        if config.database_url:
            create_schema(config.database_url, WORKSPACE_SCHEMA)
        store = Store.open(config.store_url)
        workspace = cls(config, store, **overrides)
        for key in config.api_keys:
            store.api_keys.ensure(key.name, key.key, key.scopes, key.project)
        problems: list[str] = []
        for slug in workspace.slugs_on_disk():
            try:
                workspace.start(slug)
            except ConfigError as err:
                problems += [f"projects/{slug}/{CONFIG_FILE}: {p}" for p in err.problems]
        if problems:
            workspace.close()
            raise ConfigError(problems)
        return workspace

    # -- what /api/v1 resources use (common.service) -------------------------------------
    @property
    def private_dir(self) -> Path:
        return self.config.root / ".workspace"

    @property
    def files_dir(self) -> Path:
        return self.private_dir / "api_files"

    def projects(self) -> dict[str, Project]:
        """Running projects by slug (archived ones too: they are read-only, not gone)."""
        with self._lock:
            return {slug: app.extensions["potato_like"] for slug, app in self._apps.items()}

    def webhook_secret(self) -> str:
        """The workspace's webhook signing secret (created on first use, kept in its store)."""
        return outbox.secret(self.store)

    def delivery_stores(self) -> list:
        """Every store that may hold webhook deliveries: the workspace's, and each project's
        with `webhooks:` configured."""
        found = [self.store]
        for project in self.projects().values():
            if project.config.webhooks is not None:
                found.append(project.store)
        return found

    def cache(self, name: str, factory):
        found = self._caches.get(name)
        if found is not None:
            return found
        with self._caches_lock:
            found = self._caches.get(name)
            if found is None:
                found = self._caches[name] = factory()
            return found

    # -- projects ------------------------------------------------------------------------
    def slugs_on_disk(self) -> list[str]:
        found = []
        for path in sorted(self.config.projects_dir.iterdir()):
            if path.name.startswith(".") or not path.is_dir():
                continue
            if slug_problem(path.name) is not None:
                log.warning("projects/%s: not a project slug, skipped", path.name)
                continue
            found.append(path.name)
        return found

    def app_for(self, slug: str) -> Flask | None:
        with self._lock:
            return self._apps.get(slug)

    def project_dir(self, slug: str) -> Path:
        if (problem := slug_problem(slug)) is not None:
            raise NotFound(problem)
        return self.config.projects_dir / slug

    def load_project_config(self, slug: str, directory: Path | None = None) -> ProjectConfig:
        """The project's config with the workspace's users and fetch hosts added."""
        path = (directory or self.project_dir(slug)) / CONFIG_FILE
        if not path.is_file():
            raise ConfigError([f"{CONFIG_FILE} is missing"])
        raw, unset = read_config_file(path)
        raw.update(self.overrides)
        if self.config.database_url and not raw.get("database_url"):
            # One PostgreSQL database for the workspace, a schema per project.
            raw["database_url"] = schema_url(self.config.database_url, project_schema(slug))
        media = raw.get("media")
        if media is None or isinstance(media, dict):
            media = dict(media or {})
            hosts = media.get("allow_fetch_hosts") or []
            if isinstance(hosts, list):
                media["allow_fetch_hosts"] = [*hosts, *self.config.allow_fetch_hosts]
            raw["media"] = media
        user_config = raw.get("user_config")
        if self.config.users and (user_config is None or isinstance(user_config, dict)):
            user_config = dict(user_config or {})
            listed = user_config.get("users") or []
            if isinstance(listed, list):
                names = {_entry_name(e) for e in listed}
                extra = [
                    {"username": u.username, "password": u.password}
                    for u in self.config.users
                    if u.username.casefold() not in names
                ]
                user_config["users"] = [*listed, *extra]
                raw["user_config"] = user_config
        return build_config(raw, path.parent, path, unset)

    def start(self, slug: str) -> Flask:
        """Open the project and mount its app (ConfigError when its config is bad)."""
        from .. import create_app
        from ..project import Project
        from .dispatch import install_project_hooks

        config = self.load_project_config(slug)
        if self.config.database_url and config.database_url == schema_url(
            self.config.database_url, project_schema(slug)
        ):
            create_schema(self.config.database_url, project_schema(slug))
        project = Project.open(config)
        project.mount_slug = slug
        # Potato `webhooks:` of a project are signed with the workspace's secret (one secret
        # for every delivery the workspace sends, shown on its dashboard).
        outbox.configure(
            project.store, webhook_events.settings_for(config, secret=self.webhook_secret())
        )
        app = create_app(project)
        install_project_hooks(app, self, slug)
        with self._lock:
            old = self._apps.get(slug)
            self._apps[slug] = app
        if old is not None:
            old.extensions["potato_like"].close()
        return app

    def status(self, slug: str) -> str:
        found = self._statuses.get(slug)
        if found is None:
            found = self._statuses[slug] = self.store.get_meta(STATUS_META + slug) or "active"
        return found

    def set_status(self, slug: str, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(status)
        if self.app_for(slug) is None:
            raise NotFound(f"no project {slug!r}")
        with self.store.write() as conn:
            self.store.set_meta(conn, STATUS_META + slug, status)
        self._statuses[slug] = status

    def delete(self, slug: str) -> None:
        """Stop serving the project and remove its directory (data, annotations, database)."""
        directory = self.project_dir(slug)
        with self._lock:
            app = self._apps.pop(slug, None)
        if app is None:
            raise NotFound(f"no project {slug!r}")
        project = app.extensions["potato_like"]
        project.close()
        if self.config.database_url and project.config.database_url == schema_url(
            self.config.database_url, project_schema(slug)
        ):
            drop_schema(self.config.database_url, project_schema(slug))
        resolved = directory.resolve()
        if resolved.parent != self.config.projects_dir.resolve():  # a symlink out of projects/
            raise Conflict(f"projects/{slug} is not a directory inside projects/: not deleted")
        shutil.rmtree(resolved)
        with self.store.write() as conn:
            self.store.set_meta(conn, STATUS_META + slug, "active")
        self._statuses.pop(slug, None)

    def close(self) -> None:
        with self._lock:
            apps, self._apps = list(self._apps.values()), {}
        for app in apps:
            app.extensions["potato_like"].close()
        self.store.close()


def _entry_name(entry) -> str:
    if isinstance(entry, str):
        return entry.strip().casefold()
    if isinstance(entry, dict):
        name = entry.get("username") or entry.get("email") or entry.get("name")
        return str(name).strip().casefold() if name else ""
    return ""


def project_summary(workspace: Workspace, slug: str, project: Project) -> dict:
    """What the dashboard and GET /api/v1/projects show of a project: progress and status."""
    overview = project.store.stats.overview()
    items = overview.total_items
    return {
        "slug": slug,
        "title": project.config.annotation_task_name,
        "status": workspace.status(slug),
        "path": f"/p/{slug}/",
        "items": items,
        "annotations": overview.total_annotations,
        "completed_items": overview.completed,
        "percent_done": round(100 * overview.completed / items, 1) if items else 0.0,
        "annotators": overview.total_users,
    }
