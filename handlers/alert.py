"""Alert: major tickets go to the general manager at once, possible majors to the
customer-service head for a decision, new hot topics to customer service."""

from __future__ import annotations

from sqlalchemy import select

from daemon.store import history
from daemon.store.models import Ticket
from handlers.assign import send_staff_mail
from handlers.context import Item

name = "alert"


def _customer_service_head(item: Item) -> str | None:
    department = item.settings.departments.get("customer_service")
    return department.head if department else None


def _send(item: Item, to: str, template: str, purpose: str, **context: object) -> None:
    send_staff_mail(item, to, template, purpose, department="customer_service", role="m", **context)


DANGER_REASONS = ("severity.major", "hazard.", "model.severity:major")
"""The reasons that speak of danger, shown to whoever decides."""


def _danger(item: Item) -> str:
    return ", ".join(r for r in item.decision.reasons if r.startswith(DANGER_REASONS))


def report_major(item: Item, reasons: str | None = None) -> None:
    """Tell the general manager (or, without one, the customer-service head) at once."""
    manager = item.settings.routing.general_manager or _customer_service_head(item)
    if manager:
        shown = reasons if reasons is not None else _danger(item)
        _send(item, manager, "staff/major", "major_alert", reasons=shown)


def ask_about_possible_major(item: Item) -> None:
    """Weak but real signs of danger: flag it in the history and ask the customer-service head
    to decide at once (``#reclassify severity=major`` or ``=general`` by reply)."""
    reasons = _danger(item)
    history.record(item.session, item.ticket, "possible_major", data={"reasons": reasons})
    head = _customer_service_head(item)
    if head:
        _send(item, head, "staff/possible_major", "decision_request", reasons=reasons)


def run(item: Item) -> None:
    ticket = item.ticket
    routing = item.settings.routing
    if ticket.severity == "major":
        report_major(item)
    elif item.decision is not None and item.decision.possible_major:
        ask_about_possible_major(item)
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
