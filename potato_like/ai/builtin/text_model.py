"""Item-level models of the builtin provider: text features (TF-IDF or hashing) and a
calibrated linear classifier. `ClassModel` picks one label ("classes"); `LabelSetModel`
decides each label yes/no ("label_set", one-vs-rest). Both explain a prediction by the
words of the item that weigh most for it (feature value x the linear model's weight)."""

from __future__ import annotations

import re

import numpy as np
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

HASH_FEATURES = 2**18
EVIDENCE_WORDS = 5
_WORD = re.compile(r"(?u)\b\w\w+\b")


def make_vectorizer(features: str):
    if features == "hashing":
        return HashingVectorizer(
            n_features=HASH_FEATURES, ngram_range=(1, 2), alternate_sign=False, norm="l2"
        )
    return TfidfVectorizer(ngram_range=(1, 2), min_df=1, max_features=200_000, sublinear_tf=True)


def fit_features(vectorizer, texts: list[str]):
    if isinstance(vectorizer, HashingVectorizer):
        return vectorizer.transform(texts)
    return vectorizer.fit_transform(texts)


def calibrated_linear(y: np.ndarray):
    """A linear SVM with sigmoid calibration (cross-validated over at most 3 folds); a
    logistic regression when some class has a single example (no folds possible)."""
    _, counts = np.unique(y, return_counts=True)
    folds = int(min(3, counts.min()))
    if folds < 2:
        return LogisticRegression(max_iter=1000, C=10.0)
    return CalibratedClassifierCV(LinearSVC(C=1.0), method="sigmoid", cv=folds)


def linear_weights(model) -> np.ndarray:
    """The (n_rows, n_features) weights of a fitted `calibrated_linear` model (averaged
    over the calibration folds)."""
    if isinstance(model, CalibratedClassifierCV):
        coefs = [c.estimator.coef_ for c in model.calibrated_classifiers_]
        return np.mean(coefs, axis=0)
    return model.coef_


class LinearProba:
    """The probabilities of a fitted sigmoid-calibrated linear model as plain array algebra:
    each calibration fold's decision values (X @ W.T + c), its sigmoid calibrators, the
    one-vs-rest normalisation, averaged over the folds: the same numbers as scikit-learn's
    `predict_proba` (tested), without its per-call input checks, which cost several ms."""

    def __init__(self, model: CalibratedClassifierCV) -> None:
        self.classes = list(model.classes_)
        folds = model.calibrated_classifiers_
        self.weights = np.vstack([f.estimator.coef_ for f in folds]).T  # (features, folds*d)
        self.intercepts = np.concatenate([np.ravel(f.estimator.intercept_) for f in folds])
        self.a = np.concatenate([[c.a_ for c in f.calibrators] for f in folds])
        self.b = np.concatenate([[c.b_ for c in f.calibrators] for f in folds])
        self.columns = [
            [self.classes.index(c) for c in f.estimator.classes_] for f in folds
        ]  # the model's class index of each fold's decision column
        self.width = folds[0].estimator.coef_.shape[0]

    def __call__(self, X) -> np.ndarray:
        d = np.asarray(X @ self.weights) + self.intercepts
        p = expit(-(d * self.a + self.b))
        n, k = X.shape[0], len(self.classes)
        out = np.zeros((n, k))
        for f, columns in enumerate(self.columns):
            part = p[:, f * self.width : (f + 1) * self.width]
            if k == 2:
                out[:, 1] += part[:, 0]
                out[:, 0] += 1.0 - part[:, 0]
                continue
            proba = np.zeros((n, k))
            proba[:, columns] = part
            total = proba.sum(axis=1, keepdims=True)
            out += np.divide(proba, total, out=np.full_like(proba, 1 / k), where=total != 0)
        out /= len(self.columns)
        out[(out > 1.0) & (out <= 1.0 + 1e-5)] = 1.0
        return out


def probabilities(model, fast: LinearProba | None, X) -> np.ndarray:
    return fast(X) if fast is not None else model.predict_proba(X)


def compiled(model) -> LinearProba | None:
    return LinearProba(model) if isinstance(model, CalibratedClassifierCV) else None


class Evidence:
    """Names the columns of one text's features, for TF-IDF (its vocabulary) and hashing
    (each word hashed alone with the same hashing)."""

    def __init__(self, vectorizer) -> None:
        self.vectorizer = vectorizer
        self._names = None
        self._single = None

    def top(self, row, weights: np.ndarray, n: int = EVIDENCE_WORDS) -> tuple[str, ...]:
        """The words of `row` (a 1 x features sparse row) whose value x weight is largest."""
        row = row.tocsr()
        if row.nnz == 0:
            return ()
        contrib = row.data * weights[row.indices]
        order = np.argsort(-contrib)
        names = self._column_names(row.indices)
        out: list[str] = []
        for i in order:
            if contrib[i] <= 0 or len(out) >= n:
                break
            name = names.get(int(row.indices[i]))
            if name and name not in out:
                out.append(name)
        return tuple(out)

    def _column_names(self, columns) -> dict[int, str]:
        if self._names is None:
            names = np.empty(len(self.vectorizer.vocabulary_), dtype=object)
            for term, column in self.vectorizer.vocabulary_.items():
                names[column] = term
            self._names = names
        return {int(c): str(self._names[c]) for c in columns}

    def top_for_text(self, text: str, row, weights, n: int = EVIDENCE_WORDS) -> tuple[str, ...]:
        if not isinstance(self.vectorizer, HashingVectorizer):
            return self.top(row, weights, n)
        terms = list(dict.fromkeys(self.vectorizer.build_analyzer()(text)))
        if not terms:
            return ()
        if self._single is None:  # each term hashed alone, with the same hashing
            self._single = HashingVectorizer(
                n_features=self.vectorizer.n_features, analyzer=_itself, alternate_sign=False
            )
        columns = self._single.transform(terms).indices
        values = row.toarray().ravel()[columns] * weights[columns]
        order = np.argsort(-values)
        return tuple(terms[i] for i in order[:n] if values[i] > 0)


