"""Refused replies: a mail to one of our signed reply addresses that fails the check belongs to
staff, not to the owner intake. It is kept on the ticket its address names (or held in
quarantine when there is none), customer service is told, nobody is acknowledged and no ticket
is made."""

from __future__ import annotations

from typing import NoReturn

from daemon.mail import outbox, staff
from daemon.mail.compose import from_template
from daemon.store import history
from daemon.store.models import Ticket
from handlers.assign import send_staff_mail
from handlers.context import Done, Hold, Item
from handlers.messages import append


def refuse(item: Item, ticket: Ticket | None, why: str, address: str = "") -> NoReturn:
    """Never a command or an answer: the message joins ``ticket`` as a plain message, or waits
    in quarantine for staff; ``address`` is the reply address it was sent to."""
    item.untrusted = True
    if ticket is None:
        _tell_customer_service(item, why, address)
        raise Hold(f"refused reply to {address or 'a reply address'}: {why}")
    item.ticket = ticket
    append(item, ticket)
    history.record(
        item.session,
        ticket,
        "command_refused",
        actor=item.sender or "unknown",
        channel=item.channel,
        text=why,
        raw_item=item.raw_item,
    )
    head = _customer_service_head(item)
    if head:
        send_staff_mail(
            item,
            head,
            "staff/refused",
            "refused_attempt",
            department="customer_service",
            role="m",
            why=why,
            sender=item.sender or "unknown",
        )
    raise Done("appended", ticket.number)


def _customer_service_head(item: Item) -> str | None:
    department = item.settings.departments.get("customer_service")
    return department.head if department else None


def _tell_customer_service(item: Item, why: str, address: str) -> None:
    """No ticket to keep it on: customer service learns of it from the desk's own address."""
    head = _customer_service_head(item)
    if not head:
        return
    mail = from_template(
        item.settings,
        item.templates,
        "staff/refused_mail",
        language=staff.reader_language(item.settings, head, "customer_service"),
        to=head,
        sender=item.sender or "unknown",
        address=address,
        subject=item.subject,
        why=why,
    )
    item.outbox.append(outbox.add(item.session, mail, purpose="refused_attempt"))
