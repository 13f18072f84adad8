"""One live agent run, and the runs of a project.

A run works in its own daemon thread (never inside a request): ask the model for the next
action, do it, record the step, repeat until the model says `done`, the step limit, a stop,
or a failure. Every step is written at once to `<output dir>/live_runs/<run id>/trace.json`
in Potato's trace shape (`task_description` + `steps`), so a page polling `state` sees it
and a restart keeps it: runs that were working when the server stopped come back as
`interrupted`. The coding agent's files live in `live_runs/<run id>/workspace/`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..ai.suggestion import ProviderUnavailable
from .config import LiveAgentConfig
from .tools import BROWSING_TOOLS, CODING_TOOLS, ToolError, run_tool

if TYPE_CHECKING:
    from ..project import Project

ACTIVE = ("running", "paused")
MAX_ACTIVE_RUNS = 4  # per project and process: each holds a thread and model calls
MAX_INSTRUCTION = 2000
MAX_STEP_TEXT = 20_000
_RUN_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

PROTOCOL = (
    "Answer every turn with one JSON object and nothing else: "
    '{"thought": "your reasoning", "action": {"tool": "<tool name>", "args": {...}}}. '
    "Tools:\n"
)


class RunRefused(Exception):
    """A run that cannot start or a control that does not apply (a 409)."""


@dataclass
class LiveRun:
    run_id: str
    kind: str
    username: str
    instance_id: str
    task: str
    directory: Path
    start_url: str = ""
    state: str = "running"
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None
    steps: list[dict] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # the annotator's instructions
    lock: threading.Condition = field(default_factory=threading.Condition, repr=False)

    @property
    def workspace(self) -> Path:
        return self.directory / "workspace"

    def trace(self) -> dict[str, Any]:
        """Potato's trace shape, with the run's own keys."""
        return {
            "id": self.run_id,
            "run_id": self.run_id,
            "kind": self.kind,
            "user": self.username,
            "instance_id": self.instance_id,
            "task_description": self.task,
            "start_url": self.start_url,
            "state": self.state,
            "error": self.error,
            "started": self.started,
            "finished": self.finished,
            "steps": list(self.steps),
        }

    def public(self, since: int = 0) -> dict[str, Any]:
        return {
            "session_id": self.run_id,
            "kind": self.kind,
            "instance_id": self.instance_id,
            "state": self.state,
            "error": self.error,
            "step_count": len(self.steps),
            "steps": self.steps[since:],
            "since": since,
        }

    def save(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / "trace.json.tmp"
        tmp.write_text(json.dumps(self.trace(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.directory / "trace.json")


class LiveRuns:
    """The live runs of one project (kept in `Project.cache`)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.root = project.config.output_dir / "live_runs"
        self._lock = threading.Lock()
        self._runs: dict[str, LiveRun] = {}
        self._closed = threading.Event()
        self._load()

    def close(self) -> None:
        """The project is closing: run threads stop at their next check without writing
        (on disk the runs stay active, so the next start shows them interrupted)."""
        self._closed.set()
        for run in list(self._runs.values()):
            with run.lock:
                run.lock.notify_all()

    # -- lifecycle -------------------------------------------------------------------------
    def _load(self) -> None:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("*/trace.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            run = LiveRun(
                run_id=str(data.get("run_id")),
                kind=str(data.get("kind")),
                username=str(data.get("user")),
                instance_id=str(data.get("instance_id")),
                task=str(data.get("task_description") or ""),
                directory=path.parent,
                start_url=str(data.get("start_url") or ""),
                state=str(data.get("state")),
                error=data.get("error"),
                started=float(data.get("started") or 0),
                finished=data.get("finished"),
                steps=list(data.get("steps") or []),
            )
            if run.state in ACTIVE:
                # The thread died with the old process: say so, keep every step.
                run.state = "interrupted"
                run.error = "the server stopped during this run; start a new run to try again"
                run.save()
            self._runs[run.run_id] = run

    def start(
        self, settings: LiveAgentConfig, username: str, instance_id: str, task: str, start_url: str
    ) -> LiveRun:
        with self._lock:
            active = [r for r in self._runs.values() if r.state in ACTIVE]
            if any(r.username == username for r in active):
                raise RunRefused("you have a run going; stop it before starting another")
            if len(active) >= MAX_ACTIVE_RUNS:
                raise RunRefused(f"{MAX_ACTIVE_RUNS} runs are going on; try again later")
            run_id = secrets.token_urlsafe(12)
            run = LiveRun(
                run_id=run_id,
                kind=settings.kind,
                username=username,
                instance_id=instance_id,
                task=task,
                directory=self.root / run_id,
                start_url=start_url,
            )
            self._runs[run_id] = run
        run.save()
        worker = threading.Thread(
            target=self._work, args=(run, settings), name=f"live-run-{run_id}", daemon=True
        )
        worker.start()
        return run

    def get(self, run_id: str) -> LiveRun | None:
        if not _RUN_ID.match(run_id or ""):
            return None
        return self._runs.get(run_id)

    def of_user(self, username: str, kind: str, instance_id: str | None = None) -> list[LiveRun]:
        return [
            r
            for r in self._runs.values()
            if r.username == username
            and r.kind == kind
            and (instance_id is None or r.instance_id == instance_id)
        ]

    # -- controls (from requests) -----------------------------------------------------------
    def pause(self, run: LiveRun) -> None:
        with run.lock:
            if run.state != "running":
                raise RunRefused(f"the run is {run.state}, not running")
            run.state = "paused"
            run.save()

    def resume(self, run: LiveRun) -> None:
        with run.lock:
            if run.state != "paused":
                raise RunRefused(f"the run is {run.state}, not paused")
            run.state = "running"
            run.save()
            run.lock.notify_all()

    def stop(self, run: LiveRun) -> None:
        with run.lock:
            if run.state not in ACTIVE:
                raise RunRefused(f"the run is already {run.state}")
            run.state = "stopped"
            run.finished = time.time()
            run.save()
            run.lock.notify_all()

    def instruct(self, run: LiveRun, text: str) -> None:
        with run.lock:
            if run.state not in ACTIVE:
                raise RunRefused(f"the run is {run.state}; instructions go to a running run")
            run.pending.append(text[:MAX_INSTRUCTION])
            run.steps.append(_step(len(run.steps), "Annotator", "instruction", text))
            run.save()

    # -- the worker thread ------------------------------------------------------------------
    def _provider(self, settings: LiveAgentConfig):
        from ..ai.providers.registry import provider_class

        cls = provider_class(settings.endpoint_type)
        return self.project.cache(
            f"live_provider:{settings.kind}", lambda: cls(self.project, settings.settings)
        )

    def _work(self, run: LiveRun, settings: LiveAgentConfig) -> None:
        tools = CODING_TOOLS if settings.kind == "live_coding_agent" else BROWSING_TOOLS
        system = (settings.system_prompt.strip() + "\n\n" if settings.system_prompt else "") + (
            PROTOCOL + "\n".join(f"- {t}" for t in tools.values())
        )
        opening = f"Task: {run.task}"
        if run.start_url:
            opening += f"\nStart at: {run.start_url}"
        messages: list[dict] = [{"role": "user", "content": opening}]
        try:
            if settings.kind == "live_coding_agent":  # copied here, not in the request
                if settings.working_dir is not None:
                    shutil.copytree(settings.working_dir, run.workspace, symlinks=True)
                run.workspace.mkdir(parents=True, exist_ok=True)
            provider = self._provider(settings)
            for _ in range(settings.max_steps):
                if not self._wait_while_paused(run):
                    return
                with run.lock:
                    if run.pending:
                        note = "\n".join(run.pending)
                        run.pending.clear()
                        messages.append({"role": "user", "content": f"The annotator says: {note}"})
                reply = provider.chat(messages, system)
                if run.state not in ACTIVE or self._closed.is_set():
                    return  # stopped while the model was thinking: its action is not done
                messages.append({"role": "assistant", "content": reply})
                observation, finished = self._act(run, settings, reply)
                if finished:
                    self._end(run, "finished")
                    return
                messages.append({"role": "user", "content": f"Result:\n{observation}"})
                if settings.step_delay:
                    time.sleep(settings.step_delay)
            self._end(run, "finished", f"stopped after {settings.max_steps} steps")
        except ProviderUnavailable as exc:
            self._end(run, "failed", f"the model did not answer: {exc}")
        except Exception as exc:  # a failed run is reported on the page; the server goes on
            self._end(run, "failed", f"{type(exc).__name__}: {exc}")

    def _wait_while_paused(self, run: LiveRun) -> bool:
        with run.lock:
            while run.state == "paused" and not self._closed.is_set():
                run.lock.wait(timeout=1.0)
            return run.state == "running" and not self._closed.is_set()

    def _act(self, run: LiveRun, settings: LiveAgentConfig, reply: str) -> tuple[str, bool]:
        thought, name, args = parse_action(reply)
        if name is None:
            observation, ok = "answer with one JSON object with thought and action", False
        elif name == "done":
            observation, ok = str(args.get("summary") or ""), True
        else:
            try:
                from ..media.sources import fetch_policy

                policy = fetch_policy(self.project.config, ("text/", "application/xhtml"))
                observation = run_tool(
                    settings.kind,
                    name,
                    args,
                    root=run.workspace,
                    commands=settings.commands_allowed,
                    policy=policy,
                )
                ok = True
            except ToolError as exc:
                observation, ok = f"error: {exc}", False
        with run.lock:
            step = _step(len(run.steps), "Agent", "action", thought)
            step.update(
                {
                    "thought": thought[:MAX_STEP_TEXT],
                    "action": {"tool": name, "args": args} if name else None,
                    "observation": observation[:MAX_STEP_TEXT],
                    "ok": ok,
                }
            )
            if name and name != "done":
                step["text"] = f"{thought}\n→ {name}({json.dumps(args, ensure_ascii=False)})"
            run.steps.append(step)
            run.save()
        return observation, name == "done"

    def _end(self, run: LiveRun, state: str, error: str | None = None) -> None:
        with run.lock:
            if run.state not in ACTIVE or self._closed.is_set():
                return  # stopped by the annotator: that state stays
            run.state = state
            run.error = error
            run.finished = time.time()
            run.save()


