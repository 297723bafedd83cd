"""Ticket history: events are recorded as plain rows and written with one INSERT per flush.

An ORM object per event, passed through the unit of work, cost about a fifth of the intake's
CPU. ``record`` only notes the row in its session; the rows go to the events table in the order
they were recorded, as one executemany:

- after each flush of the session (the new tickets have their ids then);
- when a transaction or savepoint commits, for what is still waiting (a flush without changes
  to objects runs no flush events);
- before a savepoint begins, in the transaction around it, so that rolling the savepoint back
  does not take rows recorded before it.

Rows waiting when a transaction or savepoint ends without them being written (a rollback) are
dropped with it. The listeners are on every ``Session``, so any session can record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, event, insert
from sqlalchemy.orm import Session, SessionTransaction

from daemon.clock import utcnow
from daemon.store.models import Event, RawItem, Ticket

_PENDING = "history.pending"
"""The key in ``Session.info`` of the rows recorded and not written yet."""
_INSERT = insert(Event.__table__)


def record(
    session: Session,
    ticket: Ticket,
    kind: str,
    *,
    actor: str = "complaintd",
    channel: str = "system",
    text: str | None = None,
    data: dict[str, Any] | None = None,
    raw_item: RawItem | None = None,
    at: datetime | None = None,
) -> None:
    """Add a line to the ticket's history, written with the session's next flush or commit.

    ``ticket`` and ``raw_item`` may be new: their ids are read when the row is written.
    """
    if ticket.id is None and ticket not in session:
        session.add(ticket)  # as the relationship from an Event object did
    row = (ticket, raw_item, at or utcnow(), actor, channel, kind, text, data)
    pending = session.info.get(_PENDING)
    if pending is None:
        session.info[_PENDING] = [row]
    else:
        pending.append(row)


def write(session: Session, connection: Connection | None = None) -> None:
    """Write the rows waiting in the session now (with ``connection``: there)."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    rows = [
        {
            "ticket_id": ticket.id,
            "at": at,
            "actor": actor,
            "channel": channel,
            "kind": kind,
            "text": text,
            "data": data,
            "raw_item_id": None if raw_item is None else raw_item.id,
        }
        for ticket, raw_item, at, actor, channel, kind, text, data in pending
    ]
    pending.clear()
    (connection or session.connection()).execute(_INSERT, rows)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush_context: Any) -> None:
    write(session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.info.get(_PENDING):
        session.flush()  # the tickets the rows name get their ids
        write(session)


@event.listens_for(Session, "after_transaction_create")
def _before_savepoint(session: Session, transaction: SessionTransaction) -> None:
    # The session has just been flushed; the SAVEPOINT itself is not sent yet.
    if transaction.nested and session.info.get(_PENDING):
        write(session, transaction.parent.connection(None))


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    # A committed transaction or savepoint has written its rows; a rolled-back one drops them.
    # (A flush's own subtransaction ending is neither.)
    if transaction.nested or transaction.parent is None:
        pending = session.info.get(_PENDING)
        if pending:
            pending.clear()
