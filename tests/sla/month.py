"""A month of complaints and answers on an injected clock, across China's Mid-Autumn Festival and
National Day (2026-09-14 to 2026-10-16, with the make-up working days 20 September and 10 October),
and what the deadlines dictate for it.

``simulate`` plays the traffic in time order with a scheduler pass at every whole minute in which
a deadline row is due (a pass in any other minute finds nothing). It records how far it got, so a
killed run started again carries on; ``python -m tests.sla.month CONFIG STATE [--follow]`` runs
it as a process (``--follow``: only passes, at the moments another process is passing).

``expected`` works out from the deadline rows alone, without the scheduler's code, which
reminders, escalations and delay notices must have been sent, to whom and when.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from daemon.clock import set_clock
from daemon.config import Settings
from daemon.config import load as load_config
from daemon.pipeline import Pipeline
from daemon.sla import ladder
from daemon.sla.calendar import BusinessCalendar
from daemon.sla.scheduler import Scheduler
from daemon.store.db import Database
from daemon.store.models import Deadline, Outbox, RawItem, SentKey, Ticket
from tests.mails import complaint

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 9, 14, 0, 0, tzinfo=SHANGHAI)
END = datetime(2026, 10, 16, 0, 0, tzinfo=SHANGHAI)
SOURCE = "month"
COMPLAINTS = (
    ("3栋2单元1502卫生间天花板漏水，请派师傅维修。", "卫生间漏水"),
    ("楼下邻居每天晚上装修噪音很大，物业一直不管，我要投诉。", "装修噪音投诉"),
    ("5栋电梯又坏了，老人上下楼很不方便，请尽快处理。", "电梯故障"),
    ("3栋楼道里有很浓的煤气味，非常危险，请马上派人来！", "煤气泄漏"),
)
STAFF = ("reminder", "escalation", "delay")


@dataclass(frozen=True)
class Event:
    """Something that happens at ``at``: a complaint (``answer`` empty) or a department reply to
    complaint ``case``'s assignment mail."""

    at: datetime
    case: int
    answer: str = ""

    @property
    def key(self) -> str:
        return f"c{self.case}" + (f"-{self.answer[:2]}" if self.answer else "")


def traffic(seed: int = 12) -> list[Event]:
    """About forty complaints at any hour of any day; most get an answer some days later, some
    also get ``#resolved``, the rest stay silent."""
    rng = random.Random(seed)
    events = []
    for case in range(40):
        arrived = START + timedelta(minutes=rng.randrange(0, 28 * 24 * 60), seconds=30)
        events.append(Event(arrived, case))
        fate = rng.random()
        if fate < 0.6:
            answered = arrived + timedelta(minutes=rng.randrange(30, 6 * 24 * 60))
            events.append(Event(answered, case, "已安排师傅上门查看，请家里留人。"))
            if fate < 0.35:
                resolved = answered + timedelta(minutes=rng.randrange(60, 8 * 24 * 60))
                events.append(Event(resolved, case, "#已解决 已处理完毕"))
    return sorted((e for e in events if e.at < END - timedelta(days=1)), key=lambda e: e.at)


def _ceil_minute(moment: datetime) -> datetime:
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=1)


