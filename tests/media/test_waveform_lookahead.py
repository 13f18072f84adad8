"""Waveform look-ahead: opening an item computes the next items' waveforms in the background
(only project audio files; a corrupt one is skipped), so the next page's generate call finds
them cached."""

from __future__ import annotations

import json

from potato_like.media.waveform import cache_dir, content_key
from tests.conftest import base_config, login, write_config

from .make_media import write_wav


def test_next_items_waveforms_are_computed_after_a_page(tmp_path, open_app):
    root = tmp_path / "proj"
    (root / "audio").mkdir(parents=True)
    rows = []
    for i in range(5):
        write_wav(root / "audio" / f"{i}.wav", seconds=0.5 + i * 0.1, freq=300 + 50 * i)
        rows.append({"id": f"a{i}", "text": f"audio/{i}.wav"})
    (root / "audio" / "2.wav").write_bytes(b"RIFF junk")  # corrupt: skipped, not fatal
    rows.append({"id": "remote", "text": "https://example.org/x.wav"})
    (root / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    schemes = [{"annotation_type": "audio_annotation", "name": "seg", "description": "d",
                "labels": ["speech", "noise"]}]  # fmt: skip
    app = open_app(
        write_config(
            root, base_config(annotation_schemes=schemes, assignment_strategy="fixed_order")
        )
    )
    project = app.extensions["potato_like"]
    directory = cache_dir(project.config.output_dir)
    c = login(app.test_client(), "ann")
    assert c.get("/annotate").status_code == 200  # item a0: a1, a2, a3 are looked ahead
    lookahead = project.cache("waveform_lookahead", dict)
    lookahead.join(timeout=30)
    cached = {p.stem for p in directory.glob("*.json")}
    assert content_key(root / "audio" / "1.wav") in cached
    assert content_key(root / "audio" / "3.wav") in cached
    assert content_key(root / "audio" / "0.wav") not in cached  # the page's own: asked by the page
    assert content_key(root / "audio" / "4.wav") not in cached  # beyond the look-ahead
    assert (lookahead.computed, lookahead.failed) == (2, 1)
    r = c.post("/api/waveform/generate", json={"audio_url": "audio/1.wav"})
    assert r.status_code == 200 and r.json["cache_key"] == content_key(root / "audio" / "1.wav")