def _step(index: int, speaker: str, step_type: str, text: str) -> dict:
    return {
        "step": index,
        "speaker": speaker,
        "step_type": step_type,
        "text": text[:MAX_STEP_TEXT],
        "time": round(time.time(), 3),
    }


def parse_action(reply: str) -> tuple[str, str | None, dict]:
    """(thought, tool name or None, args) from a model's answer: our shape
    {"thought", "action": {"tool", "args"}} or Potato's live_agent shape
    {"thought", "action": {"type": "navigate", "url": ...}}."""
    text = reply.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fenced:
        text = fenced.group(1).strip()
    start, end = text.find("{"), text.rfind("}")
    try:
        data = json.loads(text[start : end + 1]) if start >= 0 else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return reply.strip()[:MAX_STEP_TEXT], None, {}
    thought = str(data.get("thought") or "")
    action = data.get("action")
    if not isinstance(action, dict):
        return thought, None, {}
    name = action.get("tool") or action.get("type") or action.get("name")
    args = action.get("args") or action.get("input")
    if not isinstance(args, dict):
        args = {k: v for k, v in action.items() if k not in ("tool", "type", "name")}
    return thought, str(name) if name else None, args


def live_runs(project: Project) -> LiveRuns:
    return project.cache("live_runs", lambda: LiveRuns(project))