class Month:
    """The desk living through the month; ``now`` is the injected clock."""

    def __init__(self, settings: Settings, state: Path | None = None) -> None:
        self.settings = settings
        self.db = Database(settings.database.url)
        self.db.migrate()
        self.pipeline = Pipeline(settings, self.db)
        self.scheduler = Scheduler(settings, self.db)
        self.state = state
        self.now = START.astimezone(UTC)
        if state is not None and state.exists() and state.read_text().strip():
            self.now = datetime.fromisoformat(state.read_text().strip())
        set_clock(lambda: self.now)

    def _done(self, moment: datetime) -> None:
        self.now = moment
        if self.state is not None:
            self.state.with_suffix(".tmp").write_text(moment.isoformat())
            self.state.with_suffix(".tmp").replace(self.state)

    def _announce(self, moment: datetime) -> None:
        if self.state is not None:
            self.state.with_suffix(".passtmp").write_text(moment.isoformat())
            self.state.with_suffix(".passtmp").replace(self.state.with_suffix(".pass"))

    def simulate(self, until: datetime = END) -> None:
        """Play the traffic from where it stopped, with the passes in between."""
        events = [e for e in traffic() if e.at > self.now]
        until = until.astimezone(UTC)
        while True:
            with self.db.transaction() as session:
                due = session.scalar(select(func.min(Deadline.next_at)))
            next_pass = self.now.replace(second=0, microsecond=0) + timedelta(minutes=1)
            if due is not None:
                next_pass = max(next_pass, _ceil_minute(due))
            next_event = events[0].at if events else None
            if next_event is not None and (due is None or next_event < next_pass):
                self.now = next_event
                self._receive(events.pop(0))
                self._done(next_event)
            elif due is not None and next_pass <= until:
                self.now = next_pass
                self._announce(next_pass)
                self.scheduler.run_pass(next_pass)
                self._done(next_pass)
            else:
                return

    def _receive(self, event: Event) -> None:
        body, subject = COMPLAINTS[event.case % len(COMPLAINTS)]
        if not event.answer:
            raw = complaint(body, subject=subject, sender=f"owner{event.case}@owner.example")
            self.pipeline.receive(SOURCE, event.key, raw)
            return
        with self.db.transaction() as session:
            ticket_id = session.scalar(
                select(RawItem.ticket_id).where(
                    RawItem.source == SOURCE, RawItem.source_key == f"c{event.case}"
                )
            )
            assignment = session.scalar(
                select(Outbox).where(Outbox.ticket_id == ticket_id, Outbox.purpose == "assignment")
            )
            to, reply_to = assignment.recipient, assignment.draft["reply_to"]
        raw = complaint(event.answer, subject=f"Re: {subject}", sender=to).replace(
            b"To: complaints@desk.example", f"To: {reply_to}".encode()
        )
        self.pipeline.receive(SOURCE, event.key, raw)

    def follow(self, leader_state: Path, stop: Path) -> None:
        """Pass at each moment the leader passes, until ``stop`` exists."""
        last, passes, queued = None, 0, 0
        while not stop.exists():
            announced = leader_state.with_suffix(".pass")
            text = announced.read_text().strip() if announced.exists() else ""
            if text and text != last:
                last = text
                self.now = datetime.fromisoformat(text)
                queued += len(self.scheduler.run_pass(self.now))
                passes += 1
            else:
                time.sleep(0.001)
        stop.with_suffix(".done").write_text(f"{passes} {queued}")


@dataclass(frozen=True, order=True)
class Sent:
    """A time-driven mail as the oracle and the outbox both describe it."""

    at: datetime
    purpose: str
    ticket_id: int
    step: str
    to: str


def expected(settings: Settings, db: Database, until: datetime = END) -> list[Sent]:
    """What the deadline rows dictate, worked out afresh: a reminder at the first pass after each
    reminder moment (75 % of the business time, the due working day's opening) if the step was
    still open and not yet due; at the first pass after the due time the owner's delay notice
    and the first escalation; each next rung one interval after the last."""
    calendar = BusinessCalendar.from_settings(settings.calendar, settings.desk.time_zone)
    owner_promises, acted_on = (
        ("answer", "repair", "resolve"),
        (
            "feedback",
            "survey",
            "repair",
            "resolve",
        ),
    )
    found = []
    with db.transaction() as session:
        for row, ticket in session.execute(select(Deadline, Ticket).join(Ticket)):
            met = row.met_at or datetime.max.replace(tzinfo=UTC)
            stop = min(met, until.astimezone(UTC))
            rungs = ladder.ladder(settings, ticket.department)

            def add(at: datetime, purpose: str, to: str) -> None:
                found.append(Sent(at, purpose, ticket.id, row.step, to))  # noqa: B023

            if row.step in acted_on:
                span = calendar.business_seconds_between(row.created_at, row.due_at)
                points = {calendar.add_business_hours(row.created_at, span * 0.75 / 3600)}
                due_day = row.due_at.astimezone(calendar.tz).date()
                points.add(calendar.opening_hours(due_day)[0])
                for point in sorted(p for p in points if row.created_at < p < row.due_at):
                    at = _ceil_minute(point)
                    if at < stop and at < row.due_at:
                        add(at, "reminder", ticket.assignee)
            at = _ceil_minute(row.due_at)
            if at >= stop:
                continue
            if row.step in owner_promises:
                add(at, "delay", ticket.owner_email)
            if row.step in acted_on:
                for rung in rungs:
                    if at >= stop:
                        break
                    add(at, "escalation", rung.address)
                    if ticket.severity == "major":
                        later = calendar.add_business_hours(at, 2)
                    else:
                        later = calendar.add_working_days(at, 1)
                    at = _ceil_minute(later)
    return sorted(found)


def sent(db: Database) -> list[Sent]:
    """The time-driven mails in the outbox, with the step their key names."""
    with db.transaction() as session:
        rows = session.execute(
            select(SentKey.key, Outbox).join(Outbox, Outbox.id == SentKey.outbox_id)
        ).all()
        return sorted(
            Sent(row.created_at, row.purpose, row.ticket_id, key.split(":")[2], row.recipient)
            for key, row in rows
            if row.purpose in STAFF
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("config", type=Path)
    parser.add_argument("state", type=Path)
    parser.add_argument("--follow", type=Path, help="the leader's state file")
    args = parser.parse_args()
    month = Month(load_config(args.config), None if args.follow else args.state)
    if args.follow:
        month.follow(args.follow, args.state)
    else:
        month.simulate()
        args.state.with_suffix(".finished").write_text("yes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
