"""`media:` settings: what the server may fetch itself (audio proxy, waveforms and video
metadata of remote files) and the caps on it. Read into `ProjectConfig.media`."""

from __future__ import annotations

from dataclasses import dataclass

from .reader import ConfigReader

MEDIA_KEYS = ("allow_fetch_hosts", "fetch_max_bytes", "fetch_timeout")


@dataclass(frozen=True)
class MediaSettings:
    # Host names whose addresses are not checked (a media server on the local network);
    # empty: only public addresses are fetched.
    allow_fetch_hosts: tuple[str, ...] = ()
    fetch_max_bytes: int = 200 * 1024 * 1024
    fetch_timeout: float = 30.0  # seconds for a whole fetch, redirects included


def read_media(r: ConfigReader) -> MediaSettings:
    media = r.child("media")
    media.warn_unknown(MEDIA_KEYS)
    d = MediaSettings()
    hosts = tuple(h.strip().lower() for h in media.string_list("allow_fetch_hosts") if h.strip())
    return MediaSettings(
        allow_fetch_hosts=hosts,
        fetch_max_bytes=media.number(
            "fetch_max_bytes", d.fetch_max_bytes, integer=True, minimum=1024
        ),
        fetch_timeout=float(
            media.number("fetch_timeout", d.fetch_timeout, minimum=0.5, maximum=3600)
        ),
    )
