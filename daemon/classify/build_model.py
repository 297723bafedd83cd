"""Build the shipped model from the labelled corpora in the source tree (a developer's step).

    .venv/bin/python -m daemon.classify.build_model            # write the shipped model
    .venv/bin/python -m daemon.classify.build_model --check    # fit without the hold-out, print

The settings (features, ``C``) are chosen on the training corpus's held-out fifth with a model
fitted without it (``--check``, and ``bench/classify.py``). The shipped model is then fitted on
all of ``tests/data/labelled.jsonl`` and the training corpus (more mail, better on mail never
seen); never on the blind sets. Each text is read as the pipeline reads it: what the person
wrote, names masked. Needs scikit-learn (a dependency of the package); the
service itself loads the arrays with numpy only (``daemon.classify.shipped``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from daemon.classify import corpus
from daemon.classify.names import Register
from daemon.classify.shipped import DEFAULT_MODEL, FIELDS, ShippedModel, features
from daemon.classify.training import Example
from daemon.classify.written import for_rules, own_words

MAX_FEATURES = 40_000
"""The most telling n-grams kept (by frequency): enough for the corpus, a small file."""
C = {"category": 4.0, "kind": 8.0, "severity": 8.0}
"""Inverse regularisation per field, chosen on the training hold-out."""


def text_of(example: Example) -> str:
    """The text as the classifier reads it in the pipeline."""
    written = own_words(example.body, example.language or "", example.subject)
    subject, body = for_rules(Register(), example.subject, written, "")
    return f"{subject}\n{body}"


def fit(examples: list[Example]) -> dict[str, Any]:
    """Vocabulary, idf and one logistic regression per field, as plain arrays."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [text_of(e) for e in examples]
    vectorizer = TfidfVectorizer(
        analyzer=features, sublinear_tf=True, min_df=2, max_features=MAX_FEATURES
    )
    matrix = vectorizer.fit_transform(texts)
    words = vectorizer.get_feature_names_out()
    arrays: dict[str, Any] = {
        "vocabulary": np.array("\n".join(words)),
        "idf": vectorizer.idf_.astype(np.float32),
        "name": np.array(f"shipped model ({len(examples)} messages)"),
    }
    for name in FIELDS:
        rows = [i for i, e in enumerate(examples) if name in e.labels]
        labels = [examples[i].labels[name] for i in rows]
        model = LogisticRegression(C=C[name], max_iter=3000, class_weight="balanced")
        model.fit(matrix[rows], labels)
        coef = model.coef_.T
        intercept = model.intercept_
        if coef.shape[1] == 1:  # two classes: scikit-learn keeps one column
            coef = np.hstack([-coef / 2, coef / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        arrays[f"{name}_classes"] = np.array([str(c) for c in model.classes_])
        arrays[f"{name}_coef"] = coef.astype(np.float16)
        arrays[f"{name}_intercept"] = intercept.astype(np.float32)
    return arrays


def save(arrays: dict[str, Any], path: Path) -> None:
    import numpy as np

    np.savez_compressed(path, **arrays)


def without_held_out() -> ShippedModel:
    """A model fitted as the shipped one but without the training hold-out, to measure on it."""
    import tempfile

    arrays = fit(corpus.labelled() + corpus.training(held_out=False))
    with tempfile.TemporaryDirectory() as tmp:
        save(arrays, Path(tmp) / "m.npz")
        return ShippedModel(Path(tmp) / "m.npz")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fit and print, write nothing")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args()
    if args.check:
        held_out = corpus.training(held_out=True)
        model = without_held_out()
        print(f"fitted without the {len(held_out)} held-out messages")
        for name in FIELDS:
            right = 0
            for e in held_out:
                probabilities = model.probabilities(text_of(e))[name]
                right += max(probabilities, key=probabilities.get) == e.labels[name]
            print(f"{name}: model alone {right / len(held_out):.1%} on the hold-out")
        return 0
    examples = corpus.labelled() + corpus.training()
    print(f"fitting on {len(examples)} messages")
    save(fit(examples), args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
