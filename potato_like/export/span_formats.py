"""Exports for span projects: CoNLL-2003 (BIO), CoNLL-U, and JSON Lines with character
offsets. One document per (item, annotator); streamed row by row (constant memory).
Tokenisation and tagging rules: spans/conll.py. The CoNLL formats leave out items whose text
has no tokens (empty or only whitespace): a CoNLL-U sentence needs at least one."""

from __future__ import annotations

import json

from ..spans.conll import bio_tags, column_text, cut_points, tokenize
from ..spans.updates import iter_entries, span_schemes
from .registry import Exporter, register


def _documents(project):
    """(row, span schemes, tokens, {scheme: tags}) for every annotated (item, annotator)."""
    config = project.config
    schemes = span_schemes(config)
    for row in project.store.annotations.iter_annotated():
        by_scheme = {s.name: s.entries(row.label_maps.get(s.name)) for s in schemes}
        tokens = tokenize(row.text, cut_points(sp for spans in by_scheme.values() for sp in spans))
        if not tokens:
            continue
        tags = {name: bio_tags(tokens, spans) for name, spans in by_scheme.items()}
        yield row, schemes, tokens, tags


def _comment(value: str) -> str:
    return " ".join(str(value).split())


def _misc(key: str, value: str) -> str:
    """A CoNLL-U MISC attribute `key=value`: no whitespace, `|` and `\\` escaped as UD does
    (`\\p`, `\\\\`), no `=` in the key."""

    def escaped(text: str) -> str:
        return column_text(text).replace("\\", "\\\\").replace("|", "\\p")

    return f"{escaped(key).replace('=', '_')}={escaped(value)}"


@register
class Conll2003(Exporter):
    name = "conll"
    description = (
        "CoNLL-2003 style BIO: 'token -X- _ TAG' per line (one tag column per span scheme), "
        "a blank line between documents, '# key = value' comments naming item and annotator"
    )
    extension = "conll"
    mimetype = "text/plain"

    def stream(self, project):
        yield "-DOCSTART- -X- -X- O\n\n"
        for row, schemes, tokens, tags in _documents(project):
            lines = [
                f"# instance_id = {_comment(row.item_id)}",
                f"# annotator = {_comment(row.user)}",
            ]
            for i, tok in enumerate(tokens):
                cols = [tok.text, "-X-", "_", *(tags[s.name][i] for s in schemes)]
                lines.append(" ".join(cols))
            yield "\n".join(lines) + "\n\n"


@register
class ConllU(Exporter):
    name = "conllu"
    description = (
        "CoNLL-U: one sentence per (item, annotator); MISC holds '<scheme>=<BIO tag>' per "
        "span scheme and SpaceAfter=No"
    )
    extension = "conllu"
    mimetype = "text/plain"

    def stream(self, project):
        for row, schemes, tokens, tags in _documents(project):
            lines = [
                f"# sent_id = {column_text(row.item_id)}/{column_text(row.user)}",
                f"# instance_id = {_comment(row.item_id)}",
                f"# annotator = {_comment(row.user)}",
                f"# text = {_comment(row.text)}",
            ]
            for i, tok in enumerate(tokens):
                misc = [_misc(s.name, tags[s.name][i]) for s in schemes]
                if not tok.space_after:
                    misc.append("SpaceAfter=No")
                form = tok.text.replace("\t", " ")
                lines.append(f"{i + 1}\t{form}\t_\t_\t_\t_\t_\t_\t_\t{'|'.join(misc) or '_'}")
            yield "\n".join(lines) + "\n\n"


@register
class SpanJsonLines(Exporter):
    name = "spans_jsonl"
    description = (
        "JSON Lines, one object per (item, annotator): text, spans with Unicode code-point "
        "offsets (end exclusive), links and events"
    )
    extension = "spans.jsonl"
    mimetype = "application/x-ndjson"

    def stream(self, project):
        config = project.config
        for row in project.store.annotations.iter_annotated():
            maps = row.label_maps
            record = {
                "id": row.item_id,
                "user": row.user,
                "status": row.status,
                "text": row.text,
                "offsets": "unicode_code_points",
                "spans": [s.output_entry(e) for s, e in iter_entries(config, maps, "spans")],
                "links": [{**e, "schema": s.name} for s, e in iter_entries(config, maps, "links")],
                "events": [
                    {**e, "schema": s.name} for s, e in iter_entries(config, maps, "events")
                ],
            }
            yield json.dumps(record, ensure_ascii=False) + "\n"
