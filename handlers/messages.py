"""What the thread and owner steps both do with a message on an existing ticket: record it on the
ticket, and tell the person working on it."""

from __future__ import annotations

from daemon import states
from daemon.store import history
from daemon.store.models import Ticket
from handlers import alert
from handlers.assign import send_staff_mail
from handlers.context import Item


def append(item: Item, ticket: Ticket) -> None:
    """Add the message to the ticket's history; an owner writing again re-opens a closed ticket."""
    session = item.session
    actor = item.sender or "unknown"
    history.record(
        session,
        ticket,
        "message",
        actor=actor,
        channel=item.channel,
        text=item.text,
        data={"subject": item.subject, "message_id": item.message_id},
        raw_item=item.raw_item,
    )
    for attachment in item.attachments:
        attachment.ticket = ticket
    _escalate(item, ticket)
    if ticket.status in states.CLOSED and actor == ticket.owner_email:
        ticket.status = "accepted"
        history.record(session, ticket, "reopened", actor=actor, channel=item.channel)


def _escalate(item: Item, ticket: Ticket) -> None:
    """A follow-up can make a ticket major (a gas smell, a threat to call the press): never less."""
    if ticket.severity == "major":
        return
    decision = item.classifier.classify(item.subject, item.text)
    if decision.severity != "major":
        return
    ticket.severity = "major"
    item.decision = decision
    history.record(
        item.session,
        ticket,
        "escalated",
        data={"severity": "major", "reasons": decision.reasons},
    )
    alert.report_major(item)


def tell_assignee(item: Item, ticket: Ticket, what: str) -> None:
    """Pass what the owner wrote (or decided) to whoever works on the ticket, in their language."""
    if ticket.assignee:
        send_staff_mail(
            item,
            ticket.assignee,
            "department/owner_message",
            "owner_message",
            department=ticket.department,
            what=what,
            text=item.reply_text,
        )
