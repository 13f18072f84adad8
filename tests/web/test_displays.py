"""The annotation page renders items through `instance_display`, one test per display type,
and stays CSP-clean (no inline style/script/handlers) with every type on the page."""

from __future__ import annotations

import json
import re

import pytest

from potato_like.config import load_config
from potato_like.errors import ConfigError
from tests.conftest import REPO, answer, base_config, current_id, login, radio

from .display_util import annotate_page, assert_csp_clean, display_app, elements, section

ROW = {
    "id": "r1",
    "text": "The main text\n  with two lines.",
    "html": (
        "<p onclick='steal()'>Hi <b>there</b><script>steal()</script>"
        "<img src='pics/a.png' onerror='steal()'><a href='javascript:steal()'>x</a></p>"
    ),
    "img": "pics/a.png",
    "remote_img": "https://pictures.example.org/b.png",
    "bad_img": "javascript:alert(1)",
    "vid": "clips/v.mp4",
    "aud": "https://sounds.example.org/a.mp3",
    "code": "def f(x):\n    return x + 1\n",
    "conv": ["Alice: hello there", "Bob: hi!", "no speaker here"],
    "thread": [
        {"id": "m1", "speaker": "ana", "text": "root"},
        {"id": "m2", "speaker": "ben", "text": "reply", "reply_to": "m1"},
        {"id": "m3", "speaker": "cy", "text": "deeper", "reply_to": "m2"},
    ],
    "pair": {"left": "Answer one", "right": {"image": "pics/b.png"}},
    "gal": [{"url": "pics/a.png", "caption": "first"}, "https://pictures.example.org/c.png"],
}


def fields(*entries):
    """fields(("key", "type"), ("key", "type", {extra keys})) -> an instance_display."""
    out = []
    for key, kind, *extra in entries:
        out.append({"key": key, "type": kind, **(extra[0] if extra else {})})
    return {"fields": out}


@pytest.fixture
def render_page(tmp_path, open_app):
    def render(display, rows=(ROW,), **overrides):
        app = display_app(open_app, tmp_path / "p", list(rows), display, **overrides)
        return annotate_page(app)

    return render


def test_without_instance_display_the_page_shows_text_key_as_before(make_project):
    html = annotate_page(make_project(items=2))
    assert 'data-testid="display-fields"' not in html
    assert re.search(
        r'id="instance-text" data-testid="instance-text" dir="auto"\s*>Text number 1\.</div>', html
    )
    assert "displays.js" not in html and "displays.css" not in html


def test_text_field_is_escaped_with_its_options(render_page):
    row = {**ROW, "text": "<b>not bold</b>"}
    html = render_page(
        fields(("text", "text", {"label": "Doc", "display_options": {"max_height": 300}})),
        rows=[row],
    )
    part = section(html, "text")
    assert '<h3 class="display-label">Doc</h3>' in part
    assert "&lt;b&gt;not bold&lt;/b&gt;" in part and "<b>" not in part
    assert 'data-display-style=\'{"maxHeight": "300px"}\'' in part
    assert "displays.js" in html and "displays.css" in html
    assert 'id="instance-text"' not in html  # no span scheme: no span target


def test_text_collapsible_and_collapsed(render_page):
    html = render_page(
        fields(
            ("text", "text", {"display_options": {"collapsible": True}}),
            (
                "code",
                "text",
                {"display_options": {"collapsed_by_default": True, "preserve_whitespace": False}},
            ),
        )
    )
    assert '<details class="display-collapsible" open>' in section(html, "text")
    part = section(html, "code")
    assert '<details class="display-collapsible">' in part
    assert "normal-wrap" in part


def test_html_field_is_sanitised_and_relative_media_served_from_project(render_page):
    part = section(render_page(fields(("html", "html"))), "html")
    assert "<b>there</b>" in part
    assert '<img src="/project_files/pics/a.png">' in part
    for bad in ("<script", "steal()", "onclick", "onerror", "javascript:"):
        assert bad not in part


def test_image_fields(render_page):
    html = render_page(
        fields(
            ("img", "image", {"display_options": {"max_width": 600, "alt_text": "A cat"}}),
            (
                "remote_img",
                "image",
                {"display_options": {"zoomable": False, "object_fit": "cover"}},
            ),
            ("bad_img", "image"),
        )
    )
    imgs = [a for t, a in elements(html) if t == "img"]
    local, remote = imgs[0], imgs[1]
    assert local["src"] == "/project_files/pics/a.png" and local["alt"] == "A cat"
    assert "zoomable" in local["class"]
    assert json.loads(local["data-display-style"]) == {"maxWidth": "600px"}
    assert remote["src"] == "https://pictures.example.org/b.png"
    assert "zoomable" not in remote["class"]
    assert json.loads(remote["data-display-style"]) == {"objectFit": "cover"}
    bad = section(html, "bad_img")
    assert "<img" not in bad and 'data-testid="display-unavailable"' in bad
    assert "javascript:alert(1)</code>" in bad  # shown as text only


