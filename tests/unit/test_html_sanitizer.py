"""The one HTML sanitiser: what item HTML and instructions keep and what they lose."""

from __future__ import annotations

import pytest

from potato_like.config.validate import sanitize_html
from potato_like.html_sanitizer import clean_html


def project_url(path: str) -> str:
    return f"/project_files/{path}"


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "<a href='JaVaScRiPt:alert(1)'>x</a>",
        "<a href='data:text/html,<script>alert(1)</script>'>x</a>",
        "<svg><script>alert(1)</script></svg>",
        "<iframe src='https://evil.example'></iframe>",
        "<p style='background:url(javascript:alert(1))' onclick='alert(1)'>x</p>",
        "<video src=a.mp4 onloadstart=alert(1)></video>",
        "<style>body{display:none}</style>",
        "<form action='https://evil.example'><input name=p></form>",
        "<object data='x.swf'></object>",
        "<body onload=alert(1)>",
        "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
    ],
)
def test_hostile_html_loses_scripts_handlers_and_javascript_urls(hostile):
    cleaned = clean_html(hostile, project_file_url=project_url).lower()
    for bad in ("<script", "alert(1)", "javascript:", "onerror", "onclick", "onload", "<iframe"):
        assert bad not in cleaned, (hostile, cleaned)
    for bad in ("style=", "<style", "<form", "<object", "data:text"):
        assert bad not in cleaned, (hostile, cleaned)


def test_media_tables_lists_and_links_are_kept():
    html = (
        "<h2>T</h2><ul><li>a</li></ul><ol><li>b</li></ol>"
        "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>c</td></tr></tbody></table>"
        "<img src='https://ex.org/a.png' alt='A'>"
        "<video controls poster='https://ex.org/p.png'><source src='https://ex.org/v.mp4' "
        "type='video/mp4'><track src='https://ex.org/s.vtt' kind='captions'></video>"
        "<audio controls src='https://ex.org/a.mp3'></audio>"
        "<a href='https://ex.org/page' target='_blank'>link</a>"
    )
    cleaned = clean_html(html, project_file_url=project_url)
    for kept in (
        "<h2>T</h2>",
        "<ul><li>a</li></ul>",
        "<ol><li>b</li></ol>",
        "<th>h</th>",
        '<img src="https://ex.org/a.png" alt="A">',
        'poster="https://ex.org/p.png"',
        '<source src="https://ex.org/v.mp4" type="video/mp4">',
        '<track src="https://ex.org/s.vtt" kind="captions">',
        '<audio controls="" src="https://ex.org/a.mp3"></audio>',
    ):
        assert kept in cleaned, (kept, cleaned)
    assert '<a href="https://ex.org/page" rel="noopener noreferrer">link</a>' in cleaned


def test_relative_media_paths_go_to_the_project_route_and_escapes_are_dropped():
    html = (
        "<img src='img/cat.png'><video src='clips/a.mp4' poster='img/p.png'></video>"
        "<img src='../secret.png'><img src='/media/site.png'><img src='.hidden/x.png'>"
        "<img src='C:\\\\x.png'><img src='//evil.example/x.png'>"
    )
    cleaned = clean_html(html, project_file_url=project_url)
    assert '<img src="/project_files/img/cat.png">' in cleaned
    assert 'src="/project_files/clips/a.mp4"' in cleaned
    assert 'poster="/project_files/img/p.png"' in cleaned
    assert '<img src="/media/site.png">' in cleaned  # a path on this site stays
    assert "secret" not in cleaned
    assert ".hidden" not in cleaned
    assert "evil.example" not in cleaned
    assert "C:" not in cleaned


def test_instructions_use_the_same_sanitiser():
    html = "<p onclick=x>Read <a href='https://ex.org'>this</a><script>x()</script></p>"
    assert sanitize_html(html) == clean_html(html)
    assert sanitize_html(html) == (
        '<p>Read <a href="https://ex.org" rel="noopener noreferrer">this</a></p>'
    )
