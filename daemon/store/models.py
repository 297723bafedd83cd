"""The system of record: raw items, tickets, their history, attachments, outbox and numbering."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    mapped_column,
    orm_insert_sentinel,
    relationship,
)

from daemon.clock import utcnow


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC and returns aware UTC, the same on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; all stored times are UTC-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(none_as_null=True)}


class BatchInserted:
    """A sentinel column lets SQLite insert a whole batch's rows in one statement and still
    tell which new id belongs to which object (without it, one INSERT per row)."""

    _sentinel: Mapped[int | None] = orm_insert_sentinel()


class RawItem(BatchInserted, Base):
    """Every item exactly as it arrived, stored before anything else happens to it."""

    __tablename__ = "raw_items"
    __table_args__ = (UniqueConstraint("source", "source_key", name="uq_raw_items_source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    source_key: Mapped[str] = mapped_column(String(255))
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(32), default="received", index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]

    ticket: Mapped[Ticket | None] = relationship()


OPEN_TICKET = "status NOT IN ('closed', 'revisited', 'fed_back')"
"""A ticket not closed (跟踪关闭 and the steps after it), as SQL: the partial index's condition,
which a query must repeat word for word for SQLite to use the index."""


class Ticket(BatchInserted, Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_hot", "building", "category", "created_at"),
        # The period reports: received, closed and resolved in a range; open at its end.
        Index("ix_tickets_created_at", "created_at"),
        Index("ix_tickets_closed_at", "closed_at"),
        Index("ix_tickets_resolved_at", "resolved_at"),
        # Open tickets only (the report's "open" and "overdue"); the same text as the reports'.
        Index(
            "ix_tickets_open",
            "created_at",
            sqlite_where=text(OPEN_TICKET),
            postgresql_where=text(OPEN_TICKET),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(32), default="accepted")
    channel: Mapped[str] = mapped_column(String(32))
    owner_email: Mapped[str | None] = mapped_column(String(320), index=True)
    owner_name: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32), default="complaint")
    category: Mapped[str] = mapped_column(String(32), default="other")
    severity: Mapped[str] = mapped_column(String(16), default="general")
    department: Mapped[str] = mapped_column(String(64), default="customer_service")
    assignee: Mapped[str | None] = mapped_column(String(320))
    butler: Mapped[str | None] = mapped_column(String(320))
    hot_topic: Mapped[str | None] = mapped_column(String(64), index=True)
    building: Mapped[str | None] = mapped_column(String(32))
    paused_at: Mapped[datetime | None]
    pending: Mapped[dict[str, Any] | None]
    satisfaction: Mapped[int | None]
    first_answer_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    revisited_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    linked_to: Mapped[str | None] = mapped_column(String(64))
    location: Mapped[dict[str, Any] | None]
    deadlines: Mapped[dict[str, Any] | None]
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    events: Mapped[list[Event]] = relationship(back_populates="ticket", order_by="Event.id")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="ticket")


class Event(BatchInserted, Base):
    """One line of a ticket's history: who did what, when, through which channel.

    Lines are written as plain rows by ``daemon.store.history.record``, not as objects of this class
    (the unit of work cost too much for ~5 lines per ticket); the class is for reading them.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(320))
    channel: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None]
    raw_item_id: Mapped[int | None] = mapped_column(ForeignKey("raw_items.id"))

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class Attachment(BatchInserted, Base):
    """An attachment's metadata; the bytes live in a file named by their SHA-256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    raw_item_id: Mapped[int] = mapped_column(ForeignKey("raw_items.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    stored: Mapped[bool] = mapped_column(default=True)

    ticket: Mapped[Ticket | None] = relationship(back_populates="attachments")
    # Never loaded; it tells the flush to insert the raw item first (its id may be reserved).
    raw_item: Mapped[RawItem | None] = relationship(lazy="raise_on_sql")


class Outbox(BatchInserted, Base):
    """A mail to send, fixed (draft or bytes, Message-ID) in the transaction that caused it.

    A new row usually holds the mail's ``draft`` and no ``raw``: the dispatcher makes the bytes
    and stores them before it first sends them, so every attempt sends the same bytes.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_recent", "recipient", "purpose", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(320))
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    draft: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    ticket: Mapped[Ticket | None] = relationship()


class NumberSequence(Base):
    """The last number handed out per scope (a day); bumped inside the ticket's transaction."""

    __tablename__ = "number_sequences"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Bounce(BatchInserted, Base):
    """A delivery failure reported for one of our recipients."""

    __tablename__ = "bounces"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(320), index=True)
    raw_item_id: Mapped[int] = mapped_column(ForeignKey("raw_items.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    # Never loaded; it tells the flush to insert the raw item first (its id may be reserved).
    raw_item: Mapped[RawItem | None] = relationship(lazy="raise_on_sql")


class Correction(Base):
    """Staff's correction of a classification: labelled data for ``classifier train``."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(320))
    field: Mapped[str] = mapped_column(String(32))
    old: Mapped[str | None] = mapped_column(String(64))
    new: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)


class FeedCursor(Base):
    """Where an external form feed stands: the cursor or since-value for its next request."""

    __tablename__ = "feed_cursors"

    feed: Mapped[str] = mapped_column(String(64), primary_key=True)
    cursor: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Deadline(BatchInserted, Base):
    """One promise on a ticket (feedback, survey, repair, resolve, butler, answer, approval, ...):
    when it is due now (after pauses and extensions), and whether and when it was met or missed.
    The reports count on-time rates from these rows; the scheduler acts on the open ones.

    The row is also its timer: ``next_at`` is when the scheduler looks at it next (None: nothing
    left to do), ``stage`` how many of its actions are done, ``escalated_at`` when the last
    escalation went out, ``round`` how often an agreed extension made it a new promise."""

    __tablename__ = "deadlines"
    __table_args__ = (
        UniqueConstraint("ticket_id", "step"),
        Index("ix_deadlines_open_due", "met_at", "due_at"),
        Index("ix_deadlines_due", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    step: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime]
    met_at: Mapped[datetime | None]
    missed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_at: Mapped[datetime | None] = mapped_column(index=True)
    stage: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    escalated_at: Mapped[datetime | None]
    round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    ticket: Mapped[Ticket] = relationship()


class SentKey(Base):
    """Time-driven mail already queued: one row per (ticket, deadline, step) reminder or escalation,
    owner notice, revisit or report, inserted in the transaction that queues its outbox row, so a
    crash, a restart or a second instance never sends it twice."""

    __tablename__ = "sent_keys"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
