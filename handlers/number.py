"""Number: the new ticket gets its unified number, in the same transaction that creates it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from daemon.clock import utcnow
from daemon.store import history
from daemon.store.models import Ticket
from daemon.store.numbering import format_number, next_value, scope_for
from handlers.context import Item, Reject

name = "number"


def run(item: Item) -> None:
    if not item.sender:
        raise Reject("no usable sender address (From header missing or invalid)")
    desk = item.settings.desk
    now = utcnow()
    local = now.astimezone(ZoneInfo(desk.time_zone))
    seq = next_value(item.session, scope_for(desk.number_format, local))
    ticket = Ticket(
        number=format_number(desk.number_format, local, seq),
        channel=item.channel,
        owner_email=item.sender,
        owner_name=item.sender_name or None,
        language=item.language,
        subject=item.subject,
        body=item.text,
        message_id=item.message_id,
        kind=item.decision.kind,
        category=item.decision.category,
        severity=item.decision.severity,
        location=item.location,
        building=(item.location or {}).get("building"),
        linked_to=item.linked_to,
        created_at=now,
    )
    item.session.add(ticket)
    history.record(
        item.session,
        ticket,
        "received",
        at=now,
        actor=item.sender or "unknown",
        channel=item.channel,
        text=item.text,
        data={"subject": item.subject, "message_id": item.message_id},
        raw_item=item.raw_item,
    )
    history.record(
        item.session,
        ticket,
        "classified",
        at=now,
        data={**item.decision.as_dict(), "location": item.location},
    )
    for attachment in item.attachments:
        attachment.ticket = ticket
    item.ticket = ticket