def test_video_and_audio_fields(render_page):
    html = render_page(
        fields(
            (
                "vid",
                "video",
                {"display_options": {"autoplay": True, "loop": True, "max_width": "80%"}},
            ),
            ("aud", "audio", {"display_options": {"loop": True}}),
        )
    )
    video = next(a for t, a in elements(html) if t == "video")
    assert video["src"] == "/project_files/clips/v.mp4"
    for flag in ("controls", "autoplay", "muted", "loop"):
        assert flag in video, flag  # autoplay implies muted
    audio = next(a for t, a in elements(html) if t == "audio")
    assert audio["src"] == "https://sounds.example.org/a.mp3"
    assert "controls" in audio and "loop" in audio and "autoplay" not in audio


def test_media_that_escapes_the_project_is_not_loaded(render_page):
    rows = [{**ROW, "vid": "../outside.mp4", "aud": "//evil.example/a.mp3", "img": "/etc/../x.png"}]
    html = render_page(fields(("vid", "video"), ("aud", "audio"), ("img", "image")), rows=rows)
    tags = {t for t, _ in elements(html)}
    assert "video" not in tags and "audio" not in tags
    assert not any(t == "img" for t, _ in elements(section(html, "img")))
    assert html.count('data-testid="display-unavailable"') == 3


def test_code_field(render_page):
    html = render_page(
        fields(
            (
                "code",
                "code",
                {
                    "display_options": {
                        "language": "python",
                        "highlight_lines": [11],
                        "start_line": 10,
                    }
                },
            )
        )
    )
    part = section(html, "code")
    assert 'data-testid="code-language">python<' in part
    assert '<span class="code-line" data-line="10">def f(x):</span>' in part
    assert '<span class="code-line highlight" data-line="11">    return x + 1</span>' in part
    assert 'class="link display-copy"' in part and "numbered" in part


def test_dialogue_field_with_speakers_and_threads(render_page):
    html = render_page(
        fields(
            ("conv", "dialogue", {"display_options": {"show_turn_numbers": True}}),
            ("thread", "dialogue", {"display_options": {"indent_replies": True}}),
        )
    )
    conv = section(html, "conv")
    assert '<strong class="turn-speaker">Alice</strong>' in conv
    assert '<div class="turn-text">hello there</div>' in conv
    assert '<div class="turn-text">no speaker here</div>' in conv
    assert "#1" in conv and "#3" in conv
    assert "speaker-0" in conv and "speaker-1" in conv
    thread = section(html, "thread")
    assert re.search(r'class="turn depth-0 speaker-0"\s+data-turn="0" data-turn-id="m1"', thread)
    assert re.search(r'class="turn depth-2 speaker-2"\s+data-turn="2" data-turn-id="m3"', thread)


def test_pairwise_field(render_page):
    html = render_page(
        fields(("pair", "pairwise", {"display_options": {"labels": ["First", "Second"]}}))
    )
    part = section(html, "pair")
    assert part.count('class="pairwise-cell"') == 2
    assert '<div class="pairwise-label">First</div>' in part
    assert '<div class="text">Answer one</div>' in part
    assert 'src="/project_files/pics/b.png"' in part
    plain = render_page(fields(("conv", "pairwise")), rows=[{**ROW, "id": "r2"}])
    # three sides: labelled Option 1..3
    assert '<div class="pairwise-label">Option 3</div>' in section(plain, "conv")


def test_gallery_field(render_page):
    html = render_page(
        fields(("gal", "gallery", {"display_options": {"layout": "grid", "columns": 2}}))
    )
    part = section(html, "gal")
    assert "grid columns-2" in part
    srcs = [a["src"] for t, a in elements(part) if t == "img"]
    assert srcs == ["/project_files/pics/a.png", "https://pictures.example.org/c.png"]
    assert "<figcaption>first</figcaption>" in part


def test_missing_field_is_named_not_a_500(render_page):
    html = render_page(fields(("text", "text"), ("nowhere", "image")))
    assert "This item has no “nowhere” field." in section(html, "nowhere")


