"""The model shipped with the package: character n-gram linear models for category, kind and
severity, trained on the labelled corpora (``daemon.classify.build_model``), beside the rules.

Stored as plain arrays (``daemon/defaults/classifier-model.npz``: vocabulary, idf, and per field
its classes, weights and intercepts), so it loads with numpy alone, needs no scikit-learn at run
time, no pickle, and nothing from the internet. ``features`` is the one analyzer, used to fit it
and to read with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from daemon.classify.rules import normalize

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "defaults" / "classifier-model.npz"
FIELDS = ("category", "kind", "severity")

_LATIN = re.compile(r"[a-z0-9]+(?:['&][a-z0-9]+)*")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_MAX_CHARS = 3000
"""A long mail is read up to here: what it is about is said early."""
_WORD_CACHE = 50_000
"""Words whose known features a model remembers (mail repeats its words) before it starts over."""


def features(text: str) -> list[str]:
    """Words and their 3-5 character pieces (typos, endings, missing accents); Chinese
    characters, pairs and triples (no spaces to split on)."""
    text = normalize(text[:_MAX_CHARS])
    found: list[str] = []
    for word in _LATIN.findall(text):
        found.extend(word_features(word))
    for run in _HAN.findall(text):
        found.extend(run_features(run))
    return found


def word_features(word: str) -> list[str]:
    """A word and its 3-5 character pieces, with a space at either end."""
    found = [word]
    padded = f" {word} "
    size = len(padded)
    for n in (3, 4, 5):
        found.extend(padded[i : i + n] for i in range(size - n + 1))
    return found


def run_features(run: str) -> list[str]:
    """A run of Chinese characters: each character, pair and triple."""
    size = len(run)
    found = list(run)
    found.extend(run[i : i + 2] for i in range(size - 1))
    found.extend(run[i : i + 3] for i in range(size - 2))
    return found


@dataclass
class FieldModel:
    """One field's linear model over the shared vocabulary."""

    classes: list[str]
    coef: Any
    """(vocabulary size, classes) weights."""
    intercept: Any


class ShippedModel:
    """Probabilities per field for one text at a time, computed from the stored arrays."""

    def __init__(self, path: Path) -> None:
        import numpy as np

        with np.load(path, allow_pickle=False) as data:
            words = str(data["vocabulary"]).split("\n")
            self.vocabulary = {word: index for index, word in enumerate(words)}
            self.idf = data["idf"].astype(np.float64)
            self.fields = {
                name: FieldModel(
                    [str(c) for c in data[f"{name}_classes"]],
                    data[f"{name}_coef"].astype(np.float32),
                    data[f"{name}_intercept"].astype(np.float64),
                )
                for name in FIELDS
                if f"{name}_classes" in data
            }
            self.name = str(data["name"]) if "name" in data else path.name
        self._known: dict[str, list[int]] = {}

    def probabilities(self, text: str) -> dict[str, dict[str, float]]:
        """Per field, each class's probability (softmax of the linear scores)."""
        import numpy as np

        counts: dict[int, int] = {}
        for column in self._columns(text):
            counts[column] = counts.get(column, 0) + 1
        result = {}
        columns = np.fromiter(counts, dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        weights = (np.log(tf) + 1.0) * self.idf[columns]
        norm = np.sqrt(weights @ weights)
        if norm:
            weights /= norm
        for name, field_model in self.fields.items():
            scores = weights @ field_model.coef[columns] + field_model.intercept
            scores = np.exp(scores - scores.max())
            scores /= scores.sum()
            result[name] = dict(zip(field_model.classes, map(float, scores), strict=True))
        return result

    def _columns(self, text: str) -> list[int]:
        """The vocabulary columns of ``features(text)``, each word's looked up once."""
        text = normalize(text[:_MAX_CHARS])
        vocabulary = self.vocabulary
        known = self._known
        if len(known) > _WORD_CACHE:
            known.clear()
        found: list[int] = []
        for word in _LATIN.findall(text):
            columns = known.get(word)
            if columns is None:
                columns = known[word] = [
                    vocabulary[f] for f in word_features(word) if f in vocabulary
                ]
            found.extend(columns)
        for run in _HAN.findall(text):
            found.extend(vocabulary[f] for f in run_features(run) if f in vocabulary)
        return found


def load(path: Path | None = None) -> ShippedModel | None:
    """The shipped model (or the one at ``path``); None when the file is missing."""
    path = path or DEFAULT_MODEL
    return ShippedModel(path) if path.is_file() else None
