"""Potato's page-template keys: `site_dir`, `site_file`, `base_html_template`, `header_file`
and `task_layout`.

Potato builds its pages from HTML templates that carry its own scripts; a project may point
at its own copies. Here the pages are ours (no inline script, a fixed CSP), so a Potato
template cannot be served as it is, and stripped of its scripts it would not work. What
Potato's examples use is accepted silently: `site_dir: default`, `base_html_template:
default`, `header_file: default` and its bundled `site_file` names. Anything else is a
warning naming what serves instead (the built-in page, `layout` for a form grid, `base_css`
for styling, `instance_display` for item layout). A `task_layout` file is checked with the
project-file rules (inside the project directory), and a missing one is a warning, not the
error Potato stops with.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from .reader import ConfigReader, type_name

DEFAULT = "default"
# Potato's bundled base templates (names only): a project naming one gets the built-in page.
POTATO_SITE_FILES = ("base_template.html", "base_template_v2.html", "base_template_v3.html")
INSTEAD = (
    "the built-in annotation page serves this project (use `layout` for a form grid, "
    "`instance_display` for the item, `base_css` for styling)"
)


def read_site_templates(r: ConfigReader, root: Path) -> None:
    for key in ("site_dir", "base_html_template", "header_file"):
        value = r.raw.get(key)
        if value in (None, "", DEFAULT):
            continue
        if not isinstance(value, str):
            r.warn(key, f"must be a path or 'default', got {type_name(value)}; ignored")
            continue
        r.warn(key, f"Potato's page templates are not used here: {INSTEAD}")
    site_file = r.raw.get("site_file")
    if site_file not in (None, "", DEFAULT) and (
        not isinstance(site_file, str) or PurePosixPath(site_file).name not in POTATO_SITE_FILES
    ):
        r.warn("site_file", f"Potato's page templates are not used here: {INSTEAD}")
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
