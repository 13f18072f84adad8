"""Export jobs: a project's annotations in one of the exporter registry's formats
(potato_like/export), written to a file under the service's files_dir for download."""

from __future__ import annotations

import os

from ..export.registry import exporter
from ..service_files import export_dir
from .registry import JobFailed, kind

PROGRESS_EVERY = 1000  # chunks between progress reports (each renews the lease)


@kind("export")
def export(service, job, ctx) -> dict:
    slug, name = job.params["project"], job.params["format"]
    project = service.projects().get(slug)
    if project is None and slug in getattr(service, "slugs_on_disk", list)():
        service.start(slug)  # a workspace project created after this worker started
        project = service.projects().get(slug)
    if project is None:
        raise JobFailed(f"project {slug} is gone")
    chosen = exporter(name)
    if chosen is None:
        raise JobFailed(f"unknown export format {name}")
    folder = export_dir(service.files_dir, job.id)
    folder.mkdir(parents=True, exist_ok=True)
    filename = f"{slug}-{name}.{chosen.extension or 'txt'}"
    tmp = folder / f".{filename}.tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        for count, chunk in enumerate(chosen.stream(project), 1):
            out.write(chunk)
            if count % PROGRESS_EVERY == 0:
                ctx.progress(0.5)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(folder / filename)
    return {
        "project": slug,
        "format": name,
        "filename": filename,
        "mimetype": chosen.mimetype,
        "size_bytes": (folder / filename).stat().st_size,
    }
