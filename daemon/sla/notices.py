"""The mails deadlines cause: a reminder to whoever must act, an escalation with the whole
history to the next rung of the ladder, and the owner's delay notice. Each is queued once: its
key goes into ``sent_keys`` in the same transaction as its outbox row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from daemon import i18n
from daemon.config import Settings
from daemon.mail import outbox, staff
from daemon.mail.compose import Composed, from_template
from daemon.mail.templates import Templates
from daemon.mail.tokens import reply_address, status_token
from daemon.sla.ladder import Rung, department_of, role_name
from daemon.store import history
from daemon.store.models import Deadline, Outbox, SentKey, Ticket

OWNER_STEPS = {
    "answer": {"zh": "首次答复", "es": "primera respuesta", "en": "first answer"},
    "repair": {"zh": "维修", "es": "reparación", "en": "repair"},
    "resolve": {"zh": "处理", "es": "resolución", "en": "resolution"},
}
"""The dates the owner was promised, as the delay notice names them."""
_UNLINKED = "sent_keys.unlinked"
"""Session.info key of the (key, outbox row) pairs queued and not linked yet."""
HISTORY_TEXT_LIMIT = 600
"""Characters of each history line's text an escalation mail carries (the rest is in the desk)."""


@dataclass
class Mailer:
    """What composing the scheduler's mail needs: settings, templates and the reply secret."""

    settings: Settings
    templates: Templates
    secret: bytes

    def when(self, moment: datetime, language: str) -> str:
        return i18n.format_when(moment, language, self.settings.desk.time_zone)

    def language(self, to: str, department: str) -> str:
        """The reader's language (``staff.reader_language``) for a mail about ``department``."""
        return staff.reader_language(self.settings, to, department)

    def to_staff(
        self,
        ticket: Ticket,
        to: str,
        template: str,
        role: str = "d",
        language: str | None = None,
        **context: object,
    ) -> Composed:
        """A mail about the ticket to a member of staff, in their language (by default for the
        ticket's department), with a department reply address (so they can answer with
        commands; ``m``: an approver's)."""
        language = language or self.language(to, ticket.department)
        return from_template(
            self.settings,
            self.templates,
            template,
            language=language,
            to=to,
            ticket_number=ticket.number,
            reply_to=reply_address(self.settings, self.secret, ticket.number, role, to),
            **staff.ticket_context(self.settings, ticket, language),
            **context,
        )

    def to_owner(self, ticket: Ticket, template: str, **context: object) -> Composed:
        """A mail to the ticket's owner in the owner's language, from the desk."""
        base = self.settings.desk.web_url.rstrip("/")
        number = ticket.number
        url = (
            f"{base}/status/{number}?t={status_token(self.secret, number)}&lang={ticket.language}"
            if base
            else ""
        )
        return from_template(
            self.settings,
            self.templates,
            template,
            language=ticket.language,
            to=ticket.owner_email,
            to_name=ticket.owner_name or "",
            ticket_number=number,
            reply_to=reply_address(self.settings, self.secret, number, "o", ticket.owner_email),
            ticket=ticket,
            department_name=i18n.department_name(ticket.department, ticket.language),
            status_url=url,
            **context,
        )


