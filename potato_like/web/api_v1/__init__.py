"""The management API, `/api/v1` (seed 004's conventions): JSON bodies validated by pydantic
models, UUID ids, an API key in `X-API-Key` (or Bearer / `api_key` / Basic), errors as
`{"detail": ...}` (422 lists the invalid fields), lists paginated with `page` and `page_size`
into `{items, total, page, page_size, has_more}`. One module per resource; each registers
its routes on `bp`."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")

from . import (  # noqa: E402,F401  (register their routes)
    annotation_sets,
    api_keys,
    audio,
    audio_jobs,
    datasets,
    exports,
    openapi,
    project_links,
)
