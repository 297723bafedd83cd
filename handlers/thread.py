"""Thread: a message about a known ticket (number in the subject, answer to our mail) joins it."""

from __future__ import annotations

from sqlalchemy import select

from daemon import history
from daemon.models import Outbox, Ticket
from daemon.numbering import number_pattern
from daemon.replytext import latest_reply
from handlers import alert
from handlers.context import Done, Item

name = "thread"


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
    if ticket.status == "closed" and actor == ticket.owner_email:
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


def run(item: Item) -> None:
    if item.linked_to:
        return
    ticket = find_ticket(item)
    if ticket is not None:
        item.ticket = ticket
        append(item, ticket)
        if item.sender and item.sender == ticket.owner_email and not item.untrusted:
            from handlers.owner import tell_assignee

            item.reply_text = item.reply_text or latest_reply(item.text)
            tell_assignee(item, ticket, "message")
        raise Done("appended", ticket.number)
