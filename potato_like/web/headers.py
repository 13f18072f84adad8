"""Security headers on every response (pages, JSON, static files, errors).

The Content-Security-Policy allows scripts, styles and connections to this site only: the
templates have no inline script, no inline event handler and no `style=` attribute (data goes
to the page in `data-*` attributes or a `<script type="application/json">` block, which is
never executed; colours and sizes set from data use the CSSOM, which CSP does not govern).
Images, audio and video may also come from https (instructions and items may show remote
media); a scheme may add the origins its configuration names (`Scheme.content_origins`: a
map's tile server, which may be plain http on a local network).

Framing is refused (`frame-ancestors 'none'` and `X-Frame-Options: DENY`) except in projects
whose workers come from MTurk, which shows the task in an iframe on its own site: then the
MTurk sites (and configured `submit_hosts`) may frame it, and X-Frame-Options is left out
(it cannot name an allowed site; browsers that know `frame-ancestors` ignore it anyway).
"""

from __future__ import annotations

from flask import Flask, Response

from ..config.model import ProjectConfig

# Every MTurk site a worker may see the HIT on (worker., www., workersandbox.).
MTURK_FRAMERS = ("https://*.mturk.com",)


def embedding_origins(config: ProjectConfig) -> tuple[str, ...]:
    """Sites that may show the task in an iframe (and receive its forms): none, or MTurk's
    (and the configured `submit_hosts`) when workers may come from MTurk."""
    crowd = config.crowd
    if crowd is None or crowd.provider not in ("mturk", "url_direct"):
        return ()
    extra = [h for h in crowd.submit_hosts if not h.endswith(".mturk.com")]
    return (*MTURK_FRAMERS, *extra)


def scheme_origins(config: ProjectConfig) -> dict[str, list[str]]:
    """Origins the configured schemes load from (a map's tile server in img-src), by
    directive: only what the project's configuration names, never anything an item says."""
    out: dict[str, list[str]] = {}
    for scheme in config.schemes:
        for directive, origins in scheme.content_origins().items():
            known = out.setdefault(directive, [])
            known.extend(o for o in origins if o not in known)
    return out


def content_security_policy(config: ProjectConfig) -> str:
    embedders = embedding_origins(config)
    extra = scheme_origins(config)
    framers = " ".join(("'self'", *embedders)) if embedders else "'none'"
    directives = (
        ("default-src", "'self'"),
        ("script-src", "'self'"),
        ("style-src", "'self'"),
        ("img-src", "'self' data: https:"),
        # Items may show audio and video from https URLs (instance_display).
        ("media-src", "'self' https:"),
        ("connect-src", "'self'"),
        ("object-src", "'none'"),
        ("base-uri", "'none'"),
        # MTurk's externalSubmit form is posted to the platform.
        ("form-action", " ".join(("'self'", *embedders))),
        ("frame-ancestors", framers),
    )
    return "; ".join(
        f"{name} {' '.join((value, *extra.get(name, ())))}" for name, value in directives
    )


def security_headers(config: ProjectConfig) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(config),
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
    }
    if not embedding_origins(config):
        headers["X-Frame-Options"] = "DENY"
    return headers


def install(app: Flask, config: ProjectConfig) -> None:
    headers = security_headers(config)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
