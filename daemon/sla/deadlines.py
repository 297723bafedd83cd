"""SLA deadlines on the business calendar: computed when a ticket is routed, paused while the
desk waits for the owner, and shifted by the business time the pause lasted."""

from __future__ import annotations

from datetime import datetime

from daemon.config import SlaSettings
from daemon.sla.calendar import BusinessCalendar
from daemon.store.models import Ticket

TRADES_FOR_MULTI = 2
"""A repair that needs this many trades (plumber, electrician, ...) is a multi-trade repair."""


def _rule_value(sla: SlaSettings, ticket: Ticket, name: str) -> float | None:
    for rule in sla.rules:
        matches = all(
            getattr(rule, key) in (None, getattr(ticket, key))
            for key in ("kind", "category", "severity")
        )
        value = getattr(rule, name)
        if matches and value is not None:
            return value
    return None


def compute(
    ticket: Ticket, sla: SlaSettings, calendar: BusinessCalendar, start: datetime, trades: int = 1
) -> dict[str, str]:
    """Every deadline that applies to the ticket, as ISO 8601 UTC strings keyed by step."""
    feedback_hours = _rule_value(sla, ticket, "feedback_business_hours")
    feedback_days = _rule_value(sla, ticket, "feedback_working_days")
    if feedback_hours is not None:
        feedback = calendar.add_business_hours(start, feedback_hours)
    else:
        feedback = calendar.add_working_days(start, int(feedback_days or sla.feedback_working_days))
    deadlines = {"feedback": feedback}
    if ticket.category == "repair" or ticket.kind == "repair_request":
        repair_days = (
            sla.repair_multi_working_days
            if trades >= TRADES_FOR_MULTI
            else sla.repair_single_working_days
        )
        deadlines["survey"] = calendar.add_working_days(start, sla.survey_working_days)
        deadlines["repair"] = calendar.add_working_days(start, repair_days)
    elif ticket.kind == "complaint":
        resolve = _rule_value(sla, ticket, "resolve_working_days")
        deadlines["resolve"] = calendar.add_working_days(
            start, int(resolve if resolve is not None else sla.resolve_working_days)
        )
    if ticket.butler:
        deadlines["butler"] = calendar.add_business_hours(start, sla.butler_business_hours)
    deadlines["answer"] = feedback
    return {step: moment.isoformat() for step, moment in deadlines.items()}


def pause(ticket: Ticket, now: datetime) -> None:
    """Stop the clock: the desk is waiting for the owner."""
    if ticket.paused_at is None:
        ticket.paused_at = now


def resume(ticket: Ticket, calendar: BusinessCalendar, now: datetime) -> float:
    """Restart the clock, moving every open deadline on by the business time of the pause."""
    if ticket.paused_at is None:
        return 0.0
    paused = calendar.business_seconds_between(ticket.paused_at, now)
    ticket.paused_at = None
    if paused > 0 and ticket.deadlines:
        ticket.deadlines = {
            step: calendar.add_business_hours(
                datetime.fromisoformat(when), paused / 3600
            ).isoformat()
            for step, when in ticket.deadlines.items()
        }
    return paused
