"""The scheduler: one pass reads the deadline rows whose ``next_at`` has come (an index range,
never a walk over open tickets), carries out their due actions and sets their next time.

Staff mail (reminders, escalations) goes out only in business hours on working days, or within
a few minutes of a moment that was in them; major tickets at any hour. A pass that comes late
(the service was down) sends the last reminder that is still useful and one escalation step,
never one per missed interval: the next step counts from when this one went out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from daemon import states
from daemon.clock import utcnow
from daemon.config import Settings
from daemon.mail.templates import Templates
from daemon.mail.tokens import load_secret
from daemon.report.mail import queue_due_reports
from daemon.sla import ladder, notices
from daemon.sla.calendar import BusinessCalendar
from daemon.sla.timers import Action, Policy, reschedule
from daemon.store import history
from daemon.store.db import Database
from daemon.store.models import Deadline, Outbox, Ticket

log = logging.getLogger(__name__)

BATCH = 200
"""Rows taken per transaction; a pass goes on until nothing is due."""
SILENT = ("missed", "no_answer")
"""Actions that send nothing, so they need no business hours."""
GRACE = timedelta(minutes=10)
"""A staff mail planned inside business hours may still go this long after closing time."""


@dataclass
class Planned:
    """One mail a pass would send (``complaintd schedule``)."""

    at: datetime
    purpose: str
    ticket: str
    to: str
    subject: str


class _Preview(Exception):
    """Raised to roll back the passes a preview made."""


@dataclass
class Scheduler:
    """Acts on due deadline rows; build once per process (it loads templates and the secret)."""

    settings: Settings
    db: Database
    calendar: BusinessCalendar = field(init=False)
    policy: Policy = field(init=False)
    mailer: notices.Mailer = field(init=False)

    def __post_init__(self) -> None:
        self.calendar = BusinessCalendar.from_settings(
            self.settings.calendar, self.settings.desk.time_zone
        )
        self.policy = Policy(self.settings, self.calendar)
        self.mailer = notices.Mailer(
            self.settings, Templates(self.settings.desk.templates_dir), load_secret(self.settings)
        )

    def run_pass(self, now: datetime | None = None) -> list[int]:
        """Act on everything due at ``now``; returns the ids of the outbox rows queued."""
        now = now or utcnow()
        queued: list[int] = []
        while self._anything_due(now):
            with self.db.transaction() as session:
                session.autoflush = False
                due = self._claim(session, now)
                for row in due:
                    self._act(session, row, now)
                queued.extend(notices.link_outbox(session))
            if len(due) < BATCH:
                break
        with self.db.transaction() as session:
            queued.extend(queue_due_reports(session, self.settings, now))
        return queued

    def preview(self, now: datetime, until: datetime) -> list[Planned]:
        """What the passes from ``now`` to ``until`` would send if nothing else happened: the same
        passes, run in one transaction that is rolled back."""
        planned: list[tuple[datetime, list[int]]] = []
        try:
            with self.db.transaction() as session:
                session.autoflush = False
                at: datetime | None = now
                while at is not None and at <= until:
                    while True:
                        due = self._claim(session, at)
                        for row in due:
                            self._act(session, row, at)
                        planned.append((at, notices.link_outbox(session)))
                        if len(due) < BATCH:
                            break
                    session.flush()
                    later = session.scalar(select(func.min(Deadline.next_at)))
                    at = None if later is None else max(later, at + timedelta(minutes=1))
                found = [
                    Planned(at, row.purpose, row.ticket.number, row.recipient, row.draft["subject"])
                    for at, ids in planned
                    for row in (session.get(Outbox, i) for i in ids)
                ]
                raise _Preview
        except _Preview:
            return found

    def _anything_due(self, now: datetime) -> bool:
        """One indexed look, outside a transaction on PostgreSQL (no BEGIN and COMMIT round
        trips): the usual pass finds nothing and ends here."""
        probe = select(Deadline.id).where(Deadline.next_at <= now).limit(1)
        if self.db.engine.dialect.name != "postgresql":
            with self.db.transaction() as session:
                return session.scalar(probe) is not None
        with self.db.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            return connection.scalar(probe) is not None

    def _claim(self, session: Session, now: datetime) -> list[Deadline]:
        """Due rows, locked for this pass; another instance's pass skips them (PostgreSQL)."""
        query = (
            select(Deadline)
            .where(Deadline.next_at <= now)
            .order_by(Deadline.next_at)
            .limit(BATCH)
            .options(selectinload(Deadline.ticket).selectinload(Ticket.events))
        )
        if session.connection().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=Deadline)
        return list(session.scalars(query))

    def _act(self, session: Session, row: Deadline, now: datetime) -> None:
        """Carry out the row's due actions in order, then set its next time."""
        ticket = row.ticket
        rungs = ladder.for_step(self.settings, ticket, row.step)
        while (action := self.policy.next_action(row, ticket, len(rungs))) and action.at <= now:
            if action.kind == "reminder" and self._moot(row, action, now):
                row.stage += 1
                continue
            if action.kind not in SILENT and not self._may_send(ticket, action, now):
                row.next_at = self.calendar.add_business_time(now, timedelta(0))
                return
            self._do(session, row, action, rungs, now)
            row.stage += 1
        reschedule(row, ticket, self.policy)

    def _may_send(self, ticket: Ticket, action: Action, now: datetime) -> bool:
        if ticket.severity == "major" or self.calendar.is_business_time(now):
            return True
        return self.calendar.is_business_time(action.at) and now - action.at <= GRACE

    def _do(
        self,
        session: Session,
        row: Deadline,
        action: Action,
        rungs: list[ladder.Rung],
        now: datetime,
    ) -> None:
        ticket = row.ticket
        if action.kind == "missed":
            row.missed_at = row.due_at
            history.record(
                session, ticket, "deadline_missed", at=now, text=row.step, data={"step": row.step}
            )
        elif action.kind == "reminder":
            self._remind(session, row, action, now)
        elif action.kind in ("revisit", "revisit_reminder"):
            self._revisit(session, row, action.kind, now)
        elif action.kind == "no_answer":
            row.missed_at = now
            states.move(
                session,
                ticket,
                "closed",
                actor="complaintd",
                channel="system",
                note="no answer to the revisit: closed, not revisited",
            )
        elif action.kind == "delay":
            self._tell_owner(session, row, rungs, now)
        else:
            self._escalate(session, row, action.index, rungs, now)

    def _revisit(self, session: Session, row: Deadline, kind: str, now: datetime) -> None:
        """Ask the owner again whether they are satisfied (the revisit, then its reminder)."""
        ticket = row.ticket
        if not ticket.owner_email:
            return
        mail = notices.revisit(self.mailer, row, kind)
        text = f"the owner is asked whether they are satisfied ({kind})"
        notices.send_once(session, notices.key(kind, row, 0), kind, ticket, mail, now, text)

    def _moot(self, row: Deadline, action: Action, now: datetime) -> bool:
        """A reminder a later one (or the deadline itself) already says better, or for nobody."""
        points = self.policy.reminder_points(row)
        later = action.index + 1 < len(points) and points[action.index + 1] <= now
        return (
            later or row.due_at <= now or not ladder.reminded(self.settings, row.ticket, row.step)
        )

    def _remind(self, session: Session, row: Deadline, action: Action, now: datetime) -> None:
        to = ladder.reminded(self.settings, row.ticket, row.step)
        mail = notices.reminder(self.mailer, row, to)
        key = notices.key("reminder", row, action.index)
        text = f"{row.step} due {row.due_at:%Y-%m-%d %H:%M} UTC: reminded {to}"
        notices.send_once(session, key, "reminder", row.ticket, mail, now, text)

    def _escalate(
        self, session: Session, row: Deadline, level: int, rungs: list[ladder.Rung], now: datetime
    ) -> None:
        ticket = row.ticket
        row.escalated_at = now
        if not rungs:
            history.record(
                session,
                ticket,
                "escalation_impossible",
                at=now,
                text="nobody to escalate to: configure the customer-service head or sla.escalation",
                data={"step": row.step},
            )
            return
        rung = rungs[level - 1]
        note = None
        if level == 1 and ladder.headless(self.settings, ticket.department):
            note = (
                f"department {ticket.department} has no head and no escalation ladder: "
                f"escalated to {ladder.role_name(rung.role, 'en')}"
            )
            history.record(session, ticket, "escalation_note", at=now, text=note)
        mail = notices.escalation(self.mailer, row, rung, level, note)
        key = notices.key("escalation", row, level)
        text = f"{row.step} overdue: level {level}, to {rung.address} ({rung.role})"
        notices.send_once(session, key, "escalation", ticket, mail, now, text)

    def _tell_owner(
        self, session: Session, row: Deadline, rungs: list[ladder.Rung], now: datetime
    ) -> None:
        ticket = row.ticket
        if not ticket.owner_email:
            return
        role = rungs[0].role if rungs else "customer_service"
        new_date = self.policy.interval_after(now, ticket.severity == "major")
        mail = notices.delay(self.mailer, row, role, new_date)
        key = notices.key("delay", row, 0)
        text = f"{row.step} late: the owner is told it went up to {role}"
        notices.send_once(session, key, "delay", ticket, mail, now, text)


def run_pass(db: Database, settings: Settings, now: datetime | None = None) -> list[int]:
    """One pass with a scheduler made for it (one-off commands; the service keeps one)."""
    return Scheduler(settings, db).run_pass(now)


def every_minute(
    scheduler: Scheduler, on_outbox: Callable[[list[int]], None]
) -> Callable[[], None]:
    """A tick for the service loop: a pass when a minute has gone since the last one."""
    last: list[datetime | None] = [None]

    def tick() -> None:
        now = utcnow()
        if last[0] is not None and now - last[0] < timedelta(minutes=1):
            return
        last[0] = now
        ids = scheduler.run_pass(now)
        if ids:
            on_outbox(ids)

    return tick
