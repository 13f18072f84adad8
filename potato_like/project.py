"""A Project: one served config with its store and services. Everything a request needs
hangs off it (`current_project()`), so several projects can live in one process.

Per-project caches and helpers built on first use go through `Project.cache(name, factory)`,
never through attributes set on the project from outside, nor through `app.extensions`."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .accounts import STAFF_KIND, reserved_names
from .ai.icl_routing import verification_mix
from .assign.strategies import strategy
from .comparisons.tuples import prepare_bws_items
from .config.model import ProjectConfig
from .config.validate import RUNTIME_FIELDS, runtime_fields
from .data.readers import FileOptions
from .data.remote_sources import RemoteSourceError, materialize
from .errors import BadRequest, ConfigError, Conflict, DataError
from .export.user_dirs import prepare_user_dir
from .export.user_files import OutputWriter
from .net.safe_fetch import FetchError
from .password_hashing import hash_password
from .private_files import make_private_dir
from .secrets_file import read_or_create
from .store import Store
from .store.activity import Activity
from .store.assignments import LeasePolicy
from .store.importer import ImportReport, Progress, recount, sync_items
from .store.item_caps import sync_item_caps
from .webhooks import events as webhook_events
from .webhooks import outbox

log = logging.getLogger("potato_like")

EXPIRY_SWEEP_SECONDS = 30.0
# How often (at most) a process looks for run-time settings another process changed.
RUNTIME_REFRESH_SECONDS = 2.0
IBWS_POLL_SECONDS = 3.0  # how often annotators' requests look whether an IBWS round is done


class TtlCache:
    """A small thread-safe cache whose entries live `seconds`; cleared when it grows large."""

    def __init__(self, seconds: float, max_entries: int = 50_000) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict = {}
        self._lock = threading.Lock()

    def get(self, key, load):
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[1] > now:
            return hit[0]
        value = load()
        if value is not None:
            with self._lock:
                if len(self._entries) >= self.max_entries:
                    self._entries.clear()
                self._entries[key] = (value, now + self.seconds)
        return value


@dataclass
class Project:
    config: ProjectConfig
    store: Store
    policy: LeasePolicy
    secret_key: str
    admin_api_key: str
    admin_key_path: Path | None
    import_report: ImportReport
    output: OutputWriter
    started_at: float = field(default_factory=time.time)
    # Who a session's user id is, for a few seconds: saves a query on every request.
    session_users: TtlCache = field(default_factory=lambda: TtlCache(seconds=30.0))
    _last_sweep: float = 0.0
    _sweep_lock: threading.Lock = field(default_factory=threading.Lock)
    # The config as the file gave it; run-time settings are applied on top of it.
    file_config: ProjectConfig | None = None
    _settings_seen: str | None = None  # the persisted settings last applied (raw JSON)
    _settings_checked: float = 0.0
    _settings_lock: threading.Lock = field(default_factory=threading.Lock)
    # Per-project helpers and caches built on first use (see `cache`).
    _caches: dict = field(default_factory=dict)
    _caches_lock: threading.Lock = field(default_factory=threading.Lock)
    # watch_data_directory: when this process last looked, and the last failure it logged.
    _data_polled: float = field(default_factory=time.monotonic)
    _data_poll_lock: threading.Lock = field(default_factory=threading.Lock)
    _data_poll_error: str | None = None
    # `run.py --workers N`: only the leader (worker 0; the only process otherwise) starts the
    # work that must not run N times over: IBWS rounds and MACE runs on `trigger_every_n`
    # (docs/deployment.md, "Several processes").
    leader: bool = True
    # Rate limits counted in the store, so that N processes allow what one would (set for
    # the workers of `run.py --workers N`; one process counts in memory).
    shared_rate_limits: bool = False
    # The project's slug in a workspace (run.py DIR: served under /p/<slug>/); None alone.
    mount_slug: str | None = None

    @classmethod
    def open(cls, config: ProjectConfig, progress: Progress | None = None) -> Project:
        output_dir = config.output_dir
        try:
            make_private_dir(output_dir)
        except OSError as exc:
            raise ConfigError(
                [f"output_annotation_dir: cannot create {output_dir}: {exc.strerror or exc}"]
            ) from exc
        store = Store.open(config.effective_database_url, durability=config.durability)
        outbox.configure(store, webhook_events.settings_for(config))
        # Schemes whose answer distributions the store does not keep per value (free text,
        # spans, ...) only count their answers (store/aggregates.py).
        store.aggregates.untallied = frozenset(s.name for s in config.schemes if not s.tallied)
        try:
            prepare_bws_items(config)  # bws/ibws: the tuples file made from the pool
            files = config.current_data_files()
            report = sync_items(
                store,
                files,
                config.item_properties,
                config.max_annotations_per_item,
                progress,
                config.random_seed,
                _file_options(config, files),
                transform=config.cot_segmentation,
            )
            _apply_overlap_change(store, config.max_annotations_per_item)
            _apply_item_caps(store, config)
            if store.aggregates.needs_rebuild():
                with store.write() as conn:
                    store.aggregates.rebuild(conn)
            _ensure_configured_users(store, config)
        except Exception:
            store.close()
            raise
        secret = config.secret_key or read_or_create(output_dir / ".secret_key")
        if config.admin_api_key:
            admin_key, key_path = config.admin_api_key, None
        else:
            key_path = output_dir / ".admin_api_key"
            admin_key = read_or_create(key_path)
        chosen = strategy(config.assignment_strategy, config.random_seed)
        try:
            chosen.start(store, config)
        except Exception:
            store.close()
            raise
        policy = LeasePolicy(
            strategy=chosen,
            overlap=config.max_annotations_per_item,
            per_user_cap=config.max_annotations_per_user,
            timeout_seconds=(
                config.assignment_timeout_minutes * 60
                if config.assignment_timeout_minutes
                else None
            ),
            allow_jump=not config.jumping_to_id_disabled,
            adaptive=config.overlap_plan.adaptive if config.overlap_plan else None,
            verification_mix=verification_mix(config.icl, config.random_seed),
        )
        output = OutputWriter(store, config)
        output.resume()
        project = cls(config, store, policy, secret, admin_key, key_path, report, output)
        project.file_config = config
        project.refresh_runtime_settings(force=True)
        return project

    @property
    def slug(self) -> str:
        """The project's name in URLs and API bodies; a single-project server has one."""
        return self.mount_slug or "default"

    @property
    def files_dir(self) -> Path:
        """Where /api/v1 keeps uploaded and generated files (web/api_v1/common.service)."""
        return self.config.output_dir / "api_files"

    def projects(self) -> dict[str, Project]:
        """The projects /api/v1 can reach: on a single-project server, this one."""
        return {self.slug: self}

    def cache(self, name: str, factory):
        """The project's object called `name`, made by `factory()` on first use and kept for
        the project's life: the one place per-project caches and prebuilt helpers live (the
        agreement cache, the behaviour statements, the admin questions cache), so they never
        leak between projects in one process and never hang off the app or ad-hoc attributes.
        Thread-safe: concurrent first calls get the same object."""
        found = self._caches.get(name)
        if found is not None:
            return found
        with self._caches_lock:
            found = self._caches.get(name)
            if found is None:
                found = self._caches[name] = factory()
            return found

    @property
    def flow(self):
        """The study flow (phases, training) of this project."""
        from .study.flow import StudyFlow

        return StudyFlow(self)

    @property
    def checks(self):
        """Attention checks and gold items mixed into annotation."""
        from .quality.checks import QualityChecks

        return QualityChecks(self)

    def refresh_runtime_settings(self, force: bool = False) -> None:
        """Pick up run-time settings persisted by any process (POST /admin/api/config may have
        been served by another worker): at most every RUNTIME_REFRESH_SECONDS one read of the
        stored settings, and when they changed, the file's config with them applied."""
        now = time.monotonic()
        if not force and now - self._settings_checked < RUNTIME_REFRESH_SECONDS:
            return
        if not self._settings_lock.acquire(blocking=force):
            return  # another thread of this process is checking right now
        try:
            self._settings_checked = now
            activity = Activity(self.store)
            raw = activity.runtime_settings_raw()
            if raw == self._settings_seen and not force:
                return
            base = self.file_config or self.config
            self.apply_runtime_settings(activity.runtime_settings(base.raw), base=base)
            self._settings_seen = raw
        finally:
            self._settings_lock.release()

    def apply_runtime_settings(self, values: dict, base: ProjectConfig | None = None) -> list[str]:
        """Apply settings changed while serving (POST /admin/api/config, or persisted ones at
        start or changed by another process): rebuild the frozen config and lease policy, on
        top of `base` when given (else the current config). Settings with problems are left
        out and their problems returned (and logged)."""
        fields, problems, _warnings = runtime_fields(values)
        bad = {p.split(":", 1)[0].split(".", 1)[0] for p in problems}
        for key in bad & set(RUNTIME_FIELDS):
            fields.pop(RUNTIME_FIELDS[key], None)
        for problem in problems:
            log.warning("run-time setting ignored: %s", problem)
        if not fields and base is None:
            return problems
        config = dataclasses.replace(base or self.config, **fields)
        minutes = config.assignment_timeout_minutes
        self.policy = dataclasses.replace(
            self.policy,
            per_user_cap=config.max_annotations_per_user,
            timeout_seconds=minutes * 60 if minutes else None,
            allow_jump=not config.jumping_to_id_disabled,
            adaptive=config.overlap_plan.adaptive if config.overlap_plan else None,
            verification_mix=verification_mix(config.icl, config.random_seed),
        )
        self.config = config
        return problems

    def sweep_expired_leases(self) -> None:
        """Return stale leases to the pool, at most every EXPIRY_SWEEP_SECONDS per process."""
        now = time.time()
        if self.policy.timeout_seconds is None or now - self._last_sweep < EXPIRY_SWEEP_SECONDS:
            return
        if not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._last_sweep = now
            expired = self.store.assignments.expire_stale(self.policy, now)
            if expired:
                log.info("returned %d stale leases to the pool", expired)
        finally:
            self._sweep_lock.release()

    def poll_data_directory(self) -> ImportReport | None:
        """With `watch_data_directory`, import what changed in `data_directory` (new, changed
        or removed files), at most every `watch_poll_interval` seconds per process. Called on
        annotators' requests, so no thread runs while nobody works; an unchanged directory
        costs one stat per file. A file that cannot be imported (still being written, bad
        rows) leaves the items as they were and is logged once until it changes."""
        self.poll_ibws_round()
        if self.leader:
            for ingestor in self.live_sources().values():
                ingestor.ensure_running()
        directory = self.config.data_directory
        if directory is None or not directory.watch:
            return None
        now = time.monotonic()
        if now - self._data_polled < directory.poll_seconds:
            return None
        if not self._data_poll_lock.acquire(blocking=False):
            return None
        try:
            self._data_polled = now
            config = self.config
            try:
                report = self._sync_data()
            except DataError as exc:
                message = "; ".join(exc.problems) if hasattr(exc, "problems") else str(exc)
                if message != self._data_poll_error:
                    log.warning("data_directory: changes not imported: %s", message)
                self._data_poll_error = message
                return None
            self._data_poll_error = None
            if report.changed:
                _apply_item_caps(self.store, config)
                log.info(
                    "data_directory: imported %d rows (+%d new, %d changed, %d retired)",
                    report.rows,
                    report.added,
                    report.updated,
                    report.retired,
                )
            return report
        finally:
            self._data_poll_lock.release()

    def refresh_remote_source(self, source_id: str) -> tuple[dict, ImportReport] | None:
        """Fetch one remote data source again now (whatever its TTL) and import what changed;
        None when no remote source has this id. A failed fetch raises FetchError (the copy
        and the items stay as they were)."""
        remote = self.config.remote_data
        source = remote.find(source_id) if remote is not None else None
        if source is None:
            return None
        name = f"{source.kind} source {source.id!r} ({source.url})"
        try:
            fetched = materialize(source, remote.cache, remote.allow_hosts, force=True)
        except RemoteSourceError as exc:
            raise FetchError(f"{name}: {exc}") from None
        if fetched.warning:  # the fetch failed; the copy fetched before is still used
            raise FetchError(f"{name}: {fetched.warning}")
        return remote.status(source), self.import_data()

    def poll_ibws_round(self) -> None:
        """With `ibws_config`, at most every few seconds: start the next round in the
        background when every tuple of this one is answered (comparisons/ibws.py)."""
        if self.config.ibws is None or not self.leader:
            return
        from .comparisons.ibws import IbwsAdvancer

        now = time.monotonic()
        last = self.cache("ibws_polled", lambda: [0.0])
        if now - last[0] < IBWS_POLL_SECONDS:
            return
        last[0] = now
        self.cache("ibws_advancer", IbwsAdvancer).poke(self, self.reimport_tuples)

    def reimport_tuples(self) -> ImportReport:
        """Import the tuples file again (a new IBWS round added tuples)."""
        config = self.config
        return sync_items(
            self.store,
            config.current_data_files(),
            config.item_properties,
            config.max_annotations_per_item,
            seed=config.random_seed,
            transform=config.cot_segmentation,
        )

    def live_sources(self) -> dict:
        """source id -> LiveIngestor of each database source with `live_ingestion`
        (data/live_ingest.py); their threads start on the first annotator request."""
        return self.cache("live_sources", self._make_live_sources)

    def _make_live_sources(self) -> dict:
        from .data.live_ingest import LiveIngestor

        remote = self.config.remote_data
        databases = remote.databases if remote is not None else ()
        return {
            d.id: LiveIngestor(
                d, d.copy_path(remote.cache.directory), self.config.output_dir, self.import_data
            )
            for d in databases
            if d.live is not None
        }

    def import_data(self) -> ImportReport:
        """Import the data files again now (a live source added rows)."""
        with self._data_poll_lock:
            report = self._sync_data()
            if report.changed:
                _apply_item_caps(self.store, self.config)
        return report

    def _sync_data(self) -> ImportReport:
        """Import what changed in the data files (the caller holds the data lock)."""
        config = self.config
        files = config.current_data_files()
        return sync_items(
            self.store,
            files,
            config.item_properties,
            config.max_annotations_per_item,
            seed=config.random_seed,
            options=_file_options(config, files),
            transform=config.cot_segmentation,
        )

    def close(self) -> None:
        for ingestor in self._caches.get("live_sources", {}).values():
            ingestor.stop()
        for name in ("ai_suggestions", "ai_vision", "live_runs"):
            held = self._caches.get(name)
            if held is not None:
                held.close()
        self.output.close()
        self.store.close()


