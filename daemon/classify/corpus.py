"""The labelled corpora in the source tree, for building the shipped model and for the bench.

``tests/data/labelled.jsonl`` (hand-labelled), ``data/training/*.jsonl`` (written for training
by authors who never saw the rules; a fixed fifth by id is held out to choose the model's
settings) and ``tests/data/blind/`` and ``tests/data/blind-2/`` (each by its own author; for
measuring only, never for tuning). Not part of a running service: an installed package has no
corpora, and these return empty lists then.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from daemon.classify.training import Example, from_jsonl

REPO = Path(__file__).resolve().parents[2]
LABELLED = REPO / "tests" / "data" / "labelled.jsonl"
TRAINING = REPO / "data" / "training"
BLIND = REPO / "tests" / "data" / "blind"
SECOND_BLIND = REPO / "tests" / "data" / "blind-2"
HELD_OUT_EVERY = 5
"""One training message in five (by a checksum of its id) is held out for validation."""


def held_out(example_id: str) -> bool:
    """Whether a training message is in the validation fifth: fixed by its id alone."""
    return zlib.crc32(example_id.encode()) % HELD_OUT_EVERY == 0


def _files(folder: Path) -> list[Example]:
    return [e for path in sorted(folder.glob("*.jsonl")) for e in from_jsonl(path)]


def labelled() -> list[Example]:
    return from_jsonl(LABELLED) if LABELLED.is_file() else []


def training(held_out: bool | None = None) -> list[Example]:
    """The training corpus: all of it, only the held-out fifth (True) or the rest (False)."""
    examples = _files(TRAINING)
    if held_out is None:
        return examples
    return [e for e in examples if _is_held_out(e) == held_out]


def _is_held_out(example: Example) -> bool:
    return held_out(example.source.rpartition(":")[2])


def blind(second: bool = False) -> list[Example]:
    """The first blind set, or the second (written later, by another author)."""
    return _files(SECOND_BLIND if second else BLIND)
