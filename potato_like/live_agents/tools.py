"""What a live agent may do. The model answers with one JSON action per step; `run_tool`
executes it and returns the observation text.

Coding agent (Potato's tool names): Read, Write, Edit, Glob, Grep act on the run's sandbox
directory only (no absolute paths, no `..`, no symlinks out); Bash runs only when the admin
set `sandbox_mode: trusted` (or direct) *and* `acknowledge_untrusted_code_execution: true`,
and then in a subprocess whose working directory is the sandbox, with a clean environment,
no network (a new network namespace via `unshare -rn`; refused where that is unavailable),
CPU/file-size limits and a time-out that kills the whole process group.

Browsing agent: `navigate` fetches a page as text through the SSRF-guarded fetch
(net/safe_fetch.py); click/type/scroll need a real browser, which is not built here, and
are answered with an error the model sees.
"""

from __future__ import annotations

import fnmatch
import functools
import html
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

COMMAND_TIMEOUT = 30.0
MAX_OUTPUT = 20_000
MAX_FILE_BYTES = 1_000_000
MAX_PAGE_TEXT = 12_000

CODING_TOOLS = {
    "Read": "Read(file_path): a file's text",
    "Write": "Write(file_path, content): create or overwrite a file",
    "Edit": "Edit(file_path, old_string, new_string): replace text in a file",
    "Glob": "Glob(pattern): files matching a pattern such as '**/*.py'",
    "Grep": "Grep(pattern, path?): lines matching a regular expression",
    "Bash": "Bash(command): run a shell command in the workspace",
    "done": "done(summary): finish",
}
BROWSING_TOOLS = {
    "navigate": "navigate(url): fetch a page and read its text",
    "done": "done(summary): finish",
}
BROWSER_ONLY = ("click", "type", "scroll", "wait", "key", "hover", "select")


class ToolError(Exception):
    """A tool call that cannot be done: the model is told why, the run goes on."""


# -- the sandbox directory ---------------------------------------------------------------
def inside(root: Path, name: Any) -> Path:
    if not isinstance(name, str) or not name.strip():
        raise ToolError("file_path must be a non-empty string")
    relative = Path(name.strip())
    if relative.is_absolute() or ".." in relative.parts:
        raise ToolError(f"{name!r}: use a path inside the workspace (no absolute paths, no ..)")
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()):
        raise ToolError(f"{name!r} leads outside the workspace")
    return target


