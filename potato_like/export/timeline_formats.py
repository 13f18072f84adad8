"""Exports of time-based annotations (audio/video segments, tiers, transcripts): ELAN EAF,
Praat TextGrid, WebVTT and SRT; and object tracks as MOTChallenge CSV.

A scheme takes part when it offers `timeline_tiers(label_map)` (named lists of
`(start, end, text)` in seconds) or `tracks(label_map)`; nothing here names a type. Each
(item, annotator) is one document; a project export holds all of them in one file:

- EAF and TextGrid: one tier per (item, annotator, scheme tier), named
  `item_id/annotator/tier` (TextGrid: overlapping intervals of one tier go to extra tiers
  `.../tier#2`, since a TextGrid tier cannot overlap). Times are relative to each item's media.
- WebVTT: a `NOTE` naming item and annotator before each document's cues; cue identifiers
  `item_id/annotator/tier/n`.
- SRT: cues numbered through the file; the text starts with `[item_id/annotator/tier]`.
- MOT: `frame,id,left,top,width,height,conf,class,visibility,-1`, frames counted from 1,
  one integer id per (item, annotator, track) in order of appearance.

Two passes over the store where the format needs totals first (EAF's time slots, TextGrid's
header): memory stays constant.
"""

from __future__ import annotations

import datetime
import mimetypes
import re
from collections.abc import Iterator
from xml.sax.saxutils import escape, quoteattr

from .registry import Exporter, register

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _documents(project) -> Iterator[tuple[str, str, str, list[tuple[str, list[tuple]]]]]:
    """(item id, annotator, media, [(tier name, [(start, end, text)])]) per annotated pair."""
    schemes = [s for s in project.config.schemes if hasattr(s, "timeline_tiers")]
    if not schemes:
        return
    for row in project.store.annotations.iter_annotated():
        tiers = item_tiers(schemes, row.label_maps)
        if tiers:
            yield row.item_id, row.user, row.text, tiers


def item_tiers(schemes, label_maps) -> list[tuple[str, list[tuple]]]:
    """[(tier name, intervals)] of one annotator's answers to one item."""
    tiers = []
    for scheme in schemes:
        value = label_maps.get(scheme.name)
        if value:
            tiers.extend((name, ivs) for name, ivs in scheme.timeline_tiers(value).items() if ivs)
    return tiers


def eaf_of_item(project, item_id: str, user: str, media: str, label_maps) -> str:
    """One ELAN document of one annotator's answers to one item (the per-item download)."""
    schemes = [s for s in project.config.schemes if hasattr(s, "timeline_tiers")]
    tiers = item_tiers(schemes, label_maps)
    return "".join(eaf_lines(lambda: iter([(item_id, user, media, tiers)] if tiers else [])))


def _clean(text: object) -> str:
    return " ".join(str(text or "").split())


