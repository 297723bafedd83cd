"""Thread: a repeated message is a duplicate; an answer about a ticket joins that ticket."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from daemon.models import Event, Outbox, RawItem, Ticket
from daemon.numbering import number_pattern
from handlers import alert
from handlers.context import Done, Item

name = "thread"


def fingerprint(item: Item) -> str | None:
    """Message-ID plus sender and subject: broken clients reuse Message-IDs for different mail."""
    if not item.message_id:
        return None
    key = "\n".join((item.message_id, item.sender or "", item.subject))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _duplicate(item: Item) -> bool:
    item.raw_item.fingerprint = fingerprint(item)
    if item.raw_item.fingerprint is None:
        return False
    same = select(RawItem.id, RawItem.status).where(
        RawItem.fingerprint == item.raw_item.fingerprint
    )
    # Filtered here rather than in SQL so that SQLite uses the fingerprint index.
    return any(
        status == "done" and row_id != item.raw_item.id
        for row_id, status in item.session.execute(same)
    )


def find_ticket(item: Item) -> Ticket | None:
    """Roundup's order: the number in the subject, then In-Reply-To/References."""
    session = item.session
    match = number_pattern(item.settings.desk.number_format).search(item.subject)
    if match:
        ticket = session.scalar(select(Ticket).where(Ticket.number == match.group(1).upper()))
        if ticket is not None:
            return ticket
    for ref in item.in_reply_to:
        ticket_id = session.scalar(select(Outbox.ticket_id).where(Outbox.message_id == ref))
        if ticket_id is None:
            ticket_id = session.scalar(select(Ticket.id).where(Ticket.message_id == ref))
        if ticket_id is not None:
            return session.get(Ticket, ticket_id)
    return None


def append(item: Item, ticket: Ticket) -> None:
    """Add the message to the ticket's history; an owner writing again re-opens a closed ticket."""
    session = item.session
    actor = item.sender or "unknown"
    session.add(
        Event(
            ticket=ticket,
            actor=actor,
            channel=item.channel,
            kind="message",
            text=item.text,
            data={"subject": item.subject, "message_id": item.message_id},
            raw_item_id=item.raw_item.id,
        )
    )
    for attachment in item.attachments:
        attachment.ticket = ticket
    _escalate(item, ticket)
    if ticket.status == "closed" and actor == ticket.owner_email:
        ticket.status = "accepted"
        session.add(Event(ticket=ticket, actor=actor, channel=item.channel, kind="reopened"))


def _escalate(item: Item, ticket: Ticket) -> None:
    """A follow-up can make a ticket major (a gas smell, a threat to call the press): never less."""
    if ticket.severity == "major":
        return
    decision = item.classifier.classify(item.subject, item.text)
    if decision.severity != "major":
        return
    ticket.severity = "major"
    item.decision = decision
    item.session.add(
        Event(
            ticket=ticket,
            actor="complaintd",
            channel="system",
            kind="escalated",
            data={"severity": "major", "reasons": decision.reasons},
        )
    )
    alert.report_major(item)


def run(item: Item) -> None:
    if _duplicate(item):
        raise Done("duplicate", f"Message-ID {item.message_id} already recorded")
    ticket = find_ticket(item)
    if ticket is not None:
        item.ticket = ticket
        append(item, ticket)
        raise Done("appended", ticket.number)
