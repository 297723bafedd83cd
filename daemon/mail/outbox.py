"""The outbox: rows written with the change that caused them, claimed and marked by dispatchers."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from daemon.clock import utcnow
from daemon.mail.compose import Composed, render
from daemon.store.models import Outbox, Ticket

log = logging.getLogger(__name__)

CLAIM_SECONDS = 120
"""How long a dispatcher owns a row it is sending; after that another may take it over."""

_OUTBOX = Outbox.__table__
_RECENT = select(func.count(_OUTBOX.c.id)).where(
    _OUTBOX.c.recipient == bindparam("to"),
    _OUTBOX.c.purpose == bindparam("for_purpose"),
    _OUTBOX.c.created_at >= bindparam("since"),
)
"""Built once and run as Core: it is asked for every acknowledgement the pipeline sends."""


def add(session: Session, mail: Composed, *, purpose: str, ticket: Ticket | None = None) -> Outbox:
    """Queue a composed message; what it says and its Message-ID are fixed from now on.

    The row keeps the draft and the dispatcher makes the bytes, unless they were made already.
    Its time is the mail's Date. The purpose goes into the mail's ``X-Complaintd-Purpose``."""
    if mail.draft.get("purpose") != purpose:
        mail.draft["purpose"] = purpose
        mail.__dict__.pop("raw", None)  # bytes made before (rarely) are made again with it
    created = datetime.fromisoformat(mail.draft["date"])
    row = Outbox(
        ticket=ticket,
        purpose=purpose,
        recipient=mail.recipient,
        message_id=mail.message_id,
        raw=mail.raw if mail.rendered else None,
        draft=None if mail.rendered else mail.draft,
        created_at=created,
        next_attempt_at=created,
    )
    session.add(row)
    return row


def message_bytes(row: Outbox) -> bytes:
    """The mail's bytes: as stored, or made from its draft (without storing them)."""
    return row.raw if row.raw is not None else render(row.draft)


def store_bytes(session: Session, rows: list[Outbox]) -> None:
    """Keep the bytes made for these drafted rows in place of their drafts (rows the caller
    has claimed): every later attempt, by this dispatcher or another, sends the same bytes."""
    changes = [{"id": row.id, "raw": row.raw, "draft": None} for row in rows]
    session.execute(update(Outbox), changes)


def recent_count(session: Session, recipient: str, purpose: str, hours: float = 1.0) -> int:
    """Mails of one purpose queued for a recipient within the last ``hours`` (flushed rows)."""
    since = utcnow() - timedelta(hours=hours)
    params = {"to": recipient, "for_purpose": purpose, "since": since}
    return session.connection().execute(_RECENT, params).scalar() or 0


def due_ids(session: Session, limit: int = 100, older_than: datetime | None = None) -> list[int]:
    """Pending rows whose time has come and that no live dispatcher holds."""
    now = utcnow()
    query = (
        select(Outbox.id)
        .where(
            Outbox.status == "pending",
            Outbox.next_attempt_at <= now,
            or_(Outbox.claimed_until.is_(None), Outbox.claimed_until < now),
        )
        .order_by(Outbox.id)
        .limit(limit)
    )
    if older_than is not None:
        query = query.where(Outbox.created_at < older_than)
    return list(session.scalars(query))


def release_claims(session: Session) -> int:
    """Forget every claim: for a single sender at start, whose earlier self may have died."""
    result = session.execute(
        update(Outbox).where(Outbox.status == "pending").values(claimed_until=None)
    )
    return result.rowcount


def retry_now(session: Session) -> list[int]:
    """Make every pending row that waits for a later attempt due now; returns their ids.

    For a long-running sender's start: an admin restarts it after fixing ``[smtp]``, and the
    mail that waited must not wait out its back-off (up to ``retry_max_seconds``). Claims are
    left alone, so a row another sender holds stays its own and is sent once."""
    now = utcnow()
    moved = session.scalars(
        update(Outbox)
        .where(Outbox.status == "pending", Outbox.next_attempt_at > now)
        .values(next_attempt_at=now)
        .returning(Outbox.id)
    )
    ids = sorted(moved)
    if ids:
        log.info("%d mail(s) waiting for a retry are due now", len(ids))
    return ids


def claim(session: Session, ids: list[int]) -> list[Outbox]:
    """Take the rows no one else holds, in one statement; a row has one dispatcher at a time."""
    if not ids:
        return []
    now = utcnow()
    claimed = session.scalars(
        update(Outbox)
        .where(
            Outbox.id.in_(ids),
            Outbox.status == "pending",
            or_(Outbox.claimed_until.is_(None), Outbox.claimed_until < now),
        )
        .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        .returning(Outbox.id)
    ).all()
    if not claimed:
        return []
    return list(session.scalars(select(Outbox).where(Outbox.id.in_(claimed)).order_by(Outbox.id)))
