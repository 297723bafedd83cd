"""Route: the responsible department, its head, the building's butler, and every deadline."""

from __future__ import annotations

from daemon.clock import utcnow
from daemon.sla import deadlines, timers
from daemon.store import history
from handlers.context import Item

name = "route"


def run(item: Item) -> None:
    ticket = item.ticket
    settings = item.settings
    ticket.department = settings.routing.categories.get(ticket.category, "customer_service")
    department = settings.departments.get(ticket.department)
    ticket.assignee = department.head if department else None
    if ticket.building:
        ticket.butler = settings.routing.butlers.get(ticket.building)
    start = ticket.created_at or utcnow()
    ticket.deadlines = deadlines.compute(
        ticket, settings.sla, item.calendar, start, item.decision.trades
    )
    timers.sync(item.session, ticket, timers.Policy(settings, item.calendar), start)
    history.record(
        item.session,
        ticket,
        "routed",
        data={
            "department": ticket.department,
            "assignee": ticket.assignee,
            "butler": ticket.butler,
            "deadlines": ticket.deadlines,
        },
    )
