"""Mail to staff about a ticket: the context every staff template shares, in their language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from daemon import i18n
from daemon.config import ReportRecipient, Settings
from daemon.store.models import Ticket


def language_for(settings: Settings, department: str | None) -> str:
    """A department reads mail in its configured language, else in the desk's default."""
    configured = settings.departments.get(department) if department else None
    return (configured.language if configured else None) or settings.desk.default_language


def reader_language(settings: Settings, address: str | None, department: str | None = None) -> str:
    """The language a member of staff reads: their own (their ``reports.recipients`` entry),
    else their department's, else the desk's. One rule for report mail and ticket mail, so the
    general manager reads an escalation about a Spanish department's ticket in their language.

    ``department`` is the one the mail is about; it counts only if the reader is its head or a
    member (a ladder rung or an approver is not)."""
    wanted = (address or "").lower()
    person = next((r for r in settings.reports.recipients if r.address.lower() == wanted), None)
    if person and person.language:
        return person.language
    return language_for(settings, _department_of(settings, wanted, department, person))


def _department_of(
    settings: Settings, address: str, about: str | None, person: ReportRecipient | None
) -> str | None:
    """The reader's department: the one the mail is about if they serve in it, else the one
    given for them in ``reports.recipients``, else one they head, else one they serve in."""
    if not address:
        return about
    departments = settings.departments.items()
    heads = [name for name, d in departments if (d.head or "").lower() == address]
    serves = [name for name, d in departments if address in {m.lower() for m in d.members}]
    if about is not None and about in heads + serves:
        return about
    if person and person.department:
        return person.department
    return next(iter(heads + serves), None)


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
