"""Other projects' real mail (../shared/corpus/realworld): nothing crashes, nothing is lost."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from daemon.pipeline import Pipeline
from daemon.store.db import Database
from daemon.store.models import Outbox, RawItem, Ticket
from tests.paths import REALWORLD

CORPUS = REALWORLD
FILES = sorted(
    p for p in CORPUS.rglob("*") if p.is_file() and p.name not in ("README.md", "SOURCES.md")
)


def test_corpus_is_present():
    assert len(FILES) > 350, f"expected the realworld corpus at {CORPUS}"


@pytest.fixture
def pipeline(make_settings):
    settings = make_settings()
    db = Database(settings.database.url)
    db.migrate()
    return Pipeline(settings, db)


def test_every_file_is_recorded_and_none_crashes(pipeline):
    outcomes: Counter[str] = Counter()
    by_folder: dict[str, Counter[str]] = {}
    for path in FILES:
        result = pipeline.receive("realworld", str(path.relative_to(CORPUS)), path.read_bytes())
        outcomes[result.outcome] += 1
        by_folder.setdefault(path.parent.name, Counter())[result.outcome] += 1
    with pipeline.db.transaction() as session:
        stored = session.scalar(select(func.count(RawItem.id)))
        unfinished = session.scalar(
            select(func.count(RawItem.id)).where(RawItem.status.not_in(["done", "quarantined"]))
        )
        raw_equal = all(
            item.raw == (CORPUS / item.source_key).read_bytes()
            for item in session.scalars(select(RawItem))
        )
        tickets = session.scalar(select(func.count(Ticket.id)))
        acks_to_bounces = session.scalar(
            select(func.count(Outbox.id)).where(Outbox.recipient.like("mailer-daemon%"))
        )
    assert stored == len(FILES)
    assert unfinished == 0
    assert raw_equal, "raw bytes must be stored exactly as received"
    assert tickets > 0
    assert acks_to_bounces == 0
    bounces = by_folder["bounces"]
    assert bounces["ticket_created"] <= len(FILES) * 0.02, bounces
    auto = by_folder["autoreplies"]
    assert auto["ticket_created"] == 0, auto


def test_quarantined_items_keep_their_error_and_can_be_retried(pipeline):
    empty = pipeline.receive("test", "empty", b"")
    binary = pipeline.receive("test", "binary", bytes(range(256)) * 40)
    assert empty.outcome == binary.outcome == "quarantined"
    assert "empty" in empty.error
    retried = pipeline.process(empty.raw_item_id)
    assert retried.outcome == "quarantined"
