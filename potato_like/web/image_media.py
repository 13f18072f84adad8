"""Images of items for the image editor: their size and a downscaled preview.

`GET /api/image/info?src=<item image value>` answers `{width, height, url, preview_url,
verified}`: for a file inside the project, the size read on the server (opencv) and a preview
URL; for a remote URL (never fetched by the server) only `url`, with `verified: false` (the
page reports the size the browser sees). `GET /api/image/preview?src=<path>` serves a JPEG at
most 1600 px on its longer side, made once and cached under the output directory (which is
never served as media). Same guard as project media: logged-in users, no `..`, no symlinks
out, no hidden files; an unreadable image is a 422 naming the problem.

A PDF item is annotated page by page: `/api/image/info?src=<doc.pdf>&page=N` answers the size
of page N rendered (media/pdf.py), `pages` and `url` = `GET /api/pdf/page?src=&page=N`, a PNG
of that page. A too large, corrupt or too slow PDF is a 422 naming the problem. Images above
40 megapixels, or asked for with `viewer=deepzoom`, answer `dzi_url` instead of a preview
(web/image_tiles.py).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, request, send_file
from werkzeug.wrappers import Response

from ..app_path import app_path, site_path
from ..errors import BadRequest, NotFound
from ..media.images import UnreadableImage, preview_file
from ..media.paths import in_media_dir, media_kind, project_root, safe_project_file
from ..media.pdf import BadPdf, page_image, pdf_info
from ..media.tiles import AUTO_TILE_PIXELS, TileError, image_size
from .security import current_project, require_user

bp = Blueprint("image_media", __name__)

PREVIEW_DIR = ".image_previews"
PDF_DIR = ".pdf_pages"


class Unprocessable(BadRequest):
    """The file exists but is not an image that can be decoded."""

    status = 422


def _project_path(src: str) -> str | None:
    """The project-relative path an item's image value names, or None (remote)."""
    src = site_path(src)
    kind = media_kind(src)
    if kind == "project":
        return src
    if kind == "site" and src.startswith("/media/"):
        return src[1:]
    if kind == "remote":
        return None
    raise BadRequest("'src' must be an image path inside the project or an http(s) URL")


def _local(src: str, pdf: bool = False):
    config = current_project().config
    found = safe_project_file(config, in_media_dir(project_root(config), src))
    if found is None or not (
        found[1].startswith("image/") or (pdf and found[1] == "application/pdf")
    ):
        raise NotFound("no such image")
    return found[0]


def _page(default: int = 1) -> int:
    raw = request.args.get("page", str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise BadRequest("'page' must be a page number from 1")
    return int(raw)


def _pdf_cache():
    return current_project().config.output_dir / PDF_DIR


def pdf_page_info(rel: str, path) -> dict:
    """The image info of one page of a PDF: its rendered size, the page image URL and the
    document's page count."""
    page = _page()
    try:
        info = pdf_info(path, _pdf_cache())
    except BadPdf as exc:
        raise Unprocessable(str(exc)) from exc
    if page > info["pages"]:
        raise BadRequest(f"page {page} is outside 1..{info['pages']}")
    width, height = info["sizes"][page - 1]
    page_url = app_path(f"/api/pdf/page?src={quote(rel)}&page={page}")
    return {
        "width": width,
        "height": height,
        "verified": True,
        "url": page_url,
        "preview_url": page_url,
        "page": page,
        "pages": info["pages"],
        "points": info["points"][page - 1],
    }


@bp.get("/api/pdf/page")
def pdf_page() -> Response:
    """One page of a project PDF as a PNG (rendered once, cached)."""
    require_user()
    rel = _project_path((request.args.get("src") or "").strip())
    if rel is None:
        raise BadRequest("only PDFs inside the project are rendered")
    path = _local(rel, pdf=True)
    if not path.suffix.lower() == ".pdf":
        raise BadRequest("'src' must name a PDF")
    page = _page()
    try:
        pages = pdf_info(path, _pdf_cache())["pages"]
        if page > pages:
            raise BadRequest(f"page {page} is outside 1..{pages}")
        target = page_image(path, page, _pdf_cache())
    except BadPdf as exc:
        raise Unprocessable(str(exc)) from exc
    response = send_file(target, mimetype="image/png", conditional=True, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _cache():
    return current_project().config.output_dir / PREVIEW_DIR


@bp.get("/api/image/info")
def image_info() -> dict:
    require_user()
    src = (request.args.get("src") or "").strip()
    if not src:
        raise BadRequest("'src' is required")
    rel = _project_path(src)
    if rel is None:
        return {"url": src, "preview_url": src, "verified": False}
    path = _local(rel, pdf=True)
    if path.suffix.lower() == ".pdf":
        return pdf_page_info(rel, path)
    url = app_path(f"/project_files/{quote(rel)}")
    if request.args.get("viewer") == "deepzoom" or _huge(path):
        # tiles instead of a preview: no request decodes the whole image
        from .image_tiles import tile_settings

        try:
            width, height = image_size(path, tile_settings()["max_pixels"])
        except (TileError, UnreadableImage) as exc:
            raise Unprocessable(str(exc)) from exc
        return {
            "width": width,
            "height": height,
            "verified": True,
            "url": url,
            "dzi_url": app_path(f"/media/tiles/{quote(rel)}.dzi"),
            "tiles": {**tile_settings(), "format": "jpg"},
        }
    try:  # one decode makes the preview and gives the size; both cached
        _preview, (width, height) = preview_file(path, _cache())
    except UnreadableImage as exc:
        raise Unprocessable(str(exc)) from exc
    return {
        "width": width,
        "height": height,
        "verified": True,
        "url": url,
        "preview_url": app_path(f"/api/image/preview?src={quote(rel)}"),
    }


def _huge(path) -> bool:
    from ..media.tiles import header_size

    size = header_size(path)
    return size is not None and size[0] * size[1] > AUTO_TILE_PIXELS


@bp.get("/api/image/preview")
def image_preview() -> Response:
    require_user()
    rel = _project_path((request.args.get("src") or "").strip())
    if rel is None:
        raise BadRequest("previews are made only of images inside the project")
    path = _local(rel)
    if _huge(path):
        raise Unprocessable("the image is too large for a preview; its tiles are served instead")
    try:
        target, _size = preview_file(path, _cache())
    except UnreadableImage as exc:
        raise Unprocessable(str(exc)) from exc
    mimetype = "image/jpeg" if target != path else None  # small: the file as it is
    response = send_file(target, mimetype=mimetype, conditional=True, max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
