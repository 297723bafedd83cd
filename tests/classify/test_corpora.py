"""The labelled corpora stay sound and apart: every line fully labelled, no message shared
between what the model learns from and what measures it, and the shipped model fitted on the
corpora as they are (a corpus changed without rebuilding the model is caught here)."""

from __future__ import annotations

import json

import pytest

from daemon.classify import corpus
from daemon.classify.shipped import load
from daemon.config import CATEGORIES, KINDS

FILES = [
    path
    for folder in (corpus.TRAINING, corpus.BLIND, corpus.SECOND_BLIND)
    for path in sorted(folder.glob("*.jsonl"))
]


def rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_message_is_fully_labelled(path):
    for row in rows(path):
        assert row["language"] in ("zh", "es", "en"), row["id"]
        assert row["kind"] in KINDS and row["category"] in CATEGORIES, row["id"]
        assert row["severity"] in ("general", "important", "major"), row["id"]
        assert row["body"].strip(), row["id"]
        text = f"{row['subject']}\n{row['body']}"
        for part in (row.get("location") or {}).values():
            assert part is None or str(part) in text, (row["id"], part)


def test_ids_are_unique_and_no_message_is_in_two_places():
    ids, bodies = set(), {}
    for path in FILES:
        for row in rows(path):
            assert row["id"] not in ids, row["id"]
            ids.add(row["id"])
            body = " ".join(row["body"].split())
            assert body not in bodies, (row["id"], bodies.get(body))
            bodies[body] = row["id"]


def test_the_shipped_model_is_fitted_on_the_corpora_as_they_are():
    fitted = len(corpus.labelled()) + len(corpus.training())
    assert load().name == f"shipped model ({fitted} messages)"