def _itself(term: str) -> list[str]:
    return [term]


class _Explained:
    """Keeps one `Evidence` per model (its vocabulary inverse is costly to build), made on
    first use and left out of the pickled model."""

    def evidence(self) -> Evidence:
        found = self.__dict__.get("_evidence")
        if found is None:
            found = self.__dict__["_evidence"] = Evidence(self.vectorizer)
        return found

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_evidence"}


class ClassModel(_Explained):
    """One label per item."""

    kind = "classes"

    def __init__(self, features: str) -> None:
        self.features = features
        self.vectorizer = make_vectorizer(features)
        self.model = None
        self.labels: list[str] = []

    def fit(self, texts: list[str], targets: list[str]) -> ClassModel:
        X = fit_features(self.vectorizer, texts)
        y = np.asarray(targets, dtype=object)
        self.model = calibrated_linear(y).fit(X, y)
        self.fast = compiled(self.model)
        self.labels = [str(c) for c in self.model.classes_]
        self._weights = linear_weights(self.model)
        return self

    def probabilities(self, texts: list[str]) -> np.ndarray:
        X = self.vectorizer.transform(texts)
        return probabilities(self.model, getattr(self, "fast", None), X)

    def confidences(self, texts: list[str]) -> np.ndarray:
        """How sure the model is of each text's label (max probability)."""
        return self.probabilities(texts).max(axis=1)

    def predict(self, text: str) -> tuple[str, float, dict[str, float], tuple[str, ...]]:
        row = self.vectorizer.transform([text])
        probs = probabilities(self.model, getattr(self, "fast", None), row)[0]
        best = int(np.argmax(probs))
        return (
            self.labels[best],
            float(probs[best]),
            {label: round(float(p), 4) for label, p in zip(self.labels, probs, strict=True)},
            self.evidence().top_for_text(text, row, self._class_weights(best)),
        )

    def _class_weights(self, index: int) -> np.ndarray:
        w = self._weights
        if w.shape[0] == 1:  # binary: the row is for the second class
            return w[0] if index == 1 else -w[0]
        return w[index]

    def score(self, texts: list[str], targets: list[str]) -> float:
        probs = self.probabilities(texts)
        predicted = np.asarray(self.labels, dtype=object)[probs.argmax(axis=1)]
        return float(np.mean(predicted == np.asarray(targets, dtype=object)))


class LabelSetModel(_Explained):
    """Any number of labels per item: one calibrated yes/no model per label."""

    kind = "label_set"

    def __init__(self, features: str) -> None:
        self.features = features
        self.vectorizer = make_vectorizer(features)
        self.models: dict[str, object] = {}
        self.fast: dict[str, LinearProba | None] = {}
        self.labels: list[str] = []

    def fit(self, texts: list[str], targets: list[list[str]], labels: list[str]):
        X = fit_features(self.vectorizer, texts)
        self.labels = list(labels)
        self._weights = {}
        for label in labels:
            y = np.asarray([label in t for t in targets])
            model = calibrated_linear(y).fit(X, y)
            self.models[label] = model
            self.fast[label] = compiled(model)
            self._weights[label] = linear_weights(model)[0]
        return self

    def _yes(self, X) -> np.ndarray:
        """(n_texts, n_labels) probability that each label applies."""
        cols = []
        for label in self.labels:
            model = self.models[label]
            yes = list(model.classes_).index(True)
            cols.append(probabilities(model, getattr(self, "fast", {}).get(label), X)[:, yes])
        return np.column_stack(cols)

    def confidences(self, texts: list[str]) -> np.ndarray:
        p = self._yes(self.vectorizer.transform(texts))
        return np.maximum(p, 1 - p).min(axis=1)  # the least sure of the yes/no decisions

    def predict(self, text: str) -> tuple[list[str], float, dict[str, float], tuple[str, ...]]:
        row = self.vectorizer.transform([text])
        p = self._yes(row)[0]
        chosen = [label for label, q in zip(self.labels, p, strict=True) if q >= 0.5]
        sure = float(np.maximum(p, 1 - p).min())
        explain = chosen or [self.labels[int(np.argmax(p))]]
        evidence: list[str] = []
        ev = self.evidence()
        for label in explain:
            for word in ev.top_for_text(text, row, self._weights[label]):
                if word not in evidence:
                    evidence.append(word)
        scores = {label: round(float(q), 4) for label, q in zip(self.labels, p, strict=True)}
        return chosen, sure, scores, tuple(evidence[:EVIDENCE_WORDS])

    def score(self, texts: list[str], targets: list[list[str]]) -> float:
        """Micro-averaged F1 of the chosen labels."""
        p = self._yes(self.vectorizer.transform(texts)) >= 0.5
        truth = np.asarray([[label in t for label in self.labels] for t in targets])
        tp = float((p & truth).sum())
        denom = float(p.sum() + truth.sum())
        return 2 * tp / denom if denom else 1.0
