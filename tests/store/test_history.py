"""Ticket history written as plain rows: every line recorded ends up in the events table once,
in the order recorded, and nothing of what a rolled-back item or savepoint recorded is kept
(on SQLite and on PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from daemon.pipeline import Pipeline
from daemon.store import history
from daemon.store.db import Database
from daemon.store.models import Event, Outbox, Ticket
from tests.mails import leak_reports

CUSTOMER_SERVICE_HEAD = "kefu@desk.example"


@pytest.fixture
def pipeline(make_settings, tmp_path, db_url):
    settings = make_settings(
        database={"url": db_url},
        desk={"time_zone": "Asia/Shanghai", "default_language": "zh"},
        departments={
            "engineering": {"head": "gongcheng@desk.example", "language": "zh"},
            "customer_service": {"head": CUSTOMER_SERVICE_HEAD, "language": "zh"},
        },
        routing={"hot_threshold": 3},
        classifier={"model_file": str(tmp_path / "no-model.pkl")},
    )
    db = Database(settings.database.url)
    db.migrate()
    return Pipeline(settings, db)


def lines(db: Database) -> list[tuple[str, str]]:
    """(ticket number, kind) of every history line, by id."""
    with db.transaction() as session:
        query = select(Ticket.number, Event.kind).join(Ticket).order_by(Event.id)
        return [tuple(row) for row in session.execute(query)]


def test_a_batch_leaves_each_tickets_history_in_the_order_it_happened(pipeline):
    # The third leak forms a hot topic: its alert flushes in the middle of the item.
    results = pipeline.receive_batch("imap", leak_reports(101, 202, 303))

    first, second, third = (r.ticket for r in results)
    new_ticket = ["received", "classified", "routed"]
    told = ["acknowledged", "assigned"]
    assert lines(pipeline.db) == [
        *[(first, kind) for kind in [*new_ticket, *told]],
        *[(second, kind) for kind in [*new_ticket, *told]],
        *[(third, kind) for kind in new_ticket],
        (first, "hot_topic"),
        (second, "hot_topic"),
        (third, "hot_topic"),
        *[(third, kind) for kind in [*told, "hot_topic_alert"]],
    ]
    with pipeline.db.transaction() as session:
        received = session.scalars(select(Event).where(Event.kind == "received")).all()
        assert [e.raw_item_id for e in received] == [r.raw_item_id for r in results]
        assert [e.actor for e in received] == [f"owner{n}@owner.example" for n in (101, 202, 303)]
        assert all(e.at.tzinfo is not None and e.data["subject"] for e in received)


def test_an_item_quarantined_on_the_careful_way_leaves_no_history(pipeline, monkeypatch):
    from handlers import alert

    real = alert.run

    def explode(item):
        real(item)  # the third leak forms a hot topic: its lines are flushed, then it fails
        if item.sender == "owner303@owner.example":
            raise RuntimeError("alert exploded")

    monkeypatch.setattr(alert, "run", explode)

    results = pipeline.receive_batch("imap", leak_reports(101, 202, 303))

    assert [r.outcome for r in results] == ["ticket_created", "ticket_created", "quarantined"]
    kinds = ["received", "classified", "routed", "acknowledged", "assigned"]
    assert lines(pipeline.db) == [
        *[(results[0].ticket, kind) for kind in kinds],
        *[(results[1].ticket, kind) for kind in kinds],
    ]


def test_a_line_recorded_without_other_changes_is_stored(pipeline):
    """As in the dispatcher's sessions: Core statements only, so no flush writes anything."""
    [result] = pipeline.receive_batch("imap", leak_reports(101))
    before = lines(pipeline.db)
    with pipeline.db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == result.ticket))
        session.execute(update(Outbox).values(claimed_until=None))
        history.record(session, ticket, "note", actor="staff@desk.example", text="called back")
        session.flush()  # nothing to flush: the line waits for the commit
        history.record(session, ticket, "status", data={"from": "accepted", "to": "confirmed"})

    assert lines(pipeline.db) == [*before, (result.ticket, "note"), (result.ticket, "status")]
    with pipeline.db.transaction() as session:
        note, status = session.scalars(select(Event).order_by(Event.id.desc()).limit(2)).all()[::-1]
        assert (note.actor, note.channel, note.text, note.data) == (
            "staff@desk.example",
            "system",
            "called back",
            None,
        )
        assert status.actor == "complaintd"
        assert status.data == {"from": "accepted", "to": "confirmed"}


def test_a_rolled_back_savepoint_drops_its_lines_and_keeps_those_before_it(pipeline):
    [result] = pipeline.receive_batch("imap", leak_reports(101))
    before = lines(pipeline.db)
    with pipeline.db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == result.ticket))
        history.record(session, ticket, "before")
        with pytest.raises(RuntimeError), session.begin_nested():
            history.record(session, ticket, "inside")
            raise RuntimeError("the savepoint rolls back")
        with session.begin_nested():
            history.record(session, ticket, "kept")
        history.record(session, ticket, "after")

    kept = [(result.ticket, kind) for kind in ("before", "kept", "after")]
    assert lines(pipeline.db) == [*before, *kept]


def test_a_rolled_back_transaction_stores_nothing(pipeline):
    [result] = pipeline.receive_batch("imap", leak_reports(101))
    before = lines(pipeline.db)
    with pytest.raises(RuntimeError), pipeline.db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == result.ticket))
        history.record(session, ticket, "note", text="never")
        session.flush()
        raise RuntimeError("the transaction rolls back")

    assert lines(pipeline.db) == before


def test_lines_are_in_the_table_once_the_session_has_flushed(pipeline):
    """Queries later in the same transaction see them, as they saw ORM-added events."""
    [result] = pipeline.receive_batch("imap", leak_reports(101))
    with pipeline.db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == result.ticket))
        ticket.severity = "major"
        history.record(session, ticket, "escalated", data={"severity": "major"})
        session.flush()
        found = select(Event.kind).where(Event.ticket_id == ticket.id).order_by(Event.id.desc())
        assert session.scalars(found).first() == "escalated"