def test_layout_direction_and_gap(render_page):
    html = render_page(
        {"layout": {"direction": "horizontal", "gap": "2rem"}, **fields(("text", "text"))}
    )
    container = next(a for t, a in elements(html) if a.get("data-testid") == "display-fields")
    assert "horizontal" in container["class"]
    assert json.loads(container["data-display-style"]) == {"gap": "2rem"}


def test_every_type_on_one_page_is_csp_clean(render_page):
    display = fields(
        ("text", "text"),
        ("html", "html"),
        ("img", "image", {"display_options": {"max_width": 300}}),
        ("vid", "video"),
        ("aud", "audio"),
        ("code", "code"),
        ("conv", "dialogue"),
        ("pair", "pairwise", {"display_options": {"cell_width": "40%"}}),
        ("gal", "gallery"),
    )
    html = render_page(display)
    assert_csp_clean(html)
    types = [a["data-display-type"] for _, a in elements(html) if "data-display-type" in a]
    assert types == [
        "text",
        "html",
        "image",
        "video",
        "audio",
        "code",
        "dialogue",
        "pairwise",
        "gallery",
    ]


def test_span_schemes_annotate_the_text_key_field(tmp_path, open_app):
    span = {"annotation_type": "span", "name": "ents", "description": "Mark", "labels": ["PER"]}
    display = fields(("img", "image"), ("text", "text", {"span_target": True}))
    app = display_app(open_app, tmp_path / "p", [ROW], display, annotation_schemes=[span])
    html = annotate_page(app)
    assert html.count('data-testid="instance-text"') == 1
    assert re.search(
        r'id="instance-text" data-testid="instance-text"[^>]*>The main text\n  with',
        section(html, "text"),
    )
    # the span API sees the same text the page shows
    client = app.test_client()
    client.post("/auth", data={"username": "ann", "password": ""})
    response = client.post(
        "/updateinstance",
        json={
            "instance_id": "r1",
            "span_annotations": [{"schema": "ents", "name": "PER", "start": 4, "end": 8}],
        },
    )
    assert response.status_code == 200, response.json


def test_span_schemes_without_a_text_field_keep_the_text_below(tmp_path, open_app):
    span = {"annotation_type": "span", "name": "ents", "description": "Mark", "labels": ["PER"]}
    app = display_app(
        open_app,
        tmp_path / "p",
        [ROW],
        fields(("img", "image")),
        annotation_schemes=[span, radio("s", ["a", "b"])],
    )
    html = annotate_page(app)
    assert html.count('data-testid="instance-text"') == 1
    assert html.index('data-testid="display-fields"') < html.index('data-testid="instance-text"')


def test_an_attention_check_is_rendered_through_the_display(tmp_path, open_app):
    project = tmp_path / "p"
    project.mkdir()
    checks = [{"id": "ac1", "text": "Pick positive", "expected_answer": {"sentiment": "positive"}}]
    (project / "checks.json").write_text(json.dumps(checks))
    display = fields(("text", "text"), ("img", "image"))
    rows = [ROW, {**ROW, "id": "r2"}, {**ROW, "id": "r3"}]
    app = display_app(
        open_app,
        project,
        rows,
        display,
        attention_checks={"enabled": True, "items_file": "checks.json", "frequency": 1},
    )
    client = login(app.test_client(), "ann")
    answer(client, current_id(client), **{"sentiment:positive": "1"})
    client.post("/go_to", json={"action": "next_instance"})
    html = client.get("/annotate").get_data(as_text=True)
    assert 'data-check="1"' in html
    assert "Pick positive</div>" in section(html, "text")
    # the check has no image field: shown as missing, not a 500
    assert 'data-testid="display-missing"' in section(html, "img")


def test_audio_controls_are_hidden_only_when_it_plays_by_itself(render_page):
    html = render_page(
        fields(
            ("aud", "audio", {"display_options": {"controls": False}}),
            ("vid", "audio", {"display_options": {"controls": False, "autoplay": True}}),
        )
    )
    first, second = (a for t, a in elements(html) if t == "audio")
    assert "controls" in first  # otherwise it could never be played
    assert "controls" not in second and "autoplay" in second


