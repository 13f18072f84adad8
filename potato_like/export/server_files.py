"""An export written on the server, for Potato's clients of POST /admin/api/export (which
expect `{"success", "format", "files_written", "stats", "warnings", "errors"}` instead of a
download). The file goes to `<output_annotation_dir>/exports/<format>/`: a path sent by the
client is not used, so the API cannot write anywhere else on the machine."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ..private_files import make_private_dir, open_private

if TYPE_CHECKING:
    from ..project import Project
    from .registry import Exporter


def write_export(
    project: Project, chosen: type[Exporter] | Exporter, filename: str, requested: Any
) -> dict[str, Any]:
    folder = project.config.output_dir / "exports" / chosen.name
    make_private_dir(folder.parent)
    make_private_dir(folder)
    path = folder / filename
    size = 0
    partial = path.with_name(path.name + ".partial")
    with os.fdopen(open_private(partial), "w", encoding="utf-8", newline="") as fh:
        for chunk in chosen.stream(project):
            fh.write(chunk)
            size += len(chunk)
    partial.replace(path)
    warnings = []
    if requested not in (None, ""):
        warnings.append(f"'output' is ignored: exports are written under {folder} on the server")
    return {
        "status": "success",
        "success": True,
        "format": chosen.name,
        "files_written": [str(path)],
        "stats": {"characters": size},
        "warnings": warnings,
        "errors": [],
    }