def _xml(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", text)


def _media_like(value: str) -> bool:
    return bool(value) and len(value) < 2000 and not any(c.isspace() for c in value)


def _slot(n: int, t: float) -> str:
    return f'    <TIME_SLOT TIME_SLOT_ID="ts{n}" TIME_VALUE="{_ms(t)}"/>\n'


def _ms(t: float) -> int:
    return round(t * 1000)


@register
class Eaf(Exporter):
    name = "eaf"
    description = (
        "ELAN EAF 3.0: one time-aligned tier per (item, annotator, tier) named "
        "item/annotator/tier, times in milliseconds"
    )
    extension = "eaf"
    mimetype = "application/xml"

    def stream(self, project):
        return eaf_lines(lambda: _documents(project))


def eaf_lines(documents) -> Iterator[str]:
    """EAF 3.0 text of `documents()` (called once per pass: the writer streams three passes)."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        f'<ANNOTATION_DOCUMENT AUTHOR="potato_like" DATE="{now}" FORMAT="3.0" VERSION="3.0" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">\n'
        '  <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">\n'
    )
    seen_media = set()
    for _item, _user, media, _tiers in documents():
        media = (media or "").strip()
        if _media_like(media) and media not in seen_media and len(seen_media) < 1000:
            seen_media.add(media)
            kind = mimetypes.guess_type(media)[0] or "unknown"
            yield (
                f"    <MEDIA_DESCRIPTOR MEDIA_URL={quoteattr(_xml(media))} "
                f"MIME_TYPE={quoteattr(kind)}/>\n"
            )
    yield "  </HEADER>\n  <TIME_ORDER>\n"
    slot = 0
    for _item, _user, _media, tiers in documents():
        for _name, intervals in tiers:
            for start, end, _text in intervals:
                yield _slot(slot + 1, start) + _slot(slot + 2, end)
                slot += 2
    yield "  </TIME_ORDER>\n"
    slot = 0
    annotation = 0
    for item, user, _media, tiers in documents():
        for name, intervals in tiers:
            tier_id = quoteattr(_xml(_clean(f"{item}/{user}/{name}")))
            yield f'  <TIER LINGUISTIC_TYPE_REF="default-lt" TIER_ID={tier_id}>\n'
            for _start, _end, text in intervals:
                annotation += 1
                yield (
                    f'    <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a{annotation}" '
                    f'TIME_SLOT_REF1="ts{slot + 1}" TIME_SLOT_REF2="ts{slot + 2}">'
                    f"<ANNOTATION_VALUE>{escape(_xml(str(text or '')))}</ANNOTATION_VALUE>"
                    "</ALIGNABLE_ANNOTATION></ANNOTATION>\n"
                )
                slot += 2
            yield "  </TIER>\n"
    yield (
        '  <LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="default-lt" '
        'TIME_ALIGNABLE="true"/>\n'
        "</ANNOTATION_DOCUMENT>\n"
    )


def _layers(intervals: list[tuple]) -> list[list[tuple]]:
    """Intervals split into layers without overlaps (first fit, by start time)."""
    layers: list[list[tuple]] = []
    for iv in sorted(intervals, key=lambda x: (x[0], x[1])):
        for layer in layers:
            if layer[-1][1] <= iv[0]:
                layer.append(iv)
                break
        else:
            layers.append([iv])
    return layers


def _textgrid_tiers(project):
    for item, user, _media, tiers in _documents(project):
        for name, intervals in tiers:
            for k, layer in enumerate(_layers(intervals)):
                suffix = f"#{k + 1}" if k else ""
                yield f"{item}/{user}/{name}{suffix}", layer


def _tg_text(text: object) -> str:
    return '"' + str(text or "").replace('"', '""') + '"'


@register
class TextGrid(Exporter):
    name = "textgrid"
    description = (
        "Praat TextGrid (long format): one interval tier per (item, annotator, tier); "
        "overlapping intervals go to extra tiers; gaps are empty intervals"
    )
    extension = "TextGrid"
    mimetype = "text/plain"

    def stream(self, project):
        count = 0
        xmax = 0.0
        for _name, layer in _textgrid_tiers(project):
            count += 1
            xmax = max(xmax, max(iv[1] for iv in layer))
        xmax = xmax or 1.0
        yield 'File type = "ooTextFile"\nObject class = "TextGrid"\n\n'
        yield f"xmin = 0\nxmax = {xmax}\ntiers? <exists>\nsize = {count}\nitem []:\n"
        for n, (name, layer) in enumerate(_textgrid_tiers(project), start=1):
            cells = []
            at = 0.0
            for start, end, text in layer:
                if start > at:
                    cells.append((at, start, ""))
                cells.append((start, end, text))
                at = end
            if at < xmax:
                cells.append((at, xmax, ""))
            lines = [
                f"    item [{n}]:",
                '        class = "IntervalTier"',
                f"        name = {_tg_text(_clean(name))}",
                "        xmin = 0",
                f"        xmax = {xmax}",
                f"        intervals: size = {len(cells)}",
            ]
            for i, (start, end, text) in enumerate(cells, start=1):
                lines += [
                    f"        intervals [{i}]:",
                    f"            xmin = {start}",
                    f"            xmax = {end}",
                    f"            text = {_tg_text(text)}",
                ]
            yield "\n".join(lines) + "\n"


def _stamp(t: float, sep: str) -> str:
    ms = _ms(t)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _cue_text(text: object) -> str:
    # A blank line ends a cue, and "-->" would read as a timing line.
    lines = [ln for ln in str(text or "").splitlines() if ln.strip()] or [""]
    return "\n".join(ln.replace("-->", "->") for ln in lines)


@register
class WebVtt(Exporter):
    name = "vtt"
    description = "WebVTT: a NOTE per (item, annotator), then its cues in time order"
    extension = "vtt"
    mimetype = "text/vtt"

    def stream(self, project):
        yield "WEBVTT\n\n"
        for item, user, _media, tiers in _documents(project):
            yield f"NOTE item={_clean(item)} annotator={_clean(user)}\n\n"
            cues = sorted(
                (start, end, name, i, text)
                for name, intervals in tiers
                for i, (start, end, text) in enumerate(intervals, start=1)
            )
            for start, end, name, i, text in cues:
                ident = _clean(f"{item}/{user}/{name}/{i}").replace("-->", "->")
                yield (
                    f"{ident}\n{_stamp(start, '.')} --> {_stamp(end, '.')}\n{_cue_text(text)}\n\n"
                )


@register
class Srt(Exporter):
    name = "srt"
    description = "SubRip SRT: cues numbered through the file, text prefixed [item/annotator/tier]"
    extension = "srt"
    mimetype = "application/x-subrip"

    def stream(self, project):
        n = 0
        for item, user, _media, tiers in _documents(project):
            cues = sorted(
                (start, end, name, text)
                for name, intervals in tiers
                for start, end, text in intervals
            )
            for start, end, name, text in cues:
                n += 1
                prefix = f"[{_clean(item)}/{_clean(user)}/{_clean(name)}] "
                yield (
                    f"{n}\n{_stamp(start, ',')} --> {_stamp(end, ',')}\n"
                    f"{prefix}{_cue_text(text)}\n\n"
                )


@register
class Mot(Exporter):
    name = "mot"
    description = (
        "MOTChallenge tracks: frame,id,left,top,width,height,conf,class,visibility,-1 "
        "(frames from 1; keyframe boxes and the interpolated ones between them)"
    )
    extension = "txt"
    mimetype = "text/csv"

    def stream(self, project):
        schemes = [s for s in project.config.schemes if hasattr(s, "tracks")]
        if not schemes:
            return
        next_id = 0
        for row in project.store.annotations.iter_annotated():
            for scheme in schemes:
                value = row.label_maps.get(scheme.name)
                if not value:
                    continue
                ids: dict[str, int] = {}
                classes = {name: i for i, name in enumerate(scheme.label_names, start=1)}
                for track, label, frame, box in scheme.tracks(value):
                    if track not in ids:
                        next_id += 1
                        ids[track] = next_id
                    yield (
                        f"{frame + 1},{ids[track]},{box['x']},{box['y']},{box['width']},"
                        f"{box['height']},1,{classes.get(label, -1)},1,-1\n"
                    )
