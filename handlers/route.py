"""Route: who answers the ticket and by when (everything goes to customer service for now)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from daemon.clock import utcnow
from daemon.models import Event
from handlers.context import Item

name = "route"
DEFAULT_DEPARTMENT = "customer_service"


def add_working_days(start: datetime, days: int) -> datetime:
    """Skip Saturdays and Sundays; the business calendar with holidays comes with routing rules."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def run(item: Item) -> None:
    ticket = item.ticket
    desk = item.settings.desk
    local = utcnow().astimezone(ZoneInfo(desk.time_zone))
    answer_by = add_working_days(local, desk.answer_within_days).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    ticket.department = DEFAULT_DEPARTMENT
    ticket.deadlines = {"answer": answer_by.isoformat()}
    item.session.add(
        Event(
            ticket=ticket,
            actor="complaintd",
            channel="system",
            kind="routed",
            data={"department": ticket.department, "deadlines": ticket.deadlines},
        )
    )
