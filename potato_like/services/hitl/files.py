"""Downloading what seed-001 clients point at (instructions, job files) through the SSRF
guard, with the documented extensions, a size cap, and a check of the bytes themselves."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ...errors import BadRequest
from ...net.safe_fetch import FetchError, FetchPolicy, fetch

if TYPE_CHECKING:
    from ...workspace.workspace import Workspace

MAX_BYTES = 25 * 1024 * 1024
TIMEOUT = 30.0
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# extension -> (content types a server may label it with, magic bytes it must start with)
KINDS = {
    "pdf": (("application/pdf",), b"%PDF-"),
    "docx": ((DOCX, "application/zip"), b"PK\x03\x04"),
    "png": (("image/png",), b"\x89PNG\r\n\x1a\n"),
    "jpg": (("image/jpeg", "image/jpg"), b"\xff\xd8\xff"),
    "jpeg": (("image/jpeg", "image/jpg"), b"\xff\xd8\xff"),
}
INSTRUCTION_KINDS = ("pdf", "docx", "png", "jpg", "jpeg")
JOB_KINDS = ("pdf", "png", "jpg", "jpeg")
MEDIA_TYPES = {"pdf": "application/pdf", "docx": DOCX, "png": "image/png", "jpg": "image/jpeg"}
MEDIA_TYPES["jpeg"] = "image/jpeg"


class Download(BadRequest):
    """The URL could not be used (bad extension, refused address, wrong content): 400."""


def extension(url: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(url, str) or not url.strip():
        raise Download("a file URL must be a non-empty string")
    suffix = PurePosixPath(urlsplit(url.strip()).path).suffix.lower().lstrip(".")
    if suffix not in allowed:
        raise Download(f"{url}: the file extension must be one of {', '.join(allowed)}")
    return suffix


def download(workspace: Workspace, url: str, allowed: tuple[str, ...]) -> tuple[bytes, str]:
    """(the body, its extension) of `url`, or Download saying why not."""
    ext = extension(url, allowed)
    types, magic = KINDS[ext]
    policy = FetchPolicy(
        allow_hosts=tuple(workspace.config.allow_fetch_hosts),
        max_bytes=MAX_BYTES,
        timeout=TIMEOUT,
        accept=(*types, "application/octet-stream", "binary/octet-stream"),
    )
    try:
        got = fetch(url.strip(), policy)
    except FetchError as err:
        raise Download(f"{url}: cannot download it: {err.message}") from None
    if not got.body.startswith(magic):
        raise Download(f"{url}: the file is not a {ext} file")
    return got.body, ext
