"""The safe fetcher against a real local HTTP server and hostile URLs."""

from __future__ import annotations

import time

import pytest

from potato_like.net.safe_fetch import (
    FetchError,
    FetchPolicy,
    FetchRefused,
    fetch,
    is_public_address,
)

from .fake_server import serve

WAV = b"RIFF" + b"\0" * 100
FILES = {"/a.wav": ("audio/wav", WAV), "/page.html": ("text/html", b"<html></html>")}


@pytest.fixture(scope="module")
def base_url():
    with serve(FILES) as url:
        yield url


def allow(**kw) -> FetchPolicy:
    return FetchPolicy(allow_hosts=("127.0.0.1",), **kw)


def test_loopback_is_refused_unless_allow_listed(base_url):
    with pytest.raises(FetchRefused, match="non-public address"):
        fetch(f"{base_url}/a.wav", FetchPolicy())
    result = fetch(f"{base_url}/a.wav", allow())
    assert result.body == WAV and result.content_type == "audio/wav"


def test_a_name_resolving_to_loopback_is_refused(base_url):
    port = base_url.rsplit(":", 1)[1]
    with pytest.raises(FetchRefused):
        fetch(f"http://localhost:{port}/a.wav", FetchPolicy())


def test_redirect_to_loopback_is_refused_on_the_redirect(base_url):
    port = base_url.rsplit(":", 1)[1]
    # `localhost` is allowed, the redirect target 127.0.0.1 is not: refused at the hop.
    policy = FetchPolicy(allow_hosts=("localhost",))
    assert fetch(f"http://localhost:{port}/a.wav", policy).body == WAV
    with pytest.raises(FetchRefused, match=r"127\.0\.0\.1"):
        fetch(f"http://localhost:{port}/redirect?to={base_url}/a.wav", policy)


def test_redirect_to_file_url_is_refused(base_url):
    with pytest.raises(FetchRefused, match="only http and https"):
        fetch(f"{base_url}/redirect?to=file:///etc/passwd", allow())


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://example.com/",
        "ftp://example.com/a.wav",
        "http://user:pw@example.com/a.wav",
        "http:///nohost",
        "javascript:alert(1)",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/a.wav",
        "http://[::ffff:127.0.0.1]/a.wav",
        "http://0.0.0.0/a.wav",
        "http://10.0.0.1/a.wav",
        "http://2130706433/a.wav",  # 127.0.0.1 as one number
        "http://0x7f.1/a.wav",
    ],
)
def test_hostile_urls_are_refused(url):
    with pytest.raises(FetchError):
        fetch(url, FetchPolicy(timeout=2))


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("224.0.0.1", False),
        ("0.0.0.0", False),  # noqa: S104
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00:ec2::254", False),
        ("::ffff:10.0.0.1", False),
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("not an ip", False),
    ],
)
def test_public_addresses(address, public):
    assert is_public_address(address) is public


def test_huge_body_is_cut_at_the_cap(base_url):
    with pytest.raises(FetchError, match="larger than"):
        fetch(f"{base_url}/huge", allow(max_bytes=1024 * 1024))


def test_slow_body_hits_the_total_time_cap(base_url):
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"too long|failed") as err:
        fetch(f"{base_url}/slow", allow(timeout=1.0))
    assert err.value.status == 504
    assert time.monotonic() - started < 3


def test_wrong_content_type_is_refused(base_url):
    with pytest.raises(FetchError, match="content type") as err:
        fetch(f"{base_url}/page.html", allow())
    assert err.value.status == 415


def test_missing_file_is_a_clear_error(base_url):
    with pytest.raises(FetchError, match="answered 404"):
        fetch(f"{base_url}/nope.wav", allow())