def send_once(
    session: Session,
    key: str,
    purpose: str,
    ticket: Ticket,
    mail: Composed,
    now: datetime,
    text: str | None = None,
) -> Outbox | None:
    """Queue ``mail`` unless a mail under ``key`` was queued before (None then); the key and the
    outbox row commit together, and a concurrent pass inserting the same key waits, then skips.
    The key names its outbox row once the session is flushed (``link_outbox``)."""
    dialect = session.connection().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    claimed = session.execute(
        insert(SentKey)
        .values(key=key, purpose=purpose, ticket_id=ticket.id, at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(SentKey.key)
    )
    if claimed.first() is None:  # rowcount says -1 here on PostgreSQL, whatever happened
        return None
    row = outbox.add(session, mail, purpose=purpose, ticket=ticket)
    session.info.setdefault(_UNLINKED, []).append((key, row))
    history.record(
        session,
        ticket,
        purpose,
        channel="email",
        at=now,
        text=text,
        data={"to": mail.recipient, "message_id": row.message_id, "key": key},
    )
    return row


def link_outbox(session: Session) -> list[int]:
    """Flush, and let each key queued in this session name its outbox row; returns their ids."""
    pending = session.info.pop(_UNLINKED, [])
    if not pending:
        return []
    session.flush()
    table = SentKey.__table__
    session.connection().execute(
        update(table).where(table.c.key == bindparam("k")).values(outbox_id=bindparam("o")),
        [{"k": key, "o": row.id} for key, row in pending],
    )
    return [row.id for _key, row in pending]


def key(kind: str, row: Deadline, index: int) -> str:
    """``reminder:<ticket>:<step>:r<round>:<point>`` and the like: one mail per action."""
    return f"{kind}:{row.ticket_id}:{row.step}:r{row.round}:{index}"


def reminder(mailer: Mailer, row: Deadline, to: str) -> Composed:
    language = mailer.language(to, department_of(row.step, row.ticket))
    if row.step == "approval":
        return approval_reminder(mailer, row, to, language)
    return mailer.to_staff(
        row.ticket,
        to,
        "department/reminder",
        language=language,
        step=row.step,
        due=mailer.when(row.due_at, language),
    )


def approval_reminder(mailer: Mailer, row: Deadline, to: str, language: str) -> Composed:
    """The approver in turn is reminded of the cost, with an approver's reply address."""
    cost = (row.ticket.pending or {}).get("cost") or {}
    return mailer.to_staff(
        row.ticket,
        to,
        "staff/approval_reminder",
        role="m",
        language=language,
        step=row.step,
        due=mailer.when(row.due_at, language),
        amount=f"{cost.get('amount', 0):,.2f}",
        what_for=cost.get("purpose", ""),
    )


def escalation(mailer: Mailer, row: Deadline, rung: Rung, level: int, note: str | None) -> Composed:
    ticket = row.ticket
    language = mailer.language(rung.address, department_of(row.step, ticket))
    return mailer.to_staff(
        ticket,
        rung.address,
        "department/escalation",
        language=language,
        step=row.step,
        due=mailer.when(row.due_at, language),
        level=level,
        rung_role=role_name(rung.role, language),
        note=note,
        history_text=history_text(ticket, mailer.settings.desk.time_zone),
    )


def delay(mailer: Mailer, row: Deadline, role: str, new_date: datetime) -> Composed:
    ticket = row.ticket
    return mailer.to_owner(
        ticket,
        "owner/delay",
        step=row.step,
        step_name=OWNER_STEPS[row.step].get(ticket.language, OWNER_STEPS[row.step]["en"]),
        due=mailer.when(row.due_at, ticket.language),
        role=role_name(role, ticket.language),
        new_date=mailer.when(new_date, ticket.language),
    )


def revisit(mailer: Mailer, row: Deadline, kind: str) -> Composed:
    """The revisit (回访) or its reminder: was the owner satisfied?"""
    return mailer.to_owner(row.ticket, f"owner/{kind}")


def history_text(ticket: Ticket, time_zone: str) -> str:
    """The ticket's whole history as plain lines; the owner appears as "owner", not by address."""
    lines = []
    for event in ticket.events:
        actor = "owner" if event.actor == ticket.owner_email else event.actor
        at = i18n.format_when(event.at, "en", time_zone)
        text = " ".join((event.text or "").split())
        if len(text) > HISTORY_TEXT_LIMIT:
            text = text[:HISTORY_TEXT_LIMIT] + " …"
        lines.append(
            f"{at}  {event.kind:<18} {actor} via {event.channel}" + (f": {text}" if text else "")
        )
    return "\n".join(lines)
