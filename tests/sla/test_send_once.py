"""A time-driven mail's key is its guarantee: queued under a key once, never again, on SQLite and
on PostgreSQL (where an INSERT ... ON CONFLICT DO NOTHING reports no usable rowcount)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from daemon.clock import set_clock
from daemon.sla.notices import link_outbox, send_once
from daemon.store.models import Outbox, SentKey, Ticket
from tests.sla.desk import desk_sections, make_desk

LEAK = ("3栋2单元1502卫生间天花板漏水，请派师傅维修。", "卫生间漏水")


def test_a_key_queues_its_mail_once(make_settings, db_url):
    now = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    desk = make_desk(make_settings(**desk_sections(db_url)), now)
    try:
        number = desk.complain(*LEAK).ticket
        queued = []
        for _ in range(2):
            with desk.db.transaction() as session:
                ticket = session.scalar(select(Ticket).where(Ticket.number == number))
                mail = desk.scheduler.mailer.to_owner(ticket, "owner/revisit")
                row = send_once(session, "reminder:test:feedback:75", "reminder", ticket, mail, now)
                queued.append(row is not None)
                link_outbox(session)
        assert queued == [True, False]
        with desk.db.transaction() as session:
            keyed = select(func.count()).select_from(SentKey)
            assert session.scalar(keyed) == 1
            reminders = select(func.count(Outbox.id)).where(Outbox.purpose == "reminder")
            assert session.scalar(reminders) == 1
    finally:
        set_clock(None)
        desk.db.dispose()
