"""Alert: major tickets go to the general manager at once, new hot topics to customer service."""

from __future__ import annotations

from sqlalchemy import select

from daemon.store.models import Ticket
from handlers.assign import send_staff_mail
from handlers.context import Item

name = "alert"


def _customer_service_head(item: Item) -> str | None:
    department = item.settings.departments.get("customer_service")
    return department.head if department else None


def _send(item: Item, to: str, template: str, purpose: str, **context: object) -> None:
    send_staff_mail(item, to, template, purpose, department="customer_service", role="m", **context)


def report_major(item: Item) -> None:
    """Tell the general manager (or, without one, the customer-service head) at once."""
    manager = item.settings.routing.general_manager or _customer_service_head(item)
    if manager:
        reasons = [r for r in item.decision.reasons if r.startswith("severity.major")]
        _send(item, manager, "staff/major", "major_alert", reasons=", ".join(reasons))


def run(item: Item) -> None:
    ticket = item.ticket
    routing = item.settings.routing
    if ticket.severity == "major":
        report_major(item)
    head = _customer_service_head(item)
    if item.hot_topic_formed and head:
        item.session.flush()  # the members' new hot_topic, whether or not the session autoflushes
        members = item.session.scalars(
            select(Ticket).where(Ticket.hot_topic == ticket.hot_topic).order_by(Ticket.id)
        ).all()
        _send(
            item,
            head,
            "staff/hot",
            "hot_topic_alert",
            topic=ticket.hot_topic,
            count=len(members),
            tickets=members,
            building=ticket.building,
            window_hours=f"{routing.hot_window_hours:g}",
        )
