"""``complaintd schedule``: what the deadlines will send, and to whom, in the next hours; and the
overdue tickets for ``tickets list --overdue``."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from daemon.clock import utcnow
from daemon.config import Settings
from daemon.sla.scheduler import Scheduler
from daemon.sla.timers import FINISHED
from daemon.store.db import Database
from daemon.store.models import Deadline, Ticket


def add_parser(commands: Any) -> None:
    """Add ``schedule`` to the command line."""
    schedule = commands.add_parser(
        "schedule", help="what reminders, escalations and notices will go out, without sending"
    )
    schedule.add_argument("--hours", type=float, default=24.0, help="how far ahead (default 24)")
    schedule.add_argument("--json", action="store_true")


def run(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    """Print the mails the scheduler would queue from now to ``--hours`` ahead."""
    if args.hours < 0:
        print("complaintd: --hours must not be negative")
        return 2
    now = utcnow()
    planned = Scheduler(settings, db).preview(now, now + timedelta(hours=args.hours))
    if args.json:
        rows = [{**vars(p), "at": p.at.isoformat()} for p in planned]
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for p in planned:
        print(f"{p.at:%Y-%m-%d %H:%M}Z  {p.purpose:<10} {p.ticket}  {p.to}  {p.subject}")
    print(f"{len(planned)} mail(s) in the next {args.hours:g} hour(s)")
    return 0


def overdue(db: Database, department: str | None, now: datetime | None = None) -> list[dict]:
    """Open tickets with a deadline past and not met, most overdue first."""
    now = now or utcnow()
    query = (
        select(Ticket, Deadline)
        .join(Deadline, Deadline.ticket_id == Ticket.id)
        .where(Deadline.met_at.is_(None), Deadline.due_at <= now, Ticket.status.not_in(FINISHED))
        .order_by(Deadline.due_at)
    )
    if department:
        query = query.where(Ticket.department == department)
    found: dict[str, dict] = {}
    with db.transaction() as session:
        for ticket, row in session.execute(query):
            entry = found.setdefault(
                ticket.number,
                {
                    "number": ticket.number,
                    "status": ticket.status,
                    "department": ticket.department,
                    "severity": ticket.severity,
                    "subject": ticket.subject,
                    "paused": ticket.paused_at is not None,
                    "overdue": [],
                },
            )
            entry["overdue"].append({"step": row.step, "due_at": row.due_at.isoformat()})
    return list(found.values())


def list_overdue(db: Database, args: argparse.Namespace) -> int:
    """``tickets list --overdue [--department D] [--json]``."""
    found = overdue(db, args.department)
    if args.json:
        print(json.dumps(found, ensure_ascii=False))
        return 0
    for t in found:
        steps = ", ".join(f"{o['step']} (due {o['due_at'][:16]}Z)" for o in t["overdue"])
        paused = " [paused]" if t["paused"] else ""
        print(f"{t['number']}  {t['status']:<13} {t['department']:<18} {steps}{paused}")
    print(f"{len(found)} overdue ticket(s)")
    return 0
