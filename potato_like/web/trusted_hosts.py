"""`trusted_hosts`: requests whose Host header names another site get a 400.

A page on another site can make a browser send requests to this server under that site's
name (DNS rebinding); refusing unknown Host values stops it. Empty (the default): any Host.
With `behind_proxy`, the host checked is the one the proxy forwarded (X-Forwarded-Host).
Checked in a before_request hook rather than with Flask's TRUSTED_HOSTS, which fails before
URLs can be built, so the refusal could not be shown as the usual error page.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.sansio.utils import host_is_trusted

from ..config.model import ProjectConfig


class UntrustedHost(BadRequest):
    pass


def install(app: Flask, config: ProjectConfig) -> None:
    trusted = list(config.trusted_hosts)
    if not trusted:
        return

    @app.before_request
    def refuse_untrusted_host():
        if not host_is_trusted(request.host.lower(), trusted):  # names ignore case
            raise UntrustedHost(
                f"this server does not answer to the host name {request.host!r}"
                if request.host
                else "the request has no valid Host header"
            )
