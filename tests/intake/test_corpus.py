"""Our own corpus (tests/corpus, see its manifest): each file's expected outcome and decoding."""

from __future__ import annotations

import tomllib

import pytest
from sqlalchemy import select

from daemon.pipeline import Pipeline
from daemon.store.db import Database
from daemon.store.models import Attachment, Bounce, RawItem, Ticket
from tests.paths import TESTS

CORPUS = TESTS / "corpus"
MANIFEST = tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8"))["files"]
FIRST = {"dup_first.eml", "zh_gb2312_leak.eml"}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Run the whole corpus once, in manifest order, with tickets for the threading files."""
    from tests.conftest import Settings

    root = tmp_path_factory.mktemp("corpus")
    settings = Settings.model_validate(
        {
            "desk": {"address": "complaints@desk.example", "max_acks_per_sender_per_hour": 100},
            "database": {"url": f"sqlite:///{root}/c.db"},
            "storage": {"attachments_dir": str(root / "att")},
            "outbox": {"dir": str(root / "out")},
        }
    )
    db = Database(settings.database.url)
    db.migrate()
    pipeline = Pipeline(settings, db)
    _prepare_threads(pipeline)
    order = sorted(MANIFEST, key=lambda name: (name not in FIRST, "thread" in name, name))
    found = {name: pipeline.receive("corpus", name, (CORPUS / name).read_bytes()) for name in order}
    return pipeline, found


def _prepare_threads(pipeline: Pipeline) -> None:
    """Create the tickets and the ack the threading files refer to."""
    from tests.mails import complaint

    for name, spec in MANIFEST.items():
        if spec["outcome"] == "thread_by_subject":
            result = pipeline.receive("setup", name, complaint("Earlier complaint."))
            with pipeline.db.transaction() as session:
                ticket = session.scalar(select(Ticket).where(Ticket.number == result.ticket))
                ticket.number = spec["ticket_ref"]
        if spec["outcome"] == "thread_by_reference":
            result = pipeline.receive("setup", name, complaint("Earlier complaint 2."))
            from daemon.store.models import Outbox

            with pipeline.db.transaction() as session:
                row = session.scalar(select(Outbox).where(Outbox.id.in_(result.outbox_ids)))
                row.message_id = spec["in_reply_to"].strip("<>")


EXPECTED = {
    "thread_by_subject": {"appended"},
    "thread_by_reference": {"appended"},
    "no_sender": {"quarantined"},
    "ticket_or_quarantine": {"ticket_created", "quarantined"},
}


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_outcome(results, name):
    spec = MANIFEST[name]
    result = results[1][name]
    assert result.outcome in EXPECTED.get(spec["outcome"], {spec["outcome"]}), result.error


@pytest.mark.parametrize(
    "name", sorted(n for n, s in MANIFEST.items() if s["outcome"] == "ticket_created")
)
def test_decoded_text_and_language(results, name):
    pipeline, found = results
    spec = MANIFEST[name]
    with pipeline.db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == found[name].ticket))
        files = session.scalars(
            select(Attachment.filename)
            .where(Attachment.raw_item_id == found[name].raw_item_id)
            .order_by(Attachment.id)
        ).all()
    assert ticket.language == spec["language"]
    assert spec.get("subject_contains", "") in ticket.subject
    assert spec.get("body_contains", "") in ticket.body
    for absent in spec.get("body_not_contains", []):
        assert absent not in ticket.body
    if "attachments" in spec:
        assert [f for f in files if f in spec["attachments"]] == spec["attachments"]
    if "sender" in spec:
        assert ticket.owner_email == spec["sender"]
    assert found[name].outbox_ids, "a person's complaint gets an acknowledgement"


def test_bounces_name_the_failed_address(results):
    pipeline, _found = results
    with pipeline.db.transaction() as session:
        bounced = set(session.scalars(select(Bounce.address)))
    expected = {s["bounced_address"] for s in MANIFEST.values() if s["outcome"] == "bounce"}
    assert expected <= bounced


def test_nothing_is_lost(results):
    pipeline, found = results
    with pipeline.db.transaction() as session:
        for name, result in found.items():
            item = session.get(RawItem, result.raw_item_id)
            assert item.raw == (CORPUS / name).read_bytes()
            assert item.status in ("done", "quarantined")