def _read(root: Path, args: dict) -> str:
    path = inside(root, args.get("file_path"))
    if not path.is_file():
        raise ToolError(f"{args.get('file_path')!r} is not a file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ToolError("the file is larger than 1 MB")
    return path.read_text(encoding="utf-8", errors="replace")[:MAX_OUTPUT]


def _write(root: Path, args: dict) -> str:
    path = inside(root, args.get("file_path"))
    content = args.get("content")
    if not isinstance(content, str):
        raise ToolError("content must be a string")
    if len(content.encode()) > MAX_FILE_BYTES:
        raise ToolError("content is larger than 1 MB")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return f"wrote {len(content)} characters to {path.relative_to(root.resolve())}"


def _edit(root: Path, args: dict) -> str:
    old, new = args.get("old_string"), args.get("new_string")
    if not isinstance(old, str) or not old or not isinstance(new, str):
        raise ToolError("old_string (non-empty) and new_string must be strings")
    text = _read(root, args)
    if old not in text:
        raise ToolError("old_string is not in the file")
    return _write(root, {"file_path": args.get("file_path"), "content": text.replace(old, new, 1)})


def _files(root: Path) -> list[str]:
    base = root.resolve()
    found = []
    for path in sorted(base.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found.append(path.relative_to(base).as_posix())
    return found


def _glob(root: Path, args: dict) -> str:
    pattern = str(args.get("pattern") or "**/*")
    names = [
        n
        for n in _files(root)
        if fnmatch.fnmatch(n, pattern) or fnmatch.fnmatch(n, pattern.removeprefix("**/"))
    ]
    return "\n".join(names[:500]) or "(no files)"


def _grep(root: Path, args: dict) -> str:
    try:
        regex = re.compile(str(args.get("pattern") or ""))
    except re.error as exc:
        raise ToolError(f"not a regular expression: {exc}") from None
    where = str(args.get("path") or "")
    lines = []
    for name in _files(root):
        if where and not name.startswith(where.strip("./")):
            continue
        path = root / name
        if path.stat().st_size > MAX_FILE_BYTES:
            continue
        for number, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1):
            if regex.search(line):
                lines.append(f"{name}:{number}: {line}")
    return "\n".join(lines)[:MAX_OUTPUT] or "(no matches)"


# -- commands ----------------------------------------------------------------------------
@functools.cache
def network_isolation() -> list[str] | None:
    """The command prefix that runs a process without network and with resource limits
    (util-linux `unshare -rn` and `prlimit`, no pre-exec Python code in a threaded server),
    or None when this host cannot."""
    unshare, prlimit = shutil.which("unshare"), shutil.which("prlimit")
    if unshare is None or prlimit is None:
        return None
    limits = [
        prlimit,
        f"--cpu={int(COMMAND_TIMEOUT)}",
        f"--fsize={MAX_FILE_BYTES * 50}",
        "--core=0",
        "--",
    ]
    prefix = [unshare, "-rn", "--", *limits]
    try:
        done = subprocess.run([*prefix, "true"], capture_output=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return prefix if done.returncode == 0 else None


def run_command(root: Path, command: Any, timeout: float = COMMAND_TIMEOUT) -> str:
    if not isinstance(command, str) or not command.strip():
        raise ToolError("command must be a non-empty string")
    prefix = network_isolation()
    if prefix is None:
        raise ToolError("commands are refused: this host cannot run them without network")
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(root), "LANG": "C.UTF-8"}
    proc = subprocess.Popen(
        [*prefix, "/bin/sh", "-c", command],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        text = out.decode("utf-8", errors="replace")[:MAX_OUTPUT]
        return f"{text}\n[killed: no result within {timeout:g} s]"
    text = out.decode("utf-8", errors="replace")[:MAX_OUTPUT]
    return f"{text}\n[exit code {proc.returncode}]"


# -- browsing ----------------------------------------------------------------------------
_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.S | re.I)


def page_text(body: bytes, content_type: str) -> str:
    text = body.decode("utf-8", errors="replace")
    if "html" in content_type:
        text = html.unescape(_TAGS.sub(" ", text))
    return re.sub(r"\s+", " ", text).strip()[:MAX_PAGE_TEXT]


def navigate(url: Any, policy) -> str:
    from ..net.safe_fetch import FetchError, fetch

    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ToolError("url must be an http(s) URL")
    try:
        result = fetch(url, policy)
    except FetchError as exc:
        raise ToolError(f"cannot fetch {url}: {exc}") from None
    return page_text(result.body, result.content_type or "")


# -- dispatch ----------------------------------------------------------------------------
def run_tool(kind: str, name: str, args: dict, *, root: Path | None, commands: bool, policy) -> str:
    if kind == "live_coding_agent":
        assert root is not None
        simple = {"Read": _read, "Write": _write, "Edit": _edit, "Glob": _glob, "Grep": _grep}
        if name in simple:
            return simple[name](root, args)
        if name == "Bash":
            if not commands:
                raise ToolError(
                    "commands are off in this project (sandbox_mode trusted with "
                    "acknowledge_untrusted_code_execution: true turns them on); "
                    "use Read, Write, Edit, Glob and Grep"
                )
            return run_command(root, args.get("command"))
        raise ToolError(f"unknown tool {name!r}; tools: {', '.join(CODING_TOOLS)}")
    if name == "navigate":
        return navigate(args.get("url"), policy)
    if name in BROWSER_ONLY:
        raise ToolError(
            f"{name} needs a real browser, which this server does not drive; use navigate"
        )
    raise ToolError(f"unknown action {name!r}; actions: {', '.join(BROWSING_TOOLS)}")
