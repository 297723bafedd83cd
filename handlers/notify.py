"""Notify: the owner's acknowledgement, in their language, with the number and the answer date."""

from __future__ import annotations

from datetime import datetime

from daemon.i18n import department_name, format_when
from daemon.mail import outbox
from daemon.mail.compose import from_template
from daemon.mail.tokens import status_token
from daemon.store import history
from handlers.context import Item

name = "notify"


def run(item: Item) -> None:
    ticket = item.ticket
    settings = item.settings
    recipient = item.reply_to or ticket.owner_email
    limit = settings.desk.max_acks_per_sender_per_hour
    sent = item.prefetched.acks_to(recipient) if item.prefetched else None
    if sent is None:
        sent = outbox.recent_count(item.session, recipient, "ack")
    if sent >= limit:
        history.record(
            item.session,
            ticket,
            "ack_suppressed",
            text=f"more than {limit} acknowledgements to {recipient} within an hour",
        )
        return
    answer_by = datetime.fromisoformat(ticket.deadlines["answer"])
    zone = settings.desk.time_zone
    resolve_step = next((s for s in ("repair", "resolve") if s in ticket.deadlines), None)
    resolve_by = resolve_step and datetime.fromisoformat(ticket.deadlines[resolve_step])
    message = from_template(
        settings,
        item.templates,
        "owner/ack",
        language=ticket.language,
        to=recipient,
        to_name=ticket.owner_name or "",
        ticket_number=ticket.number,
        in_reply_to=item.message_id,
        reply_to=item.reply_address("o", recipient),
        ticket=ticket,
        department_name=department_name(ticket.department, ticket.language),
        answer_by=format_when(answer_by, ticket.language, zone),
        resolve_step=resolve_step,
        resolve_by=resolve_by and format_when(resolve_by, ticket.language, zone),
        status_url=status_url(item),
    )
    item.ack_message_id = item.queue_mail(message, "ack", "acknowledged").message_id
    if item.prefetched:
        item.prefetched.acknowledged(recipient)


def status_url(item: Item) -> str:
    """The owner's signed link to the status page, when the desk has a web address."""
    base = item.settings.desk.web_url.rstrip("/")
    if not base:
        return ""
    number = item.ticket.number
    return (
        f"{base}/status/{number}?t={status_token(item.secret, number)}&lang={item.ticket.language}"
    )


def send_owner_mail(item: Item, template: str, purpose: str, **context: object) -> None:
    """Queue a mail about the ticket to its owner, in the owner's language, from the desk."""
    ticket = item.ticket
    if not ticket.owner_email:
        return
    message = from_template(
        item.settings,
        item.templates,
        template,
        language=ticket.language,
        to=ticket.owner_email,
        to_name=ticket.owner_name or "",
        ticket_number=ticket.number,
        reply_to=item.reply_address("o", ticket.owner_email),
        ticket=ticket,
        department_name=department_name(ticket.department, ticket.language),
        status_url=status_url(item),
        **context,
    )
    item.queue_mail(message, purpose)
