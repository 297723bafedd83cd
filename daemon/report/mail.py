"""The scheduled report mail: the weekly report every Monday at ``reports.weekly_at`` (desk time)
for the week before, and the summaries on their days. Each goes to each recipient once: its key
(``report:weekly:2026-W49:<address>``) enters ``sent_keys`` in the transaction of its outbox row,
so a restart or a second instance finds it there and sends nothing again."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from daemon.config import ReportRecipient, Settings, report_scope
from daemon.mail import outbox, staff
from daemon.mail.compose import Composed, FilePart, compose, desk_domain
from daemon.mail.templates import Templates
from daemon.report import periods
from daemon.report.periods import Period
from daemon.store.db import snapshot
from daemon.store.models import SentKey

if TYPE_CHECKING:
    from daemon.report.strings import Words

PURPOSE = "report"


def send_moment(settings: Settings, period: Period) -> datetime | None:
    """When the report on ``period`` is due (UTC), or None when that kind is not sent."""
    plan = settings.reports
    after = period.last + timedelta(days=1)
    day: date | None = None
    if period.kind == "weekly":
        day = after
    elif period.kind == "monthly" and plan.monthly_day:
        day = after.replace(day=plan.monthly_day)
    elif period.kind == "quarterly" and plan.quarterly_day:
        day = after.replace(day=plan.quarterly_day)
    elif period.kind == "yearly" and plan.yearly_date:
        month, day_of_month = (int(part) for part in plan.yearly_date.split("-"))
        day = date(after.year, month, day_of_month)
    if day is None:
        return None
    zone = ZoneInfo(settings.desk.time_zone)
    return datetime.combine(day, plan.weekly_at, tzinfo=zone).astimezone(UTC)


def due_periods(settings: Settings, now: datetime) -> list[Period]:
    """The last complete period of each kind whose report is due by ``now``."""
    zone = settings.desk.time_zone
    due = []
    for kind in periods.KINDS:
        period = periods.last_complete(kind, now, zone)
        moment = send_moment(settings, period)
        if moment is not None and now >= moment:
            due.append(period)
    return due


def key(period: Period, address: str) -> str:
    return f"report:{period.kind}:{period.label}:{address.lower()}"


def queue_due_reports(session: Session, settings: Settings, now: datetime) -> list[int]:
    """Queue every report that is due and not yet queued for its recipient; the outbox ids.

    Costs a look-up of keys when nothing is due. The reports are made on a snapshot of their
    own (once per scope and language), so ``session`` takes the write lock only to queue them."""
    recipients = settings.reports.recipients
    mails: list[tuple[str, Composed]] = []
    for period in due_periods(settings, now) if recipients else []:
        keys = {key(period, r.address): r for r in recipients}
        with snapshot(_engine(session)) as reading:
            sent = set(reading.scalars(select(SentKey.key).where(SentKey.key.in_(list(keys)))))
            missing = {k: r for k, r in keys.items() if k not in sent}
            if missing:
                mails += _make(reading, settings, period, now, missing)
    queued = [_send_once(session, mail_key, mail, now) for mail_key, mail in mails]
    return [row_id for row_id in queued if row_id is not None]


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def _make(
    reading: Session,
    settings: Settings,
    period: Period,
    now: datetime,
    recipients: dict[str, ReportRecipient],
) -> list[tuple[str, Composed]]:
    """The mails for these recipients (by key): figures counted once per scope, charts drawn
    once per scope and language."""
    # Loaded when a report is made, not with the service: numpy and matplotlib are heavy.
    from daemon.report import charts, figures
    from daemon.report.strings import Words

    built: dict[str | None, dict[str, Any]] = {}
    drawn: dict[tuple[str | None, str], dict[str, bytes]] = {}
    templates = Templates(settings.desk.templates_dir)
    mails = []
    for mail_key, recipient in recipients.items():
        scope = report_scope(settings, recipient)
        if scope not in built:
            built[scope] = figures.build(reading, settings, period, now, scope)
        words = Words(settings, staff.reader_language(settings, recipient.address))
        if (scope, words.language) not in drawn:
            drawn[scope, words.language] = charts.render(built[scope], words)
        mail = compose_report(
            settings, templates, built[scope], words, drawn[scope, words.language], recipient
        )
        mails.append((mail_key, mail))
    return mails


def compose_report(
    settings: Settings,
    templates: Templates,
    report: dict[str, Any],
    words: Words,
    pngs: dict[str, bytes],
    recipient: ReportRecipient,
) -> Composed:
    """The report as a mail: HTML with the charts inline, the plain text, the CSV attached."""
    from daemon.report import render

    domain = desk_domain(settings)
    cids = {name: f"{name}.{report['period']}@{domain}" for name in pngs}
    parts: list[FilePart] = [
        {
            "filename": f"{name}.png",
            "content_type": "image/png",
            "data": base64.b64encode(png).decode("ascii"),
            "cid": cids[name],
        }
        for name, png in pngs.items()
    ]
    stem = f"{report['kind']}-{report['period']}"
    if report["department"]:
        stem += f"-{report['department']}"
    csv_bytes = render.csv_text(report).encode("utf-8")
    parts.append(
        {
            "filename": f"{stem}.csv",
            "content_type": "text/csv; charset=utf-8",
            "data": base64.b64encode(csv_bytes).decode("ascii"),
            "cid": None,
        }
    )
    images = {name: f"cid:{cid}" for name, cid in cids.items()}
    return compose(
        settings,
        to=recipient.address,
        subject=render.title(report, words),
        text=render.text(report, words) + "\n" + words["attachment"] + "\n",
        html=render.html(report, words, templates, images),
        language=words.language,
        auto_submitted="auto-generated",
        parts=parts,
    )


def _send_once(session: Session, mail_key: str, mail: Composed, now: datetime) -> int | None:
    """Queue the mail unless its key is taken (then None); a concurrent pass inserting the same
    key waits for the other transaction and then skips."""
    dialect = session.connection().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # RETURNING tells whether the row went in (psycopg reports no rowcount for DO NOTHING).
    claimed = session.execute(
        insert(SentKey)
        .values(key=mail_key, purpose=PURPOSE, at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(SentKey.key)
    ).scalar_one_or_none()
    if claimed is None:
        return None
    row = outbox.add(session, mail, purpose=PURPOSE)
    session.flush()
    session.execute(update(SentKey).where(SentKey.key == mail_key).values(outbox_id=row.id))
    return row.id
