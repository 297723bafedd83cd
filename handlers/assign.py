"""Assign: the department head (and the building's butler) receive the ticket, its deadlines and
the owner's words, without the owner's address."""

from __future__ import annotations

from daemon.mail import staff
from daemon.mail.compose import from_template
from daemon.store import history
from handlers.context import Item

name = "assign"
ASSIGNMENT = "department/assignment"


def send_staff_mail(
    item: Item,
    to: str,
    template: str,
    purpose: str,
    *,
    department: str,
    event: str | None = None,
    role: str = "d",
    **context: object,
) -> None:
    """Queue a mail about the ticket (``department``'s business) to a member of staff, in the
    reader's language (``staff.reader_language``)."""
    ticket = item.ticket
    language = staff.reader_language(item.settings, to, department)
    message = from_template(
        item.settings,
        item.templates,
        template,
        language=language,
        to=to,
        ticket_number=ticket.number,
        reply_to=item.reply_address(role, to),
        **staff.ticket_context(item.settings, ticket, language),
        **context,
    )
    item.queue_mail(message, purpose, event)


def run(item: Item) -> None:
    ticket = item.ticket
    if ticket.assignee:
        send_staff_mail(
            item,
            ticket.assignee,
            ASSIGNMENT,
            "assignment",
            department=ticket.department,
            event="assigned",
        )
    else:
        history.record(
            item.session,
            ticket,
            "unassigned",
            text=f"department {ticket.department} has no head configured",
        )
    if ticket.butler and ticket.butler != ticket.assignee:
        send_staff_mail(
            item,
            ticket.butler,
            ASSIGNMENT,
            "butler_notice",
            department=ticket.department,
            event="butler_notified",
        )