def _apply_overlap_change(store: Store, overlap: int | None) -> None:
    wanted = "none" if overlap is None else str(overlap)
    if store.get_meta("overlap") == wanted:
        return
    with store.write() as conn:
        recount(store, conn, overlap)


def _file_options(config: ProjectConfig, files: tuple[Path, ...]) -> dict | None:
    """Declared encodings and prior-annotation filters of the data files (the importer
    reads them only when the files changed)."""
    options = config.data_file_options
    out = options.for_files(files) if options is not None else {}
    remote = config.remote_data
    for db in remote.databases if remote is not None else ():
        if db.live is not None:  # a live source's rows may not have arrived yet
            path = str(db.copy_path(remote.cache.directory))
            out[path] = replace(out.get(path, FileOptions()), may_be_empty=True)
    return out or None


def _apply_item_caps(store: Store, config: ProjectConfig) -> None:
    """Per-item caps of num_annotators_per_item's overlap_sample and adaptive boost."""
    if sync_item_caps(store, config.overlap_plan, config.max_annotations_per_item):
        with store.write() as conn:
            recount(store, conn, config.max_annotations_per_item)


def _ensure_configured_users(store: Store, config: ProjectConfig) -> None:
    """Create accounts listed with passwords in user_config. Admin rights are not stored:
    `admin_users` is checked at each request, so removing a name revokes them at once.
    Staff (reserved) names become staff accounts with the configured password, also when
    the name was claimed by someone else before names were reserved (their sessions end)."""
    reserved = reserved_names(config)
    for entry in config.users:
        if entry.password is None:
            continue
        staff = entry.username.casefold() in reserved
        row = store.users.by_name(entry.username)
        if row is not None:
            if staff and row.login_kind != STAFF_KIND:
                store.users.set_password(row.id, hash_password(entry.password), STAFF_KIND)
                store.login_sessions.revoke_user(row.id)
            continue
        try:
            prepare_user_dir(config.output_dir, entry.username)
        except BadRequest as exc:
            raise ConfigError([f"user_config.users: {entry.username!r}: {exc}"]) from None
        with contextlib.suppress(Conflict):  # created by a concurrent start
            store.users.create(
                entry.username,
                hash_password(entry.password),
                login_kind=STAFF_KIND if staff else "password",
                phase=config.study.first_phase,
            )
