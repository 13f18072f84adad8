"""`annotation_type: code_review` — a review of an agent's code changes: a verdict
(`verdict_options`), inline comments on lines of files (`comment_categories`), and 1-5
ratings of each changed file on `file_rating_dimensions`.

Wire format (Potato's): `"<schema>:<schema>"` holds the record as JSON text: `{"verdict":
"approve", "comments": [{"category", "file", "line", "text"}], "file_ratings": {"<file>":
{"<dim>": 4}}}`. The files offered are the `file_path`s the item's trace names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .record import RecordScheme, counts, mean
from .registry import register

DEFAULT_CATEGORIES = ("bug", "style", "suggestion", "security", "question")
DEFAULT_VERDICTS = ("approve", "request_changes", "comment_only")
DEFAULT_DIMENSIONS = ("correctness", "quality")
MAX_COMMENTS, MAX_COMMENT, MAX_PATH = 500, 5000, 500


def file_paths(value: Any, depth: int = 0) -> Iterator[str]:
    """The `file_path` (or `file`) strings anywhere in an item's fields, in order."""
    if depth > 8:
        return
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if key in ("file_path", "file") and isinstance(inner, str) and inner:
                yield inner
            else:
                yield from file_paths(inner, depth + 1)
    elif isinstance(value, list):
        for inner in value:
            yield from file_paths(inner, depth + 1)


@register("code_review")
class CodeReview(RecordScheme):
    macro = "schemes/code_review.html"
    script = "js/code-review.js"
    option_keys = ("comment_categories", "verdict_options", "file_rating_dimensions")
    pair_score_names = ("verdict_agreement", "file_rating_agreement")
    files: list[str] = []

    def parse_options(self, reader: ConfigReader) -> None:
        def names(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(reader.string_list(key)) if reader.has(key) else default

        self.categories = names("comment_categories", DEFAULT_CATEGORIES)
        self.verdicts = names("verdict_options", DEFAULT_VERDICTS)
        self.dimensions = names("file_rating_dimensions", DEFAULT_DIMENSIONS)
        if not self.categories:
            reader.problem("comment_categories", "must name at least one category")

    def for_page(self, fields, annotator, item_id, seed) -> CodeReview:
        return self.page_view(files=list(dict.fromkeys(file_paths(dict(fields))))[:100])

    def check_record(self, record: dict[str, Any]) -> dict[str, Any] | None:
        verdict = record.get("verdict") or ""
        if verdict and verdict not in self.verdicts:
            raise BadAnnotation(
                f"{self.name}: unknown verdict {verdict!r}; expected one of "
                f"{', '.join(self.verdicts)}"
            )
        comments = record.get("comments") or []
        if not isinstance(comments, list) or len(comments) > MAX_COMMENTS:
            raise BadAnnotation(f"{self.name}: 'comments' must be a list of at most {MAX_COMMENTS}")
        kept = [self._comment(c, f"{self.name}: comment {i + 1}") for i, c in enumerate(comments)]
        ratings = record.get("file_ratings") or {}
        if not isinstance(ratings, Mapping):
            raise BadAnnotation(f"{self.name}: 'file_ratings' must be an object of file: ratings")
        out_ratings: dict[str, dict[str, int]] = {}
        for file, dims in ratings.items():
            if not isinstance(dims, Mapping) or len(str(file)) > MAX_PATH:
                raise BadAnnotation(f"{self.name}: ratings of {file!r} must be an object")
            for dim, value in dims.items():
                if dim not in self.dimensions:
                    raise BadAnnotation(
                        f"{self.name}: {file}: unknown rating dimension {dim!r}; expected one "
                        f"of {', '.join(self.dimensions)}"
                    )
                if isinstance(value, bool) or value not in (1, 2, 3, 4, 5):
                    raise BadAnnotation(f"{self.name}: {file}: {dim} must be 1-5, got {value!r}")
                out_ratings.setdefault(str(file), {})[dim] = int(value)
        kept = [c for c in kept if c["text"].strip()]  # a comment card left empty is no comment
        if not verdict and not kept and not out_ratings:
            return None
        return {"verdict": verdict, "comments": kept, "file_ratings": out_ratings}

    def _comment(self, raw: Any, where: str) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{where} must be an object with category, file, line and text")
        category = raw.get("category") or self.categories[0]
        if category not in self.categories:
            raise BadAnnotation(
                f"{where}: unknown category {category!r}; expected one of "
                f"{', '.join(self.categories)}"
            )
        file, text, line = raw.get("file") or "", raw.get("text") or "", raw.get("line")
        if not isinstance(file, str) or len(file) > MAX_PATH:
            raise BadAnnotation(f"{where}: 'file' must be a path")
        if not isinstance(text, str) or len(text) > MAX_COMMENT:
            raise BadAnnotation(f"{where}: 'text' must be at most {MAX_COMMENT} characters")
        if line in ("", None):
            line = None
        elif isinstance(line, str) and line.strip().isdigit():
            line = int(line)
        if line is not None and (isinstance(line, bool) or not isinstance(line, int) or line < 1):
            raise BadAnnotation(f"{where}: 'line' must be a line number (1 or more)")
        return {"category": category, "file": file, "line": line, "text": text}

    def pair_scores(self, a: Mapping[str, str], b: Mapping[str, str]) -> dict[str, float]:
        ra, rb = self.answer(a), self.answer(b)
        out: dict[str, float] = {}
        if ra["verdict"] and rb["verdict"]:
            out["verdict_agreement"] = float(ra["verdict"] == rb["verdict"])
        diffs = [
            abs(ra["file_ratings"][f][d] - rb["file_ratings"][f][d]) / 4
            for f in set(ra["file_ratings"]) & set(rb["file_ratings"])
            for d in set(ra["file_ratings"][f]) & set(rb["file_ratings"][f])
        ]
        if diffs:
            out["file_rating_agreement"] = 1 - sum(diffs) / len(diffs)
        return out

    def dashboard_summary(self, label_maps):
        records = [self.answer(m) for m in label_maps if m]
        return {
            "verdicts": counts(r["verdict"] for r in records if r["verdict"]),
            "comments_by_category": counts(c["category"] for r in records for c in r["comments"]),
            "mean_file_rating": mean(
                [v for r in records for dims in r["file_ratings"].values() for v in dims.values()]
            ),
        }

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(
            comment_categories=list(self.categories),
            verdict_options=list(self.verdicts),
            file_rating_dimensions=list(self.dimensions),
        )
        return out
