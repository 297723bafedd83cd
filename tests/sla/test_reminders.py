"""Reminders as the README promises them: in the department's language (not the owner's, not
only Chinese), and a pass that comes late sends only the last reminder still useful."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from daemon.clock import set_clock
from tests.sla.desk import HEAD, OWNER, desk_sections, make_desk

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEAK = ("3栋2单元1502卫生间天花板漏水，请派师傅维修。", "卫生间漏水")
CJK = re.compile(r"[\u4e00-\u9fff]")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def _desk(make_settings, language: str):
    sections = desk_sections()
    sections["departments"]["engineering"]["language"] = language
    return make_desk(make_settings(**sections), local(2026, 12, 1, 10, 0))  # a Tuesday


@pytest.mark.parametrize(
    ("language", "reminder", "survey", "escalation", "due"),
    [
        ("es", "Recordatorio:", "visita de inspección", "Escalado (nivel 1)", "miércoles"),
        ("en", "Reminder:", "on-site survey", "Escalation (level 1)", "Wednesday"),
    ],
)
def test_reminders_and_escalations_are_in_the_departments_language(
    make_settings, language, reminder, survey, escalation, due
):
    desk = _desk(make_settings, language)
    try:
        number = desk.complain(*LEAK).ticket  # a Chinese owner
        desk.advance(local(2026, 12, 2, 18, 1))  # past the survey's reminders and its deadline
        reminders = desk.mails("reminder")
        assert reminders and {m.to for m in reminders} == {HEAD}
        for mail in reminders:
            subject = str(mail.message["Subject"])
            assert subject.startswith(f"[{number}] {reminder} {survey}"), subject
            assert due in subject, subject
            assert mail.message["Content-Language"] == language
            assert not CJK.search(subject), subject
            assert survey in mail.text
        [escalated] = desk.mails("escalation")
        assert f"{escalation}: {survey}" in str(escalated.message["Subject"])
        [ack] = desk.mails("ack")
        assert ack.to == OWNER and ack.message["Content-Language"] == "zh"  # the owner's own
    finally:
        set_clock(None)
        desk.db.dispose()


def test_a_late_pass_sends_only_the_last_useful_reminder(make_settings):
    desk = _desk(make_settings, "zh")
    try:
        number = desk.complain(*LEAK).ticket
        # The survey is due Wednesday 18:00, reminded at the day's opening (09:00) and at 75 %
        # of its business time (13:45). Nobody ran a pass from Tuesday until Wednesday 15:00.
        desk.set(local(2026, 12, 2, 15, 0))
        desk.scheduler.run_pass(desk.now)
        [late] = desk.mails("reminder")
        assert late.to == HEAD and "现场查勘" in str(late.message["Subject"])
        assert late.at == local(2026, 12, 2, 15, 0)
        desk.advance(local(2026, 12, 2, 17, 59))  # the passes that follow add nothing
        assert [m.id for m in desk.mails("reminder")] == [late.id]
        assert desk.deadlines(number)["survey"].missed_at is None
        # The feedback deadline (Friday 18:00) has two points of its own, 09:00 and 09:15 on
        # Friday; a pass at 10:00 sends one reminder for it, not two.
        desk.set(local(2026, 12, 4, 10, 0))
        desk.scheduler.run_pass(desk.now)
        feedback = [m for m in desk.mails("reminder") if "向客服反馈" in str(m.message["Subject"])]
        assert [m.at for m in feedback] == [local(2026, 12, 4, 10, 0)]
        desk.scheduler.run_pass(desk.now + timedelta(minutes=1))
        assert len(desk.mails("reminder")) == 2
    finally:
        set_clock(None)
        desk.db.dispose()
