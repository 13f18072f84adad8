"""`customjs`: a JavaScript file of the project, run on the annotation page. Off unless the
config names a file; every start warns that it runs with the annotators' sessions.

Potato's `customjs: true` loads `potato.js` from a development server (`customjs_hostname`,
default localhost:4173) or a CDN; remote scripts never run here (the Content-Security-Policy
is `script-src 'self'`), so only a file inside the project directory is accepted, served at
`/project.js` and read once when the config loads (same path rules as `base_css`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .project_css import read_project_file
from .reader import ConfigReader, type_name

WARNING = (
    "runs the project's JavaScript {path!r} on the annotation page with each annotator's "
    "session: it can read the items and change or submit answers. Use only code you wrote "
    "or reviewed"
)


@dataclass(frozen=True)
class ProjectJs:
    text: str

    @property
    def version(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:12]


def read_project_js(r: ConfigReader, root: Path, output_dir: Path) -> ProjectJs | None:
    raw = r.raw.get("customjs")
    if raw in (None, False, "", "null"):
        return None
    if raw is True:
        r.warn(
            "customjs",
            "ignored: Potato's `customjs: true` loads a script from another server "
            "(customjs_hostname), which this server never does; name a .js file inside the "
            "project directory instead",
        )
        return None
    if not isinstance(raw, str):
        r.problem("customjs", f"must be a path to a .js file, got {type_name(raw)}")
        return None
    if not raw.endswith(".js"):
        r.problem("customjs", f"{raw!r} must be a .js file")
        return None
    text = read_project_file(r, "customjs", raw, root, output_dir)
    if text is None:
        return None
    r.warn("customjs", WARNING.format(path=raw))
    return ProjectJs(text)
