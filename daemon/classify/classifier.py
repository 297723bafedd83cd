"""Kind, category and severity for an item: keyword rules, and a trained model where it is better.

The decision keeps its reasons (the rules that fired, the model's confidence) for the history.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from daemon.classify import shipped
from daemon.classify.combine import combine
from daemon.classify.decision import Decision, RuleClassifier
from daemon.config import CATEGORIES, KINDS, SEVERITIES, ClassifierSettings

log = logging.getLogger(__name__)

MODEL_LABELS = {
    "category": CATEGORIES,
    "kind": KINDS,
    "severity": tuple(s for s in SEVERITIES if s != "hot"),
}
"""What a trained model may say per field."""


class Classifier:
    """Rules always, with the shipped model beside them (``classifier.shipped_model``); staff
    corrections' model (from ``complaintd classifier train``) on top, where it proved better.

    ``use_model=False``: the rules alone.
    """

    def __init__(self, settings: ClassifierSettings, use_model: bool = True) -> None:
        self.settings = settings
        self.rules = RuleClassifier(settings.rules_file, settings.extra_rules)
        self.model = load_model(settings.model_file) if use_model else None
        self._fast: list[_FastField] | None = None
        self.shipped = shipped.load() if use_model and settings.shipped_model else None

    def classify(self, subject: str, body: str) -> Decision:
        return self.with_model(self.rules.classify(subject, body), subject, body)

    def with_model(self, decision: Decision, subject: str, body: str) -> Decision:
        """The rules' decision on this text, with the models' word added where it counts."""
        if self.shipped is not None:
            combine(decision, self.shipped.probabilities(f"{subject}\n{body}"))
        if self.model is not None:
            self._apply_model(decision, f"{subject}\n{body}")
        return decision

    def _apply_model(self, decision: Decision, text: str) -> None:
        """The model overrides a field only where it is confident; the rules stay the fallback."""
        for name, (label, confidence) in self.predict(text).items():
            chosen = overrides(
                name, getattr(decision, name), label, confidence, self.min_confidence
            )
            if chosen is not None:
                decision.reasons.append(f"model.{name}:{label} ({confidence:.2f})")
                setattr(decision, name, label)
                decision.source = "rules+model"

    def predict(self, text: str) -> dict[str, tuple[str, float]]:
        """The model's best label and its probability per field (nothing without a model)."""
        if self.model is None:
            return {}
        if self._fast is None:
            self._fast = [_FastField.of(name, p) for name, p in self.model["fields"].items()]
        found = {}
        features: dict[int, Any] = {}
        for field_model in self._fast:
            probabilities = field_model.probabilities(text, features)
            best = int(probabilities.argmax())
            found[field_model.name] = (field_model.classes[best], float(probabilities[best]))
        return found

    @property
    def min_confidence(self) -> float:
        return self.settings.model_min_confidence


@dataclass
class _FastField:
    """One field's pipeline, ready for one text at a time.

    For the pipelines ``classifier train`` writes (TF-IDF and a logistic regression) the
    probabilities are computed here from the fitted vocabulary, idf and coefficients, once per
    text for all fields that share the vectorizer: scikit-learn's per-call checks and sparse
    matrices cost several times the arithmetic. Any other pipeline goes through its
    ``predict_proba``.
    """

    name: str
    pipeline: Any
    classes: list[str]
    vectorizer: Any = None
    analyzer: Any = None
    coef: Any = None
    intercept: Any = None

    @classmethod
    def of(cls, name: str, pipeline: Any) -> _FastField:
        classes = [str(c) for c in pipeline.classes_]
        steps = getattr(pipeline, "steps", [])
        vectorizer, estimator = (steps[0][1], steps[1][1]) if len(steps) == 2 else (None, None)
        if (
            type(estimator).__name__ == "LogisticRegression"
            and type(vectorizer).__name__ == "TfidfVectorizer"
            and vectorizer.norm == "l2"
            and vectorizer.use_idf
            and not vectorizer.binary
        ):
            return cls(
                name,
                pipeline,
                classes,
                vectorizer=vectorizer,
                analyzer=vectorizer.build_analyzer(),
                coef=estimator.coef_.T,
                intercept=estimator.intercept_,
            )
        return cls(name, pipeline, classes)

    def probabilities(self, text: str, features: dict[int, Any]) -> Any:
        import numpy as np

        if self.vectorizer is None:
            return self.pipeline.predict_proba([text])[0]
        key = id(self.vectorizer)
        if key not in features:
            features[key] = _tfidf(self.vectorizer, self.analyzer, text)
        columns, weights = features[key]
        scores = weights @ self.coef[columns] + self.intercept
        if scores.shape[0] == 1:  # two classes: one score, for the second
            second = 1.0 / (1.0 + np.exp(-scores[0]))
            return np.array([1.0 - second, second])
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()


def _tfidf(vectorizer: Any, analyzer: Callable[[str], list[str]], text: str) -> tuple[Any, Any]:
    """One text's TF-IDF row as (columns, weights), as ``TfidfVectorizer.transform`` makes it
    (sublinear tf, idf, L2 norm), without building a sparse matrix."""
    import numpy as np

    vocabulary = vectorizer.vocabulary_
    counts: dict[int, int] = {}
    for feature in analyzer(text):
        column = vocabulary.get(feature)
        if column is not None:
            counts[column] = counts.get(column, 0) + 1
    columns = np.fromiter(counts, dtype=np.intp, count=len(counts))
    tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    if vectorizer.sublinear_tf:
        tf = np.log(tf) + 1.0
    weights = tf * vectorizer.idf_[columns]
    norm = np.sqrt(weights @ weights)
    return columns, (weights / norm if norm else weights)


def overrides(
    name: str, by_rules: str, label: str, confidence: float, min_confidence: float
) -> str | None:
    """The model's label where it may replace the rules' one, else None.

    Only when confident, only known labels, never "hot" (that comes from counting tickets), and
    never below a "major" the rules found: a danger word or a threat is not argued away.
    """
    if confidence < min_confidence or label == by_rules or label not in MODEL_LABELS[name]:
        return None
    if name == "severity" and by_rules == "major":
        return None
    return label


def load_model(path: Path) -> dict[str, Any] | None:
    """A model written by ``classifier train``; a missing or unreadable file means rules only."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            model = pickle.load(handle)  # noqa: S301 - our own file, written by `classifier train`
    except Exception as exc:  # a broken or foreign file must not stop the pipeline
        log.warning("ignoring classifier model %s: %s", path, exc)
        return None
    if not isinstance(model, dict) or not model.get("fields"):
        return None
    unknown = set(model["fields"]) - set(MODEL_LABELS)
    if unknown:
        log.warning("ignoring classifier model %s: unknown fields %s", path, sorted(unknown))
        return None
    return model
