"""Deadline rows as timers: each open promise on a ticket is a row with the next moment the
scheduler must act on it (``next_at``, indexed), so a pass reads only what is due.

A row's actions, in order, are its reminders, the moment it is missed, the owner's delay notice
(for dates promised to the owner) and the escalation steps; ``stage`` counts those done. The
route step writes the rows from ``Ticket.deadlines``; the commands that complete a step meet
them; a pause stops them and an agreed extension starts a new round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from daemon import states
from daemon.config import Settings
from daemon.sla import deadlines, ladder
from daemon.sla.calendar import BusinessCalendar
from daemon.store.models import Deadline, Ticket

ACTED_ON = frozenset(
    {"feedback", "survey", "repair", "resolve", "butler", "approval", "revisit_in_person"}
)
"""Steps someone on the staff must complete: they are reminded and escalated."""
OWNER_PROMISES = frozenset({"answer", "repair", "resolve"})
"""Dates the acknowledgement promises the owner: when one passes, the owner is told."""
FINISHED = frozenset(states.CLOSED)
"""Ticket states in which no deadline acts any more."""

RESOLUTION_STEPS = ("feedback", "answer", "survey", "repair", "resolve")
"""What ``#resolved`` completes."""
POINTS_KEPT = 4096
"""Reminder moments remembered per (start, due): a pass asks for them several times a row."""


@dataclass(frozen=True)
class Action:
    """What is next on a deadline: ``kind`` is reminder, missed, delay or escalation; ``index``
    the reminder point (0-based) or escalation level (1-based)."""

    kind: str
    at: datetime
    index: int = 0


class Policy:
    """When each action of a deadline falls, from the ``[sla]`` settings and the calendar."""

    def __init__(self, settings: Settings, calendar: BusinessCalendar) -> None:
        self.settings = settings
        self.calendar = calendar
        self._points: dict[tuple[datetime, datetime], list[datetime]] = {}

    def reminder_points(self, row: Deadline) -> list[datetime]:
        """Reminder moments strictly between the row's start and its due time, in order."""
        if row.step not in ACTED_ON:
            return []
        span = (row.created_at, row.due_at)
        if span not in self._points:
            if len(self._points) >= POINTS_KEPT:
                self._points.clear()
            self._points[span] = self._reminder_points(*span)
        return self._points[span]

    def _reminder_points(self, start: datetime, due: datetime) -> list[datetime]:
        span = self.calendar.business_seconds_between(start, due)
        points = {
            self.calendar.add_business_hours(start, span * fraction / 3600)
            for fraction in self.settings.sla.reminder_fractions
        }
        if self.settings.sla.remind_at_due_day_start:
            points.add(self.calendar.opening_hours(due.astimezone(self.calendar.tz).date())[0])
        return sorted(p for p in points if start < p < due)

    def interval_after(self, at: datetime, major: bool) -> datetime:
        """When the next escalation step falls after one sent at ``at``."""
        if major:
            return self.calendar.add_business_hours(
                at, self.settings.sla.escalation_business_hours_major
            )
        return self.calendar.add_working_days(at, self.settings.sla.escalation_working_days)

    def slots(self, row: Deadline, ladder: int) -> list[tuple[str, int]]:
        """Every action of the row, in order, for a ladder of ``ladder`` rungs. The revisit's:
        the mail to the owner, one reminder, and closing without an answer."""
        if row.step == "revisit":
            return [("revisit", 0), ("revisit_reminder", 0), ("no_answer", 0)]
        reminders = [("reminder", i) for i in range(len(self.reminder_points(row)))]
        slots = [*reminders, ("missed", 0)]
        if row.step in OWNER_PROMISES:
            slots.append(("delay", 0))
        if row.step in ACTED_ON:
            slots.extend(("escalation", level) for level in range(1, max(ladder, 1) + 1))
        return slots

    def next_action(self, row: Deadline, ticket: Ticket, ladder: int) -> Action | None:
        """The row's next action (``ladder``: rungs of its department's ladder), or None."""
        if row.met_at is not None or ticket.paused_at is not None or ticket.status in FINISHED:
            return None
        slots = self.slots(row, ladder)
        if row.stage >= len(slots):
            return None
        kind, index = slots[row.stage]
        if kind == "reminder":
            return Action(kind, self.reminder_points(row)[index], index)
        if kind == "revisit_reminder":
            days = self.settings.sla.revisit_reminder_working_days
            return Action(kind, self.calendar.add_working_days(row.due_at, days))
        if kind == "no_answer":
            days = self.settings.sla.revisit_close_working_days
            return Action(kind, self.calendar.add_working_days(row.due_at, days))
        if kind == "escalation" and index > 1 and row.escalated_at is not None:
            return Action(
                kind, self.interval_after(row.escalated_at, ticket.severity == "major"), index
            )
        return Action(kind, row.due_at, index)