def test_spreadsheet_field(render_page):
    rows = [
        {
            **ROW,
            "t1": [{"name": "<x>", "score": 1}, {"name": "y", "extra": True}],
            "t2": {"headers": ["a", "b"], "rows": [[1, 2], [3, 4]]},
            "t3": [[1, 2], [3]],
        }
    ]
    html = render_page(
        fields(
            (
                "t1",
                "spreadsheet",
                {"display_options": {"compact": True, "border_style": "bordered"}},
            ),
            ("t2", "spreadsheet", {"display_options": {"show_headers": False}}),
            ("t3", "spreadsheet"),
        ),
        rows=rows,
    )
    t1 = section(html, "t1")
    assert '<th scope="col">name</th><th scope="col">score</th><th scope="col">extra</th>' in t1
    assert "<td>&lt;x&gt;</td><td>1</td><td></td>" in t1
    assert "<td>y</td><td></td><td>true</td>" in t1
    assert "compact" in t1 and "border-bordered" in t1
    t2 = section(html, "t2")
    assert "<th" not in t2 and "<td>3</td><td>4</td>" in t2
    assert "<td>3</td></tr>" in section(html, "t3")


def test_document_field_renders_markdown_or_html_sanitised(render_page):
    rows = [
        {
            **ROW,
            "md": "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>steal()</script>",
            "h": "<h2 onclick='steal()'>Head</h2><p>Body <a href='javascript:steal()'>x</a></p>",
        }
    ]
    html = render_page(
        fields(
            ("md", "document"), ("h", "document", {"display_options": {"style_theme": "print"}})
        ),
        rows=rows,
    )
    md = section(html, "md")
    assert "<h1>Title</h1>" in md and "<td>1</td>" in md and "steal" not in md
    h = section(html, "h")
    assert "<h2>Head</h2>" in h and "theme-print" in h
    assert "steal" not in h and "javascript:" not in h


def test_pdf_field_frames_project_pdfs_and_links_remote_ones(render_page):
    rows = [
        {**ROW, "p1": "docs/paper.pdf", "p2": "https://papers.example.org/a.pdf", "p3": "../x.pdf"}
    ]
    html = render_page(
        fields(
            ("p1", "pdf", {"display_options": {"initial_page": 3}}),
            ("p2", "pdf"),
            ("p3", "pdf"),
        ),
        rows=rows,
    )
    frame = next(a for t, a in elements(section(html, "p1")) if t == "iframe")
    assert frame["src"] == "/project_files/docs/paper.pdf#page=3"
    p2 = section(html, "p2")
    assert "<iframe" not in p2 and 'href="https://papers.example.org/a.pdf"' in p2
    assert "<iframe" not in section(html, "p3")
    assert 'data-testid="display-unavailable"' in section(html, "p3")


def test_a_long_spreadsheet_is_cut_with_a_note(tmp_path, open_app):
    rows = [{**ROW, "big": [[i] for i in range(2001)]}]
    display = fields(("big", "spreadsheet", {"display_options": {"custom_css": "color: red"}}))
    app = display_app(open_app, tmp_path / "p", rows, display)
    warnings = app.extensions["potato_like"].config.warnings
    assert any("display_options.custom_css: accepted but not implemented" in w for w in warnings)
    part = section(annotate_page(app), "big")
    assert part.count("<tr") == 2000
    assert "1 more row not shown." in part
    assert "color: red" not in part


def test_the_example_project_shows_its_fields_and_serves_its_media(example_project):
    app = example_project(REPO / "example_projects" / "item_displays")
    client = login(app.test_client(), "ann")
    html = client.get("/annotate").get_data(as_text=True)
    assert_csp_clean(html)
    types = [a["data-display-type"] for _, a in elements(html) if "data-display-type" in a]
    assert types == ["text", "image", "audio", "dialogue", "pairwise", "spreadsheet", "code"]
    assert html.count('data-testid="instance-text"') == 1  # the review text hosts the spans
    sources = [a["src"] for t, a in elements(html) if t in ("img", "audio")]
    assert sources and all(src.startswith("/project_files/media/") for src in sources)
    for src in sources:
        response = client.get(src)
        assert response.status_code == 200, src
        assert response.headers["Content-Type"] in ("image/png", "audio/wav")


TREE = {
    "id": "root",
    "speaker": "User",
    "text": "Which is better?",
    "children": [
        {
            "id": "a",
            "speaker": "Bot A",
            "text": "This one.",
            "children": [
                {
                    "id": "a1",
                    "speaker": "User",
                    "text": "Why?",
                    "children": [
                        {"id": "a2", "speaker": "Bot A", "text": "Because.", "children": []},
                    ],
                },
            ],
        },
        {"id": "b", "speaker": "Bot B", "text": "<i>That</i> one.", "children": []},
    ],
}


