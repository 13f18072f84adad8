"""Span schemes: a linear-chain CRF (sklearn-crfsuite over python-crfsuite) tags the item's
tokens B-/I-/O per label; tagged runs become `{start, end, label, text}` spans with the
mean marginal probability of their tags as confidence."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

TOKEN = re.compile(r"\w+|[^\w\s]")
OUTSIDE = "O"


def tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]


def _shape(word: str) -> str:
    if word.isdigit():
        return "d"
    if word.isupper():
        return "A"
    if word[:1].isupper():
        return "Aa"
    return "a" if word.isalpha() else "p"


def token_features(toks: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
    out = []
    for i, (_, _, word) in enumerate(toks):
        low = word.lower()
        f = {"bias": 1.0, "w": low, "suf3": low[-3:], "pre2": low[:2], "shape": _shape(word)}
        if i > 0:
            prev = toks[i - 1][2]
            f.update({"-1:w": prev.lower(), "-1:shape": _shape(prev)})
        else:
            f["BOS"] = 1.0
        if i + 1 < len(toks):
            nxt = toks[i + 1][2]
            f.update({"+1:w": nxt.lower(), "+1:shape": _shape(nxt)})
        else:
            f["EOS"] = 1.0
        out.append(f)
    return out


def bio_tags(toks: list[tuple[int, int, str]], spans: list[Mapping[str, Any]], labels) -> list:
    tags = [OUTSIDE] * len(toks)
    for span in spans:
        label = span.get("label")
        if label not in labels:
            continue
        start, end = int(span.get("start", 0)), int(span.get("end", 0))
        inside = [i for i, (s, e, _) in enumerate(toks) if s >= start and e <= end]
        for n, i in enumerate(inside):
            tags[i] = ("B-" if n == 0 else "I-") + label
    return tags


class SpanModel:
    kind = "spans"

    def __init__(self) -> None:
        self.crf = None
        self.labels: list[str] = []

    def fit(self, texts: list[str], spans: list[list[Mapping]], labels: list[str]) -> SpanModel:
        import sklearn_crfsuite

        self.labels = list(labels)
        X, y = [], []
        for text, entries in zip(texts, spans, strict=True):
            toks = tokens(text)
            if toks:
                X.append(token_features(toks))
                y.append(bio_tags(toks, entries, set(labels)))
        self.crf = sklearn_crfsuite.CRF(
            algorithm="lbfgs", c1=0.05, c2=0.05, max_iterations=100, all_possible_transitions=True
        )
        self.crf.fit(X, y)
        return self

    def _marginals(self, toks) -> list[dict[str, float]]:
        return self.crf.predict_marginals_single(token_features(toks))

    def predict(self, text: str) -> tuple[list[dict], float, dict[str, float], tuple[str, ...]]:
        toks = tokens(text)
        if not toks:
            return [], 1.0, {}, ()
        marg = self._marginals(toks)
        tags = [max(m, key=m.get) for m in marg]
        spans = []
        current: dict | None = None
        for (s, e, _), tag, m in zip(toks, tags, marg, strict=True):
            if tag == OUTSIDE:
                current = None
                continue
            kind, label = tag.split("-", 1)
            if kind == "B" or current is None or current["label"] != label:
                current = {"start": s, "end": e, "label": label, "_p": [m[tag]]}
                spans.append(current)
            else:
                current["end"] = e
                current["_p"].append(m[tag])
        sure = [max(m.values()) for m in marg]
        for span in spans:
            probs = span.pop("_p")
            span["text"] = text[span["start"] : span["end"]]
            span["confidence"] = round(float(np.mean(probs)), 4)
        confidence = float(np.mean([s["confidence"] for s in spans])) if spans else min(sure)
        evidence = tuple(dict.fromkeys(s["text"] for s in spans))[:5]
        scores = {s["label"]: s["confidence"] for s in spans}
        return spans, confidence, scores, evidence

    def confidences(self, texts: list[str]) -> np.ndarray:
        """Per text: the least sure token's tag probability (1.0 for an empty text)."""
        out = []
        for text in texts:
            toks = tokens(text)
            out.append(min(max(m.values()) for m in self._marginals(toks)) if toks else 1.0)
        return np.asarray(out)

    def score(self, texts: list[str], spans: list[list[Mapping]]) -> float:
        """Token-level F1 of the labelled tokens (not O)."""
        tp = fp = fn = 0
        for text, entries in zip(texts, spans, strict=True):
            toks = tokens(text)
            if not toks:
                continue
            truth = [t.split("-", 1)[-1] for t in bio_tags(toks, entries, set(self.labels))]
            guess = [t.split("-", 1)[-1] for t in self.crf.predict_single(token_features(toks))]
            for a, b in zip(truth, guess, strict=True):
                if b != OUTSIDE and a == b:
                    tp += 1
                else:
                    fp += b != OUTSIDE
                    fn += a != OUTSIDE
        denom = 2 * tp + fp + fn
        return 2 * tp / denom if denom else 1.0
