"""Mail to staff about a ticket: the context every staff template shares, in their language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from daemon import i18n
from daemon.config import Settings
from daemon.store.models import Ticket


def language_for(settings: Settings, department: str) -> str:
    """A department reads mail in its configured language, else in the desk's default."""
    configured = settings.departments.get(department)
    return (configured.language if configured else None) or settings.desk.default_language


def ticket_context(settings: Settings, ticket: Ticket, language: str) -> dict[str, Any]:
    """Names and dates for staff templates; the owner's address is deliberately not included."""
    zone = settings.desk.time_zone
    department = settings.departments.get(ticket.department)
    deadlines = [
        (step, i18n.format_when(datetime.fromisoformat(when), language, zone))
        for step, when in (ticket.deadlines or {}).items()
        if step != "answer"
    ]
    return {
        "ticket": ticket,
        "kind_name": i18n.kind_name(ticket.kind, language),
        "category_name": i18n.category_name(ticket.category, language),
        "severity_name": i18n.severity_name(ticket.severity, language),
        "department_name": i18n.department_name(
            ticket.department, language, department.names if department else None
        ),
        "location": i18n.location_text(ticket.location, language),
        "deadlines": deadlines,
        "step_names": i18n.step_names(language),
        "created_at_local": i18n.format_when(ticket.created_at, language, zone),
    }
