"""Deadlines that act, on an injected clock: reminders, misses, escalation up the ladder, the
owner's delay notice, deadlines met by replies, and each mail exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from daemon.clock import set_clock
from daemon.sla.calendar import BusinessCalendar
from tests.sla.desk import CS_HEAD, DEPUTY_GM, GM, HEAD, OWNER, desk_sections, make_desk

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEAK = ("3栋2单元1502卫生间天花板漏水，请派师傅维修。", "卫生间漏水")
NOISE = ("楼下邻居每天晚上装修噪音很大，物业一直不管，我要投诉。", "装修噪音投诉")
GAS = ("3栋楼道里有很浓的煤气味，非常危险，请马上派人来！", "煤气泄漏")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def desk(make_settings):
    made = make_desk(make_settings(**desk_sections()), local(2026, 12, 1, 10, 0))  # a Tuesday
    yield made
    set_clock(None)
    made.db.dispose()


def _sent(desk, *purposes):
    """(purpose, recipient, local time) of every mail of those purposes, in order."""
    return [
        (m.purpose, m.to, m.at.astimezone(SHANGHAI).strftime("%a %d %H:%M"))
        for m in desk.mails()
        if m.purpose in purposes
    ]


def test_a_silent_department_is_reminded_then_escalated_and_the_owner_told(desk):
    number = desk.complain(*LEAK).ticket
    desk.advance(local(2026, 12, 8, 9, 0))
    feedback = [m for m in desk.mails("reminder") if "向客服反馈" in m.message["Subject"]]
    survey = [m for m in desk.mails("reminder") if "现场查勘" in m.message["Subject"]]
    # Survey due Wed 18:00: 75 % of its 17 business hours is Wed 13:45; the day opens at 09:00.
    assert [m.at.astimezone(SHANGHAI) for m in survey] == [
        local(2026, 12, 2, 9, 0),
        local(2026, 12, 2, 13, 45),
    ]
    assert {m.to for m in feedback + survey} == {HEAD}
    assert _sent(desk, "escalation", "delay") == [
        ("escalation", HEAD, "Wed 02 18:00"),  # survey, level 1: department head
        ("escalation", CS_HEAD, "Thu 03 18:00"),  # one working day later
        ("escalation", HEAD, "Fri 04 18:00"),  # feedback, level 1
        ("escalation", DEPUTY_GM, "Fri 04 18:00"),  # survey, level 3
        ("delay", OWNER, "Fri 04 18:00"),  # the promised first answer
        ("escalation", CS_HEAD, "Mon 07 18:00"),  # the weekend does not count
        ("escalation", GM, "Mon 07 18:00"),
    ]
    rows = desk.deadlines(number)
    assert rows["survey"].missed_at == local(2026, 12, 2, 18, 0)
    assert rows["answer"].missed_at == local(2026, 12, 4, 18, 0)
    assert rows["repair"].missed_at is None and rows["repair"].met_at is None


def test_each_mail_carries_what_its_reader_needs(desk):
    number = desk.complain(*LEAK).ticket
    desk.advance(local(2026, 12, 4, 18, 30))
    escalation = next(m for m in desk.mails("escalation") if m.to == CS_HEAD)
    assert escalation.message["X-Complaintd-Purpose"] == "escalation"
    assert escalation.message["X-Complaintd-Ticket"] == number
    assert str(escalation.message["Reply-To"]).startswith(f"complaints+{number}.d.")
    text = escalation.text
    assert "客服中心负责人" in text and "卫生间天花板漏水" in text
    assert "reminder" in text and "deadline_missed" in text and "acknowledged" in text
    assert OWNER not in text  # the history names the owner by role only
    [delay] = desk.mails("delay")
    assert delay.message["X-Complaintd-Purpose"] == "delay"
    assert str(delay.message["Reply-To"]).startswith(f"complaints+{number}.o.")
    assert "首次答复" in delay.text and "部门负责人" in delay.text
    assert "2026年12月7日" in delay.text  # the new date: one working day on
    assert HEAD not in delay.text
    assert {m.message["X-Complaintd-Purpose"] for m in desk.mails()} >= {
        "ack",
        "assignment",
        "reminder",
    }


def test_replies_meet_the_deadlines_and_stop_them(desk):
    result = desk.complain(*LEAK)
    assignment = desk.mails("assignment", result.outbox_ids)[0]
    desk.set(local(2026, 12, 1, 15, 0))
    desk.reply(assignment, HEAD, "明天上午九点派师傅上门查看。", "r1")
    desk.set(local(2026, 12, 2, 11, 0))
    desk.reply(assignment, HEAD, "#已解决 已更换楼上的水管", "r2")
    desk.advance(local(2026, 12, 20, 9, 0))
    assert desk.mails("escalation") == [] and desk.mails("delay") == []
    assert [m.to for m in desk.mails() if m.purpose.startswith("revisit")] == [OWNER, OWNER]
    assert (
        desk.mails("reminder") == []
    )  # the first reminder point (Wed 09:00) came after the answer
    rows = desk.deadlines(result.ticket)
    assert rows["feedback"].met_at == rows["answer"].met_at == local(2026, 12, 1, 15, 0)
    assert rows["survey"].met_at == rows["repair"].met_at == local(2026, 12, 2, 11, 0)
    met = [row for step, row in rows.items() if step != "revisit"]
    assert all(row.missed_at is None and row.next_at is None for row in met)
    ticket = desk.ticket(result.ticket)
    assert ticket.first_answer_at == local(2026, 12, 1, 15, 0)
    assert ticket.resolved_at == local(2026, 12, 2, 11, 0)


def test_an_agreed_extension_is_a_new_promise(desk):
    result = desk.complain(*LEAK)
    assignment = desk.mails("assignment", result.outbox_ids)[0]
    desk.reply(assignment, HEAD, "明天上午九点派师傅上门查看。", "r1")
    asked = desk.reply(assignment, HEAD, "#延期 15天 需要订购配件", "r2")
    request = desk.mails("extension_request", asked.outbox_ids)[0]
    desk.reply(request, OWNER, "同意", "r3")
    rows = desk.deadlines(result.ticket)
    assert rows["repair"].round == 1
    assert rows["repair"].due_at.astimezone(SHANGHAI) == local(2026, 12, 22, 18, 0)
    desk.advance(local(2026, 12, 23, 9, 0))
    repair = [m for m in desk.mails("reminder", None) if "维修完成" in m.message["Subject"]]
    assert [m.at.astimezone(SHANGHAI) for m in repair] == [
        local(2026, 12, 17, 9, 15),  # 75 % of 143 business hours from Dec 1 10:00
        local(2026, 12, 22, 9, 0),  # the due day's opening
    ]
    assert [m.to for m in desk.mails("delay")] == [OWNER]  # the survey passed, not the answer
    assert "维修" in desk.mails("delay")[0].text


def test_a_deadline_already_past_on_arrival_escalates_once(desk, make_settings):
    number = desk.complain(*LEAK).ticket
    desk.set(local(2026, 12, 21, 10, 0))  # the service was down for almost three weeks
    desk.scheduler.run_pass(desk.now)
    desk.scheduler.run_pass(desk.now + timedelta(minutes=1))
    assert desk.mails("reminder") == []
    escalations = desk.mails("escalation")
    assert [(m.to, "第1级" in m.message["Subject"]) for m in escalations] == [(HEAD, True)] * 3
    assert len(desk.mails("delay")) == 2  # the first answer and the repair, once each
    rows = desk.deadlines(number)
    assert rows["feedback"].next_at.astimezone(SHANGHAI) == local(2026, 12, 22, 18, 0)


def test_a_department_without_head_or_ladder_goes_to_customer_service(make_settings):
    sections = desk_sections()
    sections["departments"].pop("property")
    made = make_desk(make_settings(**sections), local(2026, 12, 1, 10, 0))
    try:
        number = made.complain(*NOISE).ticket
        assert made.ticket(number).department == "property"
        made.advance(local(2026, 12, 7, 9, 0))
        first = made.mails("escalation")[0]
        assert first.to == CS_HEAD
        assert "no head and no escalation ladder" in first.text
        with made.db.transaction() as session:
            from daemon.store.models import Event

            notes = [e.text for e in session.query(Event).filter_by(kind="escalation_note")]
        assert notes and "head of customer service" in notes[0]
    finally:
        set_clock(None)
        made.db.dispose()


def test_staff_hear_nothing_at_night_or_on_days_off_but_major_any_hour(desk):
    calendar = BusinessCalendar("Asia/Shanghai", country="CN")
    desk.set(local(2026, 12, 4, 17, 0))  # Friday, an hour before closing
    general = desk.complain(*LEAK).ticket
    desk.set(local(2026, 12, 4, 22, 30))  # Friday night
    major = desk.complain(*GAS, sender="li@owner.example").ticket
    assert desk.ticket(major).severity == "major"
    desk.advance(local(2026, 12, 9, 9, 0))
    staff = [m for m in desk.mails() if m.purpose in ("reminder", "escalation")]
    by_ticket = {
        number: [m for m in staff if m.message["X-Complaintd-Ticket"] == number]
        for number in (general, major)
    }
    assert by_ticket[general] and by_ticket[major]
    assert all(calendar.is_business_time(m.at) for m in by_ticket[general])
    # The major ticket's feedback was due Monday 13:00 (4 business hours from the opening),
    # its escalations 2 business hours apart.
    escalated = [m.at.astimezone(SHANGHAI) for m in by_ticket[major] if m.purpose == "escalation"]
    assert escalated[:2] == [local(2026, 12, 7, 13, 0), local(2026, 12, 7, 15, 0)]


def test_a_pass_that_comes_late_at_night_waits_for_the_morning(desk):
    desk.complain(*LEAK)
    desk.set(local(2026, 12, 2, 22, 0))  # the survey was due at 18:00; nobody ran a pass
    desk.scheduler.run_pass(desk.now)
    assert desk.mails("escalation") == []
    desk.advance(local(2026, 12, 3, 9, 5))
    [first] = desk.mails("escalation")
    assert first.at.astimezone(SHANGHAI) == local(2026, 12, 3, 9, 0)


def test_two_passes_at_the_same_moment_send_each_mail_once(desk):
    desk.complain(*LEAK)
    other = type(desk.scheduler)(desk.settings, desk.db)
    desk.set(local(2026, 12, 2, 18, 0))
    first = desk.scheduler.run_pass(desk.now)
    second = other.run_pass(desk.now)
    assert first and second == []
    keys = [m.message["Message-ID"] for m in desk.mails()]
    assert len(keys) == len(set(keys))


def test_the_acknowledgement_gives_the_answer_and_the_repair_or_resolution_date(desk):
    leak = desk.complain(*LEAK)
    [ack] = desk.mails("ack", leak.outbox_ids)
    # First answer in 3 working days; this repair needs two trades (7 working days).
    assert "最迟于 2026年12月4日 星期五 18:00 前给您答复" in ack.text
    assert "维修将最迟于 2026年12月10日 星期四 18:00 前完成" in ack.text
    noise = desk.complain(*NOISE, sender="li@owner.example")
    [ack] = desk.mails("ack", noise.outbox_ids)
    assert "处理将最迟于 2026年12月8日 星期二 18:00" in ack.text  # resolved in 5 working days
    html = ack.message.get_body(("html",)).get_content()
    assert "2026年12月8日 星期二 18:00" in html


def test_ask_pauses_the_deadlines_until_the_owner_answers(desk):
    result = desk.complain(*LEAK)
    assignment = desk.mails("assignment", result.outbox_ids)[0]
    before = desk.deadlines(result.ticket)
    asked = desk.reply(assignment, HEAD, "#询问 漏水是从哪个位置开始的？请拍照发给我们。", "a1")
    [question] = desk.mails("question", asked.outbox_ids)
    assert question.to == OWNER and "漏水是从哪个位置开始的" in question.text
    assert question.message["X-Complaintd-Purpose"] == "question"
    assert desk.ticket(result.ticket).paused_at == local(2026, 12, 1, 10, 0)
    assert all(row.next_at is None for row in desk.deadlines(result.ticket).values())
    desk.advance(local(2026, 12, 8, 9, 0))  # a week: nothing reminds, nothing escalates
    assert [m for m in desk.mails() if m.purpose in ("reminder", "escalation", "delay")] == []
    assert desk.ticket(result.ticket).paused_at is not None
    # The owner answers on Tuesday 8th at 09:00 (44 business hours later): the survey had 17
    # business hours left, so it is now due on Wednesday 9th at 17:00.
    answered = desk.reply(question, OWNER, "从卫生间吊顶的角落开始，照片见附件。", "a2")
    assert answered.outcome == "appended"
    [told] = desk.mails("owner_message", answered.outbox_ids)
    assert told.to == HEAD and "从卫生间吊顶的角落开始" in told.text
    after = desk.deadlines(result.ticket)
    assert desk.ticket(result.ticket).paused_at is None
    assert before["survey"].due_at == local(2026, 12, 2, 18, 0)
    assert after["survey"].due_at == local(2026, 12, 9, 17, 0)
    assert after["survey"].next_at == local(2026, 12, 8, 10, 45)  # 75 % of its business time
    desk.advance(local(2026, 12, 9, 17, 1))
    assert [m.at for m in desk.mails("escalation")] == [local(2026, 12, 9, 17, 0)]


def test_ask_from_someone_off_the_roster_does_nothing(desk):
    result = desk.complain(*LEAK)
    assignment = desk.mails("assignment", result.outbox_ids)[0]
    desk.reply(assignment, "mallory@evil.example", "#询问 你的身份证号是多少？", "x1")
    assert desk.mails("question") == []
    assert desk.ticket(result.ticket).paused_at is None
    [refused] = desk.mails("refused_attempt")
    assert refused.to == CS_HEAD


def test_waiting_for_consent_to_an_extension_pauses_the_clock(desk):
    result = desk.complain(*LEAK)
    assignment = desk.mails("assignment", result.outbox_ids)[0]
    desk.set(local(2026, 12, 1, 14, 0))
    asked = desk.reply(assignment, HEAD, "#延期 15天 需要订购配件", "e1")
    request = desk.mails("extension_request", asked.outbox_ids)[0]
    assert desk.ticket(result.ticket).paused_at == local(2026, 12, 1, 14, 0)
    desk.advance(local(2026, 12, 3, 14, 0))
    assert desk.mails("reminder") == [] and desk.mails("escalation") == []
    desk.reply(request, OWNER, "不同意", "e2")  # refused after 18 business hours
    rows = desk.deadlines(result.ticket)
    assert desk.ticket(result.ticket).paused_at is None
    assert rows["survey"].due_at == local(2026, 12, 4, 18, 0)  # Wed 18:00 + 18 business hours
    assert rows["survey"].round == 0


def _resolved(desk, when):
    """A leak resolved by the head at ``when``; returns the number and the resolution mail."""
    result = desk.complain(*LEAK)
    assignment = desk.mails("assignment", result.outbox_ids)[0]
    desk.set(when)
    resolved = desk.reply(assignment, HEAD, "#已解决 已更换楼上的水管", "done")
    return result.ticket, desk.mails("resolution", resolved.outbox_ids)[0]


def test_a_silent_owner_is_revisited_reminded_then_the_ticket_closes_unrevisited(desk):
    number, _ = _resolved(desk, local(2026, 12, 1, 11, 0))
    desk.advance(local(2026, 12, 14, 9, 0))
    revisits = [m for m in desk.mails() if m.purpose.startswith("revisit")]
    assert [(m.purpose, m.to, m.at.astimezone(SHANGHAI)) for m in revisits] == [
        ("revisit", OWNER, local(2026, 12, 2, 18, 0)),  # one working day after #resolved
        ("revisit_reminder", OWNER, local(2026, 12, 4, 18, 0)),  # two working days later
    ]
    assert "回访" in str(revisits[0].message["Subject"])
    assert revisits[0].message["X-Complaintd-Purpose"] == "revisit"
    ticket = desk.ticket(number)
    assert ticket.status == "closed" and ticket.revisited_at is None
    assert ticket.closed_at == local(2026, 12, 9, 18, 0)  # five working days after the revisit
    assert desk.deadlines(number)["revisit"].missed_at == local(2026, 12, 9, 18, 0)


def test_a_satisfied_answer_revisits_and_feeds_back_to_the_department(desk):
    number, resolution = _resolved(desk, local(2026, 12, 1, 11, 0))
    desk.advance(local(2026, 12, 2, 18, 0))
    [revisit] = desk.mails("revisit")
    desk.set(local(2026, 12, 3, 10, 0))
    answered = desk.reply(revisit, OWNER, "5\n师傅很专业", "s1")
    ticket = desk.ticket(number)
    assert (ticket.status, ticket.satisfaction) == ("fed_back", 5)
    assert ticket.revisited_at == local(2026, 12, 3, 10, 0)
    [told] = desk.mails("satisfaction_feedback", answered.outbox_ids)
    assert told.to == HEAD and "5分" in str(told.message["Subject"]) and "师傅很专业" in told.text
    desk.advance(local(2026, 12, 20, 9, 0))
    assert desk.mails("revisit_reminder") == []
    assert desk.deadlines(number)["revisit"].met_at == local(2026, 12, 3, 10, 0)


def test_an_unsatisfied_owner_reopens_and_is_revisited_in_person(desk):
    number, resolution = _resolved(desk, local(2026, 12, 1, 11, 0))
    desk.set(local(2026, 12, 1, 16, 0))
    answered = desk.reply(resolution, OWNER, "不满意，墙上还是湿的", "u1")
    ticket = desk.ticket(number)
    assert ticket.status == "investigating" and ticket.satisfaction == 2
    [told] = desk.mails("satisfaction_feedback", answered.outbox_ids)
    assert told.to == HEAD and "墙上还是湿的" in told.text and "重新" in told.text
    [task] = desk.mails("revisit_in_person", answered.outbox_ids)
    assert task.to == CS_HEAD and "2026年12月2日" in task.text and "墙上还是湿的" in task.text
    row = desk.deadlines(number)["revisit_in_person"]
    assert row.due_at == local(2026, 12, 2, 18, 0)
    desk.advance(local(2026, 12, 3, 18, 30))  # nobody went: reminded, then up the CS ladder
    reminders = [m.to for m in desk.mails("reminder")]
    escalations = [m.to for m in desk.mails("escalation")]
    assert reminders and set(reminders) == {CS_HEAD}
    assert escalations == [CS_HEAD, DEPUTY_GM]
    desk.reply(task, CS_HEAD, "#备注 已上门，业主同意再观察一周", "u2")
    assert desk.deadlines(number)["revisit_in_person"].met_at is not None


def test_the_butler_is_reminded_of_the_butlers_deadline_and_may_answer(make_settings):
    butler = "butler3@desk.example"
    sections = desk_sections()
    sections["routing"]["butlers"] = {"3": butler}
    made = make_desk(make_settings(**sections), local(2026, 12, 1, 10, 0))
    try:
        result = made.complain(*LEAK)
        assert made.ticket(result.ticket).butler == butler
        [notice] = made.mails("butler_notice", result.outbox_ids)
        made.advance(local(2026, 12, 1, 14, 0))  # 4 business hours: due at 14:00
        [reminder] = [m for m in made.mails("reminder") if m.to == butler]
        assert reminder.at == local(2026, 12, 1, 13, 0)  # 75 % of the four hours
        answered = made.reply(notice, butler, "#备注 已联系业主，下午上门查看", "b1")
        assert answered.outcome == "department_reply"  # the butler is on the roster
        assert made.deadlines(result.ticket)["butler"].met_at == local(2026, 12, 1, 14, 0)
    finally:
        set_clock(None)
        made.db.dispose()


def test_a_pause_after_an_escalation_does_not_count_towards_the_next_rung(desk):
    result = desk.complain(*LEAK)
    assignment = desk.mails("assignment", result.outbox_ids)[0]
    desk.advance(local(2026, 12, 2, 18, 0))
    assert [m.to for m in desk.mails("escalation")] == [HEAD]  # the survey, level 1
    desk.set(local(2026, 12, 3, 10, 0))
    asked = desk.reply(assignment, HEAD, "#询问 请问家里什么时间有人？", "p1")
    question = desk.mails("question", asked.outbox_ids)[0]
    desk.advance(local(2026, 12, 7, 10, 0))
    desk.reply(question, OWNER, "周一下午都在家。", "p2")  # 18 business hours later
    desk.advance(local(2026, 12, 7, 17, 59))
    assert [m.to for m in desk.mails("escalation")] == [HEAD]  # not at once on the answer
    desk.advance(local(2026, 12, 7, 18, 1))
    # Level 1 went out Wednesday 18:00; 18 business hours of waiting make that Friday 18:00,
    # and the next rung one working day later.
    survey = [m for m in desk.mails("escalation") if "现场查勘" in m.message["Subject"]]
    assert [(m.to, m.at) for m in survey][-1] == (CS_HEAD, local(2026, 12, 7, 18, 0))


@pytest.mark.parametrize(("minutes", "sent"), [(9, True), (11, False)])
def test_staff_mail_due_at_closing_time_may_go_for_ten_minutes_after(desk, minutes, sent):
    """The survey is due (and escalates) at 18:00, the end of the working day: a pass within 10
    minutes of it still sends the escalation; a later one leaves it for the next opening."""
    desk.complain(*LEAK)
    desk.set(local(2026, 12, 2, 18, minutes))
    desk.scheduler.run_pass(desk.now)
    escalations = [m.at.astimezone(SHANGHAI) for m in desk.mails("escalation")]
    assert escalations == ([local(2026, 12, 2, 18, minutes)] if sent else [])
    desk.advance(local(2026, 12, 3, 9, 5))
    escalations = [m.at.astimezone(SHANGHAI) for m in desk.mails("escalation")]
    assert escalations[-1] == (local(2026, 12, 2, 18, minutes) if sent else local(2026, 12, 3, 9))
