"""Potato's page-template keys: `site_dir`, `site_file`, `base_html_template`, `header_file`
and `task_layout`.

Potato 2.x no longer reads its page templates from `site_dir`, `base_html_template` or
`header_file`: its page builder (server_utils/front_end.py) always uses the templates in its
own package, so a project naming its own directory gets Potato's built-in page there too.
The same here: the built-in pages serve (they could not serve Potato's templates anyway: no
inline script under our CSP). What Potato's examples use is accepted silently: `default`,
a path to Potato's own `potato/templates` directory, and its bundled `site_file` names.
Anything else is a warning naming what serves instead (the built-in page, `task_layout` or
`layout` for the form, `base_css` for styling, `instance_display` for item layout). A
`task_layout` file is rendered (config/task_layout.py); a missing one, or one outside the
project directory, is a warning, not the error Potato stops with.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from .reader import ConfigReader, type_name

DEFAULT = "default"
# Potato's bundled base templates (names only): a project naming one gets the built-in page.
POTATO_SITE_FILES = ("base_template.html", "base_template_v2.html", "base_template_v3.html")
INSTEAD = (
    "the built-in annotation page serves this project, as Potato 2.x's own page does (it "
    "reads its templates from its package whatever this says); use `task_layout` or `layout` "
    "for the form, `instance_display` for the item, `base_css` for styling"
)


def _potato_bundle(value: str) -> bool:
    """A path to Potato's own template directory (`potato/templates/`, as two examples say)."""
    parts = PurePosixPath(value.replace("\\", "/").rstrip("/")).parts
    return parts[-2:] == ("potato", "templates")


def read_site_templates(r: ConfigReader, root: Path) -> None:
    for key in ("site_dir", "base_html_template", "header_file"):
        value = r.raw.get(key)
        if value in (None, "", DEFAULT):
            continue
        if not isinstance(value, str):
            r.warn(key, f"must be a path or 'default', got {type_name(value)}; ignored")
            continue
        if key == "site_dir" and _potato_bundle(value):
            continue
        r.warn(key, f"own page templates are not used: {INSTEAD}")
    site_file = r.raw.get("site_file")
    if site_file not in (None, "", DEFAULT) and (
        not isinstance(site_file, str) or PurePosixPath(site_file).name not in POTATO_SITE_FILES
    ):
        r.warn("site_file", f"own page templates are not used: {INSTEAD}")
    layout = r.raw.get("task_layout")
    if layout in (None, "", DEFAULT):
        return
    if not isinstance(layout, str):
        r.warn("task_layout", f"must be a path to an HTML file, got {type_name(layout)}; ignored")
        return
    parts = PurePosixPath(layout.replace("\\", "/")).parts
    inside = not layout.startswith(("/", "\\")) and ".." not in parts and parts
    if not inside:
        r.warn("task_layout", f"{layout!r} is outside the project directory; ignored")
    elif not (root / Path(*parts)).is_file():
        r.warn("task_layout", f"file not found: {layout!r}; {INSTEAD}")


def wants_task_layout(r: ConfigReader, root: Path) -> bool:
    """Whether `task_layout` names a file that exists inside the project (read by
    config/task_layout.py; the other cases were warned about above)."""
    layout = r.raw.get("task_layout")
    if not isinstance(layout, str) or layout in ("", DEFAULT):
        return False
    parts = PurePosixPath(layout.replace("\\", "/")).parts
    if layout.startswith(("/", "\\")) or ".." in parts or not parts:
        return False
    return (root / Path(*parts)).is_file()
