"""Audio files of a dataset, uploaded through presigned URLs (seed 004):

1. `POST /api/v1/datasets/{id}/audio/upload-url {filename, content_type, size_bytes}` ->
   `{audio_id, upload_url, expires_at}`;
2. the client POSTs (or PUTs) the bytes to `upload_url`: no API key, the URL is the proof
   (HMAC-SHA256 over the audio id and the expiry, with a secret kept in files_dir), it
   expires, and it works once; the bytes are streamed to disk and refused as soon as they
   pass the declared size or their first bytes are not of the declared type;
3. `POST /api/v1/audio/{id}/confirm` reads the file (soundfile) -> duration and sample rate,
   status "ready"; a file that cannot be decoded -> 422.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time

from flask import jsonify, request, url_for
from pydantic import BaseModel, ConfigDict, Field

from ...errors import BadRequest, Conflict, Forbidden, NotFound
from ...secrets_file import read_or_create
from ...service_files import audio_path, remove
from . import bp
from .common import (
    PAGE_QUERY,
    Invalid,
    TooLarge,
    UnsupportedType,
    body,
    idempotent,
    known_uuid,
    owner,
    page_model,
    page_params,
    paginated,
    require_scope,
    service,
)
from .datasets import find_dataset
from .openapi import describe

UPLOAD_URL_SECONDS = 3600
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
CHUNK = 64 * 1024
# Declared types we accept, and how their files begin.
AUDIO_TYPES = {
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/vnd.wave": "wav",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
    "audio/ogg": "ogg",
    "audio/mpeg": "mp3",
}


def looks_like(family: str, head: bytes) -> bool:
    if family == "wav":
        return head[:4] == b"RIFF" and head[8:12] == b"WAVE"
    if family == "flac":
        return head[:4] == b"fLaC"
    if family == "ogg":
        return head[:4] == b"OggS"
    return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


class UploadUrlCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(description=f"one of {', '.join(sorted(AUDIO_TYPES))}")
    size_bytes: int = Field(gt=0, le=MAX_UPLOAD_BYTES)


class UploadUrl(BaseModel):
    audio_id: str
    upload_url: str = Field(description="POST or PUT the bytes here once, before expires_at")
    expires_at: float = Field(description="Unix time")


class AudioOut(BaseModel):
    id: str
    dataset_id: str
    filename: str
    content_type: str
    size_bytes: int
    status: str = Field(description="pending | uploading | uploaded | ready | invalid")
    duration_seconds: float | None
    sample_rate: int | None
    created_at: float


class Uploaded(BaseModel):
    id: str
    status: str
    size_bytes: int


AudioPage = page_model(AudioOut)


def out(row: dict) -> dict:
    return AudioOut.model_validate(row).model_dump()


def signing_key() -> bytes:
    files_dir = service().files_dir
    secret = service().cache(
        "upload_signing_secret", lambda: read_or_create(files_dir / ".upload_signing_secret")
    )
    return secret.encode()


def signature(audio_id: str, expires: int) -> str:
    message = f"{audio_id}:{expires}".encode()
    return hmac.new(signing_key(), message, hashlib.sha256).hexdigest()


def find_audio(audio_id: str) -> dict:
    found = service().store.audio.audio(owner(), known_uuid(audio_id, "audio file"))
    if found is None:
        raise NotFound(f"no audio file {audio_id}")
    return found


@bp.post("/datasets/<dataset_id>/audio/upload-url")
@require_scope("write")
@idempotent
@describe(
    "Get a signed, expiring, single-use URL to upload one audio file to",
    scope="write",
    body=UploadUrlCreate,
    responses={201: UploadUrl},
)
def create_upload_url(dataset_id: str):
    dataset = find_dataset(dataset_id)
    wanted = body(UploadUrlCreate)
    content_type = wanted.content_type.strip().lower()
    if content_type not in AUDIO_TYPES:
        raise Invalid(
            [
                {
                    "loc": ["body", "content_type"],
                    "msg": f"must be one of {', '.join(sorted(AUDIO_TYPES))}",
                    "type": "enum",
                }
            ]
        )
    expires = int(time.time()) + UPLOAD_URL_SECONDS
    filename = os.path.basename(wanted.filename.replace("\\", "/")).strip() or "audio"
    row = service().store.audio.create_audio(
        dataset["id"], filename, content_type, wanted.size_bytes, float(expires)
    )
    url = url_for(
        "api_v1.upload_audio",
        audio_id=row["id"],
        expires=expires,
        signature=signature(row["id"], expires),
        _external=True,
    )
    return jsonify({"audio_id": row["id"], "upload_url": url, "expires_at": float(expires)}), 201


@bp.route("/uploads/<audio_id>", methods=["POST", "PUT"])
@describe(
    "Upload an audio file's bytes (the signed URL from upload-url; no API key)",
    scope="none: the signed URL",
    responses={200: Uploaded},
)
def upload_audio(audio_id: str):
    try:
        expires = int(request.args.get("expires", ""))
    except ValueError:
        raise Forbidden("invalid upload URL") from None
    given = request.args.get("signature", "")
    try:
        audio_id = known_uuid(audio_id, "upload")
    except NotFound:
        raise Forbidden("invalid upload URL") from None
    if not hmac.compare_digest(signature(audio_id, expires), given):
        raise Forbidden("invalid upload URL (bad signature)")
    if time.time() > expires:
        raise Forbidden("this upload URL has expired: ask for a new one")
    store = service().store.audio
    audio = store.audio(None, audio_id)
    if audio is None:
        raise NotFound(f"no audio file {audio_id}")
    if audio["status"] != "pending":
        raise Conflict("this upload URL was already used")
    declared = audio["content_type"]
    if request.mimetype != declared and AUDIO_TYPES.get(request.mimetype) != AUDIO_TYPES[declared]:
        raise UnsupportedType(f"Content-Type must be {declared}, as declared for this upload")
    size = audio["size_bytes"]
    if request.content_length is not None and request.content_length > size:
        raise TooLarge(f"the upload is larger than the declared {size} bytes")
    if not store.move_audio(audio_id, "pending", "uploading"):
        raise Conflict("this upload URL was already used")
    final = audio_path(service().files_dir, audio_id)
    part = final.with_suffix(".part")
    try:
        received = _receive(part, size, AUDIO_TYPES[declared])
    except Exception:
        remove(part)
        store.move_audio(audio_id, "uploading", "pending")  # the URL may be tried again
        raise
    part.replace(final)
    store.move_audio(audio_id, "uploading", "uploaded")
    return jsonify({"id": audio_id, "status": "uploaded", "size_bytes": received})


def _receive(part, size: int, family: str) -> int:
    """Stream the request body to `part`; refuse it past `size` bytes, when its first bytes
    are not of `family`, or when it ends short of `size`."""
    request.max_content_length = size  # past the app-wide JSON cap, up to the declared size
    part.parent.mkdir(parents=True, exist_ok=True)
    received = 0
    head = b""
    stream = request.stream
    with open(part, "wb") as target:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            received += len(chunk)
            if received > size:
                raise TooLarge(f"the upload is larger than the declared {size} bytes")
            if len(head) < 12:
                head += chunk[: 12 - len(head)]
                if len(head) >= 12 and not looks_like(family, head):
                    raise UnsupportedType(f"the bytes are not {family} audio")
            target.write(chunk)
        target.flush()
        os.fsync(target.fileno())
    if received != size:
        raise BadRequest(f"received {received} bytes, {size} were declared")
    if not looks_like(family, head):
        raise UnsupportedType(f"the bytes are not {family} audio")
    return received


@bp.post("/audio/<audio_id>/confirm")
@require_scope("write")
@describe(
    "Confirm an upload: the file is read (duration, sample rate) and becomes ready",
    scope="write",
    responses={200: AudioOut},
)
def confirm_audio(audio_id: str):
    audio = find_audio(audio_id)
    if audio["status"] == "ready":
        return jsonify(out(audio))
    if audio["status"] != "uploaded":
        raise Conflict(f"the audio file is {audio['status']}: upload its bytes first")
    import soundfile

    path = audio_path(service().files_dir, audio["id"])
    try:
        info = soundfile.info(str(path))
        if info.frames <= 0 or info.samplerate <= 0:
            raise RuntimeError("no audio frames")
    except Exception as exc:  # libsndfile's errors vary by format
        service().store.audio.move_audio(audio["id"], "uploaded", "invalid")
        remove(path)
        raise Invalid(
            [{"loc": ["file"], "msg": f"cannot read the audio: {exc}", "type": "audio"}]
        ) from None
    service().store.audio.move_audio(
        audio["id"],
        "uploaded",
        "ready",
        duration_seconds=info.frames / info.samplerate,
        sample_rate=int(info.samplerate),
    )
    return jsonify(out(find_audio(audio["id"])))


@bp.get("/datasets/<dataset_id>/audio")
@require_scope("read")
@describe(
    "List a dataset's audio files", scope="read", responses={200: AudioPage}, query=PAGE_QUERY
)
def list_audio(dataset_id: str):
    dataset = find_dataset(dataset_id)
    page, size = page_params()
    rows, total = service().store.audio.audio_page(dataset["id"], (page - 1) * size, size)
    return paginated([out(r) for r in rows], total, page, size)


@bp.get("/audio/<audio_id>")
@require_scope("read")
@describe("One audio file", scope="read", responses={200: AudioOut})
def get_audio(audio_id: str):
    return jsonify(out(find_audio(audio_id)))


@bp.delete("/audio/<audio_id>")
@require_scope("write")
@describe(
    "Delete an audio file and its draft annotations (409 when a published set uses it)",
    scope="write",
    responses={204: None},
)
def delete_audio(audio_id: str):
    audio = find_audio(audio_id)
    if not service().store.audio.delete_audio(audio["id"]):
        raise Conflict("a published annotation set annotates this audio file")
    path = audio_path(service().files_dir, audio["id"])
    remove(path)
    remove(path.with_suffix(".part"))
    return "", 204