def test_conversation_tree_field(render_page):
    rows = [{**ROW, "tree": TREE}]
    html = render_page(
        fields(
            (
                "tree",
                "conversation_tree",
                {"display_options": {"show_node_ids": True, "max_depth": 2}},
            )
        ),
        rows=rows,
    )
    part = section(html, "tree")
    assert '<strong class="turn-speaker">Bot B</strong>' in part
    assert "&lt;i&gt;That&lt;/i&gt; one." in part
    assert '<code class="tree-id">a1</code>' in part
    assert "Because." not in part and "1 deeper reply not shown." in part
    # collapsed_depth 2 (default): nodes at depth 0 and 1 show, depth 2 (a1) starts closed
    assert part.count('<details class="tree-branches" open>') == 1  # the root's replies
    assert part.count('<details class="tree-branches">') == 1  # a's reply a1


def test_multi_agent_discussion_field(render_page):
    turns = [
        {"speaker": "Planner", "agent_id": "planner", "text": "Plan.", "turn_id": "t1"},
        {
            "speaker": "Critic",
            "text": "Flawed.",
            "addressee": "planner",
            "turn_id": "t2",
            "reply_to": "t1",
        },
        {"speaker": "Env", "role": "environment", "text": "tool output", "turn_id": "t3"},
        "Planner: Revised.",
    ]
    rows = [{**ROW, "talk": turns}]
    html = render_page(
        fields(
            ("talk", "multi_agent_discussion", {"display_options": {"collapse_environment": True}})
        ),
        rows=rows,
    )
    part = section(html, "talk")
    chips = [a["data-agent"] for t, a in elements(part) if t == "button"]
    assert chips == ["planner", "Critic", "Env", "Planner"]
    assert '<span class="turn-addressee">→ planner</span>' in part
    assert re.search(r'class="turn depth-1 speaker-1" data-turn="1" data-agent="Critic"', part)
    assert '<details><summary>Show</summary><div class="turn-text">tool output</div>' in part
    assert_csp_clean(html)


def test_audio_dialogue_field(render_page):
    conversation = {
        "audio": "media/talk.wav",
        "turns": [
            {"speaker": "host", "start": 0, "end": 6.5, "text": "Welcome."},
            {"speaker": "guest", "start": 6.5, "end": 72, "text": "Thanks <b>all</b>."},
            {"speaker": "caller", "text": "No times."},
        ],
    }
    rows = [{**ROW, "talk": conversation, "file": {"audio": "a.wav", "turns": "t.srt"}}]
    speakers = [
        {"id": "host", "name": "Host", "color": "#7c3aed", "side": "left"},
        {"id": "guest", "name": "Guest", "side": "right"},
    ]
    html = render_page(
        fields(
            ("talk", "audio_dialogue", {"display_options": {"speakers": speakers}}),
            ("file", "audio_dialogue", {"display_options": {"playback_rates": [1]}}),
        ),
        rows=rows,
    )
    part = section(html, "talk")
    audio = next(a for t, a in elements(part) if t == "audio")
    assert audio["src"] == "/project_files/media/talk.wav"
    turns = [a for t, a in elements(part) if t == "li"]
    assert [t.get("data-start") for t in turns] == ["0.000", "6.500", None]
    assert [t.get("data-end") for t in turns] == ["6.500", "72.000", None]
    assert "side-left" in turns[0]["class"] and "side-right" in turns[1]["class"]
    assert json.loads(turns[0]["data-display-style"]) == {"--speaker": "#7c3aed"}
    assert '<strong class="turn-speaker">Host</strong>' in part
    assert '<time class="turn-time">0:06\u20131:12</time>' in part
    assert "Thanks &lt;b&gt;all&lt;/b&gt;." in part
    assert part.count('class="ad-play link"') == 2  # the turn without times has no button
    assert '<option value="1.25">' in part
    other = section(html, "file")
    assert "reading transcript files is not available yet" in other
    assert "ad-rate-select" not in other
    assert_csp_clean(html)


def test_audio_dialogue_roster_is_validated(tmp_path):
    (tmp_path / "data.jsonl").write_text('{"id": "1", "text": "t"}\n')
    display = fields(
        (
            "c",
            "audio_dialogue",
            {"display_options": {"speakers": [{"id": "a", "color": "red; x"}, {"name": "no id"}]}},
        )
    )
    with pytest.raises(ConfigError) as err:
        load_config(base_config(instance_display=display), config_dir=tmp_path)
    text = "\n".join(err.value.problems)
    assert "display_options.speakers[0].color: must be a colour like '#7c3aed'" in text
    assert "display_options.speakers[1]: must be a mapping with an id" in text
