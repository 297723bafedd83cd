"""Thread: a message about a known ticket (number in the subject, answer to our mail) joins it."""

from __future__ import annotations

from sqlalchemy import select

from daemon.mail.replytext import latest_reply
from daemon.store.models import Outbox, Ticket
from daemon.store.numbering import number_pattern
from handlers.context import Done, Item
from handlers.messages import append, tell_assignee

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


def run(item: Item) -> None:
    if item.linked_to:
        return
    ticket = find_ticket(item)
    if ticket is not None:
        item.ticket = ticket
        append(item, ticket)
        if item.sender and item.sender == ticket.owner_email and not item.untrusted:
            item.reply_text = item.reply_text or latest_reply(item.text)
            tell_assignee(item, ticket, "message")
        raise Done("appended", ticket.number)
