"""Who is told when a deadline nears or passes: the person who must act, and the escalation
ladder above them (a department's own ``escalation`` list, else the roles in ``sla.escalation``:
department head → customer-service head → deputy GM → GM)."""

from __future__ import annotations

from dataclasses import dataclass

from daemon.config import Settings
from daemon.store.models import Ticket

ROLE_NAMES = {
    "head": {"zh": "部门负责人", "es": "el jefe del departamento", "en": "the head of department"},
    "customer_service": {
        "zh": "客服中心负责人",
        "es": "el responsable de atención al cliente",
        "en": "the head of customer service",
    },
    "deputy_gm": {
        "zh": "副总经理",
        "es": "el director general adjunto",
        "en": "the deputy general manager",
    },
    "general_manager": {"zh": "总经理", "es": "el director general", "en": "the general manager"},
    "management": {"zh": "公司管理层", "es": "la dirección", "en": "the management"},
}
"""Rungs by role, as the owner is told them (never by name)."""


@dataclass(frozen=True)
class Rung:
    """One step of a ladder: who gets the escalation mail, and their role."""

    address: str
    role: str


def _by_role(settings: Settings, department: str) -> dict[str, str | None]:
    head = settings.departments.get(department)
    customer_service = settings.departments.get("customer_service")
    return {
        "head": head.head if head else None,
        "customer_service": customer_service.head if customer_service else None,
        "deputy_gm": settings.replies.approvers.get("deputy_gm"),
        "general_manager": settings.routing.general_manager or settings.replies.approvers.get("gm"),
    }


def ladder(settings: Settings, department: str) -> list[Rung]:
    """The department's ladder, lowest rung first, each address once."""
    roles = _by_role(settings, department)
    own = settings.departments.get(department)
    if own and own.escalation:
        known = {address.lower(): role for role, address in roles.items() if address}
        wanted = [(a, known.get(a.lower(), "management")) for a in own.escalation]
    else:
        wanted = [(roles[role], role) for role in settings.sla.escalation]
    rungs, seen = [], set()
    for address, role in wanted:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            rungs.append(Rung(address, role))
    return rungs


def headless(settings: Settings, department: str) -> bool:
    """A department with neither a head nor a ladder of its own: it escalates past itself."""
    own = settings.departments.get(department)
    return not (own and (own.head or own.escalation))


def department_of(step: str, ticket: Ticket) -> str:
    """Whose ladder a step climbs: customer service's for the in-person revisit it owns."""
    return "customer_service" if step == "revisit_in_person" else ticket.department


def for_step(settings: Settings, ticket: Ticket, step: str) -> list[Rung]:
    """The ladder a ticket's deadline climbs; an overdue cost approval skips the approver it
    waits for (the delay is their own)."""
    rungs = ladder(settings, department_of(step, ticket))
    awaited = (approver_in_turn(ticket) or "").lower() if step == "approval" else ""
    return [rung for rung in rungs if rung.address.lower() != awaited]


def reminded(settings: Settings, ticket: Ticket, step: str) -> str | None:
    """Who must act on a step: the butler for the butler's, the customer-service head for the
    in-person revisit, the approver in turn for a cost approval, else the assignee or the
    department head."""
    if step == "butler":
        return ticket.butler
    if step == "revisit_in_person":
        service = settings.departments.get("customer_service")
        return service.head if service else None
    if step == "approval":
        return approver_in_turn(ticket)
    own = settings.departments.get(ticket.department)
    return ticket.assignee or (own.head if own else None)


def role_name(role: str, language: str) -> str:
    names = ROLE_NAMES.get(role, ROLE_NAMES["management"])
    return names.get(language) or names["en"]


def approver_in_turn(ticket: Ticket) -> str | None:
    """Whom a pending cost waits for (the chain kept by ``daemon.sla.approvals``), if any."""
    cost = (ticket.pending or {}).get("cost") or {}
    chain = cost.get("chain")
    return chain[cost["turn"]]["address"] if chain else None
