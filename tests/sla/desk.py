"""A desk for deadline tests: the pipeline and the scheduler on an injected clock, with helpers to
reply to mail and to let simulated time pass with a scheduler pass every minute."""

from __future__ import annotations

import email
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage

from sqlalchemy import func, select

from daemon.clock import set_clock
from daemon.config import Settings
from daemon.mail import outbox
from daemon.pipeline import Pipeline, Result
from daemon.sla.scheduler import Scheduler
from daemon.store.db import Database
from daemon.store.models import Deadline, Outbox, Ticket
from tests.mails import complaint

OWNER = "wang@owner.example"
HEAD = "eng.head@desk.example"
CS_HEAD = "cs.head@desk.example"
DEPUTY_GM = "dgm@desk.example"
GM = "gm@desk.example"
PROPERTY_HEAD = "property.head@desk.example"


def desk_sections(database_url: str | None = None) -> dict:
    """Departments with heads, a customer-service head, deputy GM and GM: a full ladder."""
    sections: dict = {
        "desk": {"address": "complaints@desk.example", "default_language": "zh"},
        "departments": {
            "engineering": {"head": HEAD, "language": "zh"},
            "property": {"head": PROPERTY_HEAD, "language": "zh"},
            "customer_service": {"head": CS_HEAD},
        },
        "routing": {"general_manager": GM},
        "replies": {"approvers": {"deputy_gm": DEPUTY_GM, "cs_manager": CS_HEAD}},
    }
    if database_url:
        sections["database"] = {"url": database_url}
    return sections


@dataclass
class Mail:
    """A queued mail as a test reads it."""

    id: int
    purpose: str
    to: str
    at: datetime
    message: EmailMessage = field(repr=False)

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()


@dataclass
class Desk:
    settings: Settings
    db: Database
    pipeline: Pipeline
    scheduler: Scheduler
    now: datetime

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)

    def complain(self, body: str, subject: str, sender: str = OWNER, key: str = "") -> Result:
        raw = complaint(body, subject=subject, sender=sender, name="王女士")
        return self.pipeline.receive("test", key or f"{sender}-{self.now.isoformat()}", raw)

    def reply(self, to_mail: Mail, sender: str, body: str, key: str) -> Result:
        """Answer one of our mails as a mail client does: to its Reply-To, quoting it."""
        quoted = "\n".join("> " + line for line in to_mail.text.splitlines())
        raw = complaint(
            f"{body}\n\n在 2026年11月23日 10:31，投诉中心 写道：\n{quoted}",
            subject=f"Re: {to_mail.message['Subject']}",
            sender=sender,
            headers={"In-Reply-To": to_mail.message["Message-ID"]},
        ).replace(b"To: complaints@desk.example", f"To: {to_mail.message['Reply-To']}".encode())
        return self.pipeline.receive("test", key, raw)

    def mails(self, purpose: str | None = None, ids: list[int] | None = None) -> list[Mail]:
        query = select(Outbox).order_by(Outbox.id)
        if purpose:
            query = query.where(Outbox.purpose == purpose)
        if ids is not None:
            query = query.where(Outbox.id.in_(ids))
        with self.db.transaction() as session:
            return [
                Mail(
                    row.id,
                    row.purpose,
                    row.recipient,
                    row.created_at,
                    email.message_from_bytes(outbox.message_bytes(row), policy=policy.default),
                )
                for row in session.scalars(query)
            ]

    def ticket(self, number: str) -> Ticket:
        with self.db.transaction() as session:
            ticket = session.scalar(select(Ticket).where(Ticket.number == number))
            session.expunge(ticket)
            return ticket

    def deadlines(self, number: str) -> dict[str, Deadline]:
        with self.db.transaction() as session:
            rows = session.scalars(
                select(Deadline).join(Ticket).where(Ticket.number == number)
            ).all()
            for row in rows:
                session.expunge(row)
            return {row.step: row for row in rows}

    def advance(self, until: datetime) -> list[int]:
        """Let time pass to ``until`` with a scheduler pass at every whole minute; minutes in
        which no deadline row is due are skipped (a pass there finds nothing)."""
        queued: list[int] = []
        while True:
            with self.db.transaction() as session:
                due = session.scalar(select(func.min(Deadline.next_at)))
            step = _next_minute(self.now)
            if due is not None:
                step = max(step, _ceil_minute(due))
            if due is None or step > until:
                self.set(max(self.now, until))
                return queued
            self.set(step)
            queued.extend(self.scheduler.run_pass(step))


def _ceil_minute(moment: datetime) -> datetime:
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=1)


def _next_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)


def make_desk(settings: Settings, start: datetime) -> Desk:
    """A desk whose clock stands at ``start`` until the test moves it (``Desk.set``)."""
    db = Database(settings.database.url)
    db.migrate()
    desk = Desk(settings, db, Pipeline(settings, db), Scheduler(settings, db), start)
    set_clock(lambda: desk.now)
    return desk
