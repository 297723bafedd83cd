"""Every mail we send says what it is for (``X-Complaintd-Purpose``) and, when it is about a
ticket, which one (``X-Complaintd-Ticket``), so recipients can filter: a ticket's whole life
by mail, sent through a real SMTP server, and the weekly report."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from daemon.clock import set_clock
from daemon.mail.dispatch import Dispatcher
from daemon.store.models import Outbox, Ticket
from tests.e2e import smtp_section
from tests.sla.desk import GM, HEAD, OWNER, desk_sections, make_desk

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEAK = ("3栋2单元1502卫生间天花板漏水，请派师傅维修。", "卫生间漏水")
README_PURPOSES = {
    "ack",
    "assignment",
    "reminder",
    "escalation",
    "delay",
    "question",
    "revisit",
    "revisit_reminder",
    "resolution",
    "report",
}
"""The purposes the README lists as examples."""


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_every_mail_carries_its_purpose_and_its_ticket(make_settings, smtp_sink):
    sections = desk_sections()
    sections["smtp"] = smtp_section(smtp_sink)
    sections["reports"] = {"recipients": [GM], "quarterly_day": None, "yearly_date": None}
    desk = make_desk(make_settings(**sections), local(2026, 12, 1, 10, 0))  # a Tuesday
    try:
        result = desk.complain(*LEAK)
        assignment = desk.mails("assignment", result.outbox_ids)[0]
        desk.advance(local(2026, 12, 7, 9, 30))  # reminders, escalations, delay, Monday's report
        asked = desk.reply(assignment, HEAD, "#询问 漏水是从哪个位置开始的？", "ask")
        question = desk.mails("question", asked.outbox_ids)[0]
        desk.reply(question, OWNER, "从卫生间吊顶的角落开始。", "answer")
        desk.reply(assignment, HEAD, "#已解决 已更换楼上的水管", "resolved")
        desk.advance(local(2026, 12, 11, 18, 30))  # the revisit and its reminder
        with desk.db.transaction() as session:
            rows = {
                f"<{row.message_id}>": (row.purpose, row.ticket_id)
                for row in session.scalars(select(Outbox))
            }
            numbers = {t.id: t.number for t in session.scalars(select(Ticket))}
            ids = list(session.scalars(select(Outbox.id)))
        Dispatcher(desk.settings, desk.db).send(ids)
        received = smtp_sink.wait_for(len(rows))
    finally:
        set_clock(None)
        desk.db.dispose()
    assert len(received) == len(rows)
    purposes = set()
    for mail in received:
        purpose, ticket_id = rows[mail.message["Message-ID"]]
        assert mail.message["X-Complaintd-Purpose"] == purpose, mail.message["Subject"]
        assert mail.message["X-Complaintd-Ticket"] == numbers.get(ticket_id), purpose
        purposes.add(purpose)
    assert purposes >= README_PURPOSES, README_PURPOSES - purposes