def ladder_size(settings: Settings, ticket: Ticket, step: str) -> int:
    """How many rungs the ladder of a ticket's deadline has (see ``daemon.sla.ladder``)."""
    return len(ladder.for_step(settings, ticket, step))


def reschedule(row: Deadline, ticket: Ticket, policy: Policy) -> None:
    """Set the row's ``next_at`` from its next action (None: nothing left to do)."""
    action = policy.next_action(row, ticket, ladder_size(policy.settings, ticket, row.step))
    row.next_at = action.at if action else None


def rows(session: Session, ticket: Ticket) -> list[Deadline]:
    """The ticket's deadline rows (none for a ticket not stored yet)."""
    if ticket.id is None or ticket in session.new:
        return [obj for obj in session.new if isinstance(obj, Deadline) and obj.ticket is ticket]
    return list(session.scalars(select(Deadline).where(Deadline.ticket_id == ticket.id)))


def sync(session: Session, ticket: Ticket, policy: Policy, now: datetime) -> None:
    """Make the rows say what ``Ticket.deadlines`` says: new steps get a row, open rows take a
    moved due time and department, and every open row is rescheduled (a paused ticket: none)."""
    known = {row.step: row for row in rows(session, ticket)}
    for step, when in (ticket.deadlines or {}).items():
        row = known.get(step)
        if row is None:
            row = Deadline(
                ticket=ticket,
                step=step,
                department=ticket.department,
                due_at=datetime.fromisoformat(when),
                created_at=now,
                stage=0,
                round=0,
            )
            session.add(row)
            known[step] = row
        elif row.met_at is None:
            row.due_at = datetime.fromisoformat(when)
            row.department = ticket.department
    for row in known.values():
        if row.met_at is None:
            reschedule(row, ticket, policy)


def meet(session: Session, ticket: Ticket, steps: tuple[str, ...], now: datetime) -> list[str]:
    """Record that the ticket's open ``steps`` were completed now; returns the steps met.

    The first answer and the resolution are also kept on the ticket for the reports."""
    met = []
    for row in rows(session, ticket):
        if row.step in steps and row.met_at is None:
            row.met_at, row.next_at = now, None
            met.append(row.step)
    if "answer" in steps and ticket.first_answer_at is None:
        ticket.first_answer_at = now
    if ("resolve" in steps or "repair" in steps) and ticket.resolved_at is None:
        ticket.resolved_at = now
    return met


def pause(session: Session, ticket: Ticket, policy: Policy, now: datetime) -> None:
    """Stop the clock while the desk waits for the owner: no row acts until ``resume``."""
    deadlines.pause(ticket, now)
    sync(session, ticket, policy, now)


def resume(session: Session, ticket: Ticket, policy: Policy, now: datetime) -> float:
    """Start the clock again: every deadline moves on by the business time of the pause; returns
    that time in seconds."""
    since = ticket.paused_at
    paused = deadlines.resume(ticket, policy.calendar, now)
    if since is not None:
        _move_rows_of_their_own(session, ticket, policy, since, now)
    if paused > 0:
        for row in rows(session, ticket):
            if row.met_at is None and row.escalated_at is not None:
                # The next rung counts from the last one, less the time spent waiting.
                row.escalated_at = policy.calendar.add_business_hours(
                    row.escalated_at, paused / 3600
                )
    sync(session, ticket, policy, now)
    return paused


def _move_rows_of_their_own(
    session: Session, ticket: Ticket, policy: Policy, since: datetime, now: datetime
) -> None:
    """Open rows kept apart from ``Ticket.deadlines`` (a cost approval) move on by the business
    time they waited (from the pause, or from their start within it)."""
    for row in rows(session, ticket):
        if row.met_at is None and row.step not in (ticket.deadlines or {}):
            waited = policy.calendar.business_seconds_between(max(since, row.created_at), now)
            row.due_at = policy.calendar.add_business_hours(row.due_at, waited / 3600)


def reopen(
    session: Session, ticket: Ticket, step: str, due: datetime, policy: Policy, now: datetime
) -> None:
    """A step to do (again): due at ``due``; a row met before starts a new round."""
    ticket.deadlines = {**(ticket.deadlines or {}), step: due.isoformat()}
    for row in rows(session, ticket):
        if row.step == step and row.met_at is not None:
            row.met_at, row.round, row.stage, row.escalated_at = None, row.round + 1, 0, None
    sync(session, ticket, policy, now)


def renew(session: Session, ticket: Ticket, step: str, policy: Policy, now: datetime) -> None:
    """An agreed extension is a new promise: the step's row starts a new round of reminders
    (its earlier miss stays recorded)."""
    for row in rows(session, ticket):
        if row.step == step and row.met_at is None:
            row.round += 1
            row.stage, row.escalated_at = 0, None
    sync(session, ticket, policy, now)
