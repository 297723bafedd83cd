"""What admins and staff see from the command line: tickets, their history, the quarantine."""

from __future__ import annotations

import argparse
import codecs
import json
import re
import sys
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from daemon.config import Settings
from daemon.mail.delivery import deliver
from daemon.store.db import Database
from daemon.store.models import Outbox, RawItem, Ticket

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def print_json(data: object) -> None:
    """One JSON document on stdout, always valid UTF-8: characters beyond ASCII are escaped when
    stdout is not UTF-8 (``LANG=C`` without UTF-8 mode), and lone surrogates (bytes that were
    not text) always are, as JSON ``\\uXXXX`` escapes."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        utf8 = codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        utf8 = False
    text = json.dumps(data, ensure_ascii=not utf8, default=str)
    print(_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text))


def config_summary(settings: Settings) -> str:
    """One line per part that matters; secrets are shown only as set or not."""
    imap = settings.imap
    intake = (
        f"IMAP {imap.user}@{imap.host}:{imap.port} ({imap.security})"
        if imap
        else f"Maildir {settings.maildir.path}"
    )
    sending = (
        f"SMTP {settings.smtp.host}:{settings.smtp.port} ({settings.smtp.security})"
        if settings.smtp
        else f"files in {settings.outbox.dir}"
    )
    jobs = f"rq on {settings.queue.redis_url}" if settings.queue.redis_url else "in-process"
    routed = sorted(set(settings.routing.categories.values()))
    headless = [
        d for d in routed if not (settings.departments.get(d) and settings.departments[d].head)
    ]
    calendar = settings.calendar
    region = "-".join(filter(None, (calendar.country, calendar.subdivision))) or "no holidays"
    hours = f"{calendar.day_start:%H:%M}-{calendar.day_end:%H:%M}"
    calendar_text = f"{region}, {','.join(calendar.working_days)} {hours}"
    warnings = [f"warning: no head for {d}: its tickets get no assignment mail" for d in headless]
    return "\n".join(
        [
            "configuration OK",
            f"desk: {settings.desk.name} <{settings.desk.address}>, {settings.desk.time_zone}",
            f"database: {_safe_url(settings.database.url)}",
            f"intake: {intake}",
            f"mail out: {sending}",
            f"jobs: {jobs}",
            f"calendar: {calendar_text}",
            *warnings,
        ]
    )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def ack_message_id(db: Database, ids: list[int]) -> str | None:
    if not ids:
        return None
    with db.transaction() as session:
        query = select(Outbox.message_id).where(Outbox.id.in_(ids), Outbox.purpose == "ack")
        return session.scalar(query)


def ticket_dict(ticket: Ticket, with_history: bool = False) -> dict[str, Any]:
    data = {
        "number": ticket.number,
        "status": ticket.status,
        "channel": ticket.channel,
        "owner_email": ticket.owner_email,
        "owner_name": ticket.owner_name,
        "language": ticket.language,
        "subject": ticket.subject,
        "kind": ticket.kind,
        "category": ticket.category,
        "severity": ticket.severity,
        "department": ticket.department,
        "location": ticket.location,
        "deadlines": ticket.deadlines,
        "created_at": ticket.created_at.isoformat(),
        "satisfaction": ticket.satisfaction,
        "pending": ticket.pending,
        "closed_at": ticket.closed_at.isoformat() if ticket.closed_at else None,
        "paused_at": ticket.paused_at.isoformat() if ticket.paused_at else None,
        "linked_to": ticket.linked_to,
    }
    if with_history:
        data["body"] = ticket.body
        data["attachments"] = [
            {"filename": a.filename, "size": a.size, "sha256": a.sha256, "stored": a.stored}
            for a in ticket.attachments
        ]
        data["events"] = [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "channel": e.channel,
                "kind": e.kind,
                "text": e.text,
                "data": e.data,
            }
            for e in ticket.events
        ]
    return data


def tickets(db: Database, args: argparse.Namespace) -> int:
    with db.transaction() as session:
        if args.action == "list":
            rows = session.scalars(select(Ticket).order_by(Ticket.id.desc()).limit(args.limit))
            found = [ticket_dict(t) for t in rows]
            if args.json:
                print_json(found)
            for t in [] if args.json else found:
                print(
                    f"{t['number']}  {t['status']:<10} {t['department']:<18} {t['language']}  "
                    f"{t['owner_email'] or '-'}  {t['subject'][:60]}"
                )
            return 0
        query = (
            select(Ticket)
            .where(Ticket.number == args.number.upper())
            .options(selectinload(Ticket.events), selectinload(Ticket.attachments))
        )
        ticket = session.scalar(query)
        if ticket is None:
            print(f"complaintd: no ticket {args.number}")
            return 1
        data = ticket_dict(ticket, with_history=True)
    if args.json:
        print_json(data)
        return 0
    for key in (
        "number",
        "status",
        "department",
        "owner_email",
        "language",
        "subject",
        "deadlines",
    ):
        print(f"{key:>12}: {data[key]}")
    if data["paused_at"]:
        print(f"{'paused':>12}: since {data['paused_at'][:16]}Z, waiting for the owner")
    print(f"\n{data['body']}\n")
    for a in data["attachments"]:
        kept = "" if a["stored"] else ", not kept"
        print(f"  attachment: {a['filename']} ({a['size']} bytes{kept})")
    for e in data["events"]:
        print(f"  {e['at'][:19]}  {e['kind']:<14} {e['actor']} via {e['channel']}")
        reasons = e["data"].get("reasons") if isinstance(e["data"], dict) else None
        if reasons:  # the rules that fired (and the model's share): why it was classified so
            print(f"{'':23}reasons: {', '.join(map(str, reasons))}")
    return 0


def quarantine(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    from daemon.pipeline import Pipeline

    with db.transaction() as session:
        query = select(RawItem.id, RawItem.source, RawItem.size, RawItem.received_at, RawItem.error)
        rows = session.execute(
            query.where(RawItem.status == "quarantined").order_by(RawItem.id)
        ).all()
    if args.action == "list":
        if getattr(args, "json", False):
            print_json([dict(r._mapping) for r in rows])
            return 0
        for r in rows:
            print(
                f"{r.id:>6}  {r.received_at:%Y-%m-%d %H:%M}  {r.source:<8} {r.size:>9}  {r.error}"
            )
        print(f"{len(rows)} item(s) in quarantine")
        return 0
    wanted = set(args.ids) or {r.id for r in rows}
    pipeline = Pipeline(settings, db)
    failed = 0
    for row_id in sorted(wanted & {r.id for r in rows}):
        result = pipeline.process(row_id)
        failed += result.outcome == "quarantined"
        print(f"{row_id}: {result.outcome} {result.ticket or result.error or ''}".rstrip())
        if result.outbox_ids:
            deliver(settings, db, result.outbox_ids)
    return 1 if failed else 0
