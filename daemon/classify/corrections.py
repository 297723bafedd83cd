"""Staff correct a ticket's classification: the ticket is updated and re-routed, the history says
who changed what, and each corrected field becomes a labelled example for ``classifier train``.

A value given that equals the current one is recorded as a confirmation (a correction row with
old == new): staff looked at the field and vouched for it, so it is a label too. Fields nobody
touched are not labels; they are only what the classifier itself said.
"""

from __future__ import annotations

import getpass
import json
import sys
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from daemon.clock import utcnow
from daemon.config import CATEGORIES, KINDS, SEVERITIES, Settings
from daemon.store import history
from daemon.store.models import Correction, Ticket

FIELDS = ("category", "kind", "severity")
KNOWN = {"category": CATEGORIES, "kind": KINDS, "severity": SEVERITIES}


class InvalidValue(ValueError):
    """A field value that is not in the known list; the message names the known values."""


@dataclass
class Outcome:
    """What a reclassification did."""

    changed: dict[str, tuple[str, str]] = field(default_factory=dict)
    confirmed: list[str] = field(default_factory=list)
    department: tuple[str, str] | None = None
    assignee: tuple[str | None, str | None] | None = None

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "changed": {
                name: {"old": old, "new": new} for name, (old, new) in self.changed.items()
            },
            "confirmed": self.confirmed,
        }
        if self.department:
            data["department"] = {"old": self.department[0], "new": self.department[1]}
        if self.assignee:
            data["assignee"] = {"old": self.assignee[0], "new": self.assignee[1]}
        return data

    def summary(self) -> str:
        parts = [f"{name} {old} → {new}" for name, (old, new) in self.changed.items()]
        if self.department:
            parts.append(f"department {self.department[0]} → {self.department[1]}")
        if self.assignee:
            parts.append(f"assignee {self.assignee[0] or '-'} → {self.assignee[1] or '-'}")
        if self.confirmed:
            parts.append("confirmed " + ", ".join(self.confirmed))
        return "; ".join(parts) or "nothing changed"


def validate(name: str, value: str) -> str:
    """The value if it is known for the field; otherwise InvalidValue with the known list."""
    if name not in KNOWN:
        raise InvalidValue(f"unknown field {name!r}; known: {', '.join(FIELDS)}")
    if value not in KNOWN[name]:
        known = ", ".join(KNOWN[name])
        raise InvalidValue(f"unknown {name} {value!r}; known: {known}")
    return value


def reclassify(
    session: Session,
    ticket: Ticket,
    actor: str,
    channel: str,
    *,
    kind: str | None = None,
    category: str | None = None,
    severity: str | None = None,
    settings: Settings,
) -> Outcome:
    """Set the given fields, re-route on a new category, and record event and corrections.

    Raises InvalidValue before touching anything when a value is unknown.
    """
    wanted = {"category": category, "kind": kind, "severity": severity}
    given = {name: validate(name, value) for name, value in wanted.items() if value is not None}
    outcome = Outcome()
    now = utcnow()
    text = f"{ticket.subject}\n{ticket.body}"
    for name, new in given.items():
        old = getattr(ticket, name)
        if old == new:
            outcome.confirmed.append(name)
        else:
            outcome.changed[name] = (old, new)
            setattr(ticket, name, new)
        session.add(
            Correction(
                ticket_id=ticket.id,
                at=now,
                actor=actor,
                field=name,
                old=old,
                new=new,
                language=ticket.language,
                text=text,
            )
        )
    if "category" in outcome.changed:
        _reroute(ticket, settings, outcome)
    if given:
        history.record(
            session,
            ticket,
            "reclassified",
            at=now,
            actor=actor,
            channel=channel,
            text=outcome.summary(),
            data=outcome.as_dict(),
        )
    return outcome


def _reroute(ticket: Ticket, settings: Settings, outcome: Outcome) -> None:
    """The new category's department; a new department means its head is the new assignee."""
    department = settings.routing.categories.get(ticket.category, "customer_service")
    if department == ticket.department:
        return
    outcome.department = (ticket.department, department)
    ticket.department = department
    configured = settings.departments.get(department)
    head = configured.head if configured else None
    if head != ticket.assignee:
        outcome.assignee = (ticket.assignee, head)
    ticket.assignee = head


def command(settings: Settings, db: Any, args: Any) -> int:
    """``complaintd tickets reclassify NUMBER [--category C] [--kind K] [--severity S]``."""
    given = {name: getattr(args, name) for name in FIELDS if getattr(args, name) is not None}
    if not given:
        print("complaintd: give at least one of --category, --kind, --severity", file=sys.stderr)
        return 2
    try:
        for name, value in given.items():
            validate(name, value)
    except InvalidValue as exc:
        print(f"complaintd: {exc}", file=sys.stderr)
        return 2
    actor = args.actor or _user()
    with db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == args.number.upper()))
        if ticket is None:
            print(f"complaintd: no ticket {args.number}", file=sys.stderr)
            return 1
        outcome = reclassify(session, ticket, actor, "cli", settings=settings, **given)
        if outcome.changed.get("severity", ("", ""))[1] == "major":
            page_major(session, settings, ticket, f"decided by {actor}")
        number = ticket.number
    if args.json:
        print(
            json.dumps({"ticket": number, "actor": actor, **outcome.as_dict()}, ensure_ascii=False)
        )
    else:
        print(f"{number}: {outcome.summary()}")
    return 0


def page_major(session: Session, settings: Settings, ticket: Ticket, reasons: str) -> None:
    """A person decided the ticket is major: the general manager (or, without one, the
    customer-service head) is told at once, as when the decision comes by mail."""
    from daemon.mail import outbox
    from daemon.mail.templates import Templates
    from daemon.mail.tokens import load_secret
    from daemon.sla.notices import Mailer

    service = settings.departments.get("customer_service")
    to = settings.routing.general_manager or (service.head if service else None)
    if not to:
        return
    mailer = Mailer(settings, Templates(settings.desk.templates_dir), load_secret(settings))
    mail = mailer.to_staff(ticket, to, "staff/major", role="m", reasons=reasons)
    row = outbox.add(session, mail, purpose="major_alert", ticket=ticket)
    history.record(
        session,
        ticket,
        "major_alert",
        channel="email",
        data={"to": mail.recipient, "message_id": row.message_id},
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"
