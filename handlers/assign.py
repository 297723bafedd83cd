"""Assign: the department head (and the building's butler) receive the ticket, its deadlines and
the owner's words, without the owner's address."""

from __future__ import annotations

from daemon import outbox, staff
from daemon.mail import from_template
from daemon.models import Event
from handlers.context import Item

name = "assign"


def _send(item: Item, to: str, purpose: str, event: str) -> None:
    ticket = item.ticket
    language = staff.language_for(item.settings, ticket.department)
    message = from_template(
        item.settings,
        item.templates,
        "department/assignment",
        language=language,
        to=to,
        ticket_number=ticket.number,
        **staff.ticket_context(item.settings, ticket, language),
    )
    row = outbox.add(item.session, message, purpose=purpose, ticket=ticket)
    item.outbox.append(row)
    item.session.add(
        Event(
            ticket=ticket,
            actor="complaintd",
            channel="email",
            kind=event,
            data={"to": to, "message_id": row.message_id},
        )
    )


def run(item: Item) -> None:
    ticket = item.ticket
    if ticket.assignee:
        _send(item, ticket.assignee, "assignment", "assigned")
    else:
        item.session.add(
            Event(
                ticket=ticket,
                actor="complaintd",
                channel="system",
                kind="unassigned",
                text=f"department {ticket.department} has no head configured",
            )
        )
    if ticket.butler and ticket.butler != ticket.assignee:
        _send(item, ticket.butler, "butler_notice", "butler_notified")
