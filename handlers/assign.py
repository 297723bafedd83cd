"""Assign: the department head receives the ticket, its deadlines and the owner's words."""

from __future__ import annotations

from daemon import outbox, staff
from daemon.mail import from_template
from daemon.models import Event
from handlers.context import Item

name = "assign"


def run(item: Item) -> None:
    ticket = item.ticket
    if not ticket.assignee:
        item.session.add(
            Event(
                ticket=ticket,
                actor="complaintd",
                channel="system",
                kind="unassigned",
                text=f"department {ticket.department} has no head configured",
            )
        )
        return
    language = staff.language_for(item.settings, ticket.department)
    message = from_template(
        item.settings,
        item.templates,
        "department/assignment",
        language=language,
        to=ticket.assignee,
        ticket_number=ticket.number,
        **staff.ticket_context(item.settings, ticket, language),
    )
    row = outbox.add(item.session, message, purpose="assignment", ticket=ticket)
    item.outbox.append(row)
    item.session.add(
        Event(
            ticket=ticket,
            actor="complaintd",
            channel="email",
            kind="assigned",
            data={"to": ticket.assignee, "message_id": row.message_id},
        )
    )
