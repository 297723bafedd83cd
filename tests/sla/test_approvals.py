"""Cost approval that holds: the tier's approvers are asked one after another, a rejection ends
the chain and tells the department why, ``#resolved`` waits for the approval, and the approver
in turn has a deadline that the scheduler reminds and escalates, each mail once."""

from __future__ import annotations

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from daemon.clock import set_clock
from daemon.config import ConfigError, load
from daemon.mail.tokens import load_secret, reply_address
from daemon.sla.scheduler import Scheduler
from daemon.store.models import Ticket
from tests.sla.desk import CS_HEAD, DEPUTY_GM, GM, HEAD, OWNER, Mail, desk_sections, make_desk

SHANGHAI = ZoneInfo("Asia/Shanghai")
DCE = "dce@desk.example"
AUDIT = "audit@desk.example"
LEAK = ("3栋2单元1502卫生间天花板漏水，请派师傅维修。", "卫生间漏水")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def desk(make_settings):
    sections = desk_sections()
    # gm is not listed: the title falls back to routing.general_manager.
    sections["replies"]["approvers"].update(deputy_chief_engineer=DCE, audit=AUDIT)
    made = make_desk(make_settings(**sections), local(2026, 12, 1, 10, 0))  # a Tuesday
    yield made
    set_clock(None)
    made.db.dispose()


def _leak(desk) -> tuple[str, Mail]:
    result = desk.complain(*LEAK)
    return result.ticket, desk.mails("assignment", result.outbox_ids)[0]


def _confirmation(desk, result) -> str:
    [mail] = desk.mails("confirmation", result.outbox_ids)
    return mail.text


def _as_approver(desk, number: str, address: str, mail: Mail) -> Mail:
    """A mail as if sent to ``address`` with its own approver reply address (a forged turn)."""
    secret = load_secret(desk.settings)
    own = reply_address(desk.settings, secret, number, "m", address)
    message = copy.deepcopy(mail.message)
    del message["Reply-To"]
    message["Reply-To"] = own
    return Mail(mail.id, mail.purpose, address, mail.at, message)


def _events(desk, number: str) -> list[str]:
    with desk.db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        return [event.kind for event in ticket.events]


def test_the_second_approver_is_asked_only_after_the_first_approved(desk):
    number, assignment = _leak(desk)
    asked = desk.reply(assignment, HEAD, "#费用 5000 更换整段立管", "c1")
    [request] = desk.mails("approval_request", asked.outbox_ids)
    assert request.to == DCE
    assert str(request.message["Reply-To"]).startswith(f"complaints+{number}.m.")
    assert "5,000.00" in request.text and "第 1 步，共 2 步" in request.text
    assert "deputy_chief_engineer then deputy_gm" in _confirmation(desk, asked)
    assert [m.to for m in desk.mails("approval_request")] == [DCE]  # the deputy GM: nothing yet

    # The deputy GM, with a reply address of their own, may not jump the queue.
    early = desk.reply(_as_approver(desk, number, DEPUTY_GM, request), DEPUTY_GM, "#批准", "c2")
    assert "REFUSED - not your turn yet" in _confirmation(desk, early)
    assert "cost_approved" not in _events(desk, number)

    reviewed = desk.reply(request, DCE, "#批准", "c3")
    [second] = desk.mails("approval_request", reviewed.outbox_ids)
    assert second.to == DEPUTY_GM and "第 2 步，共 2 步" in second.text
    assert "已批准：分管工程质量的副总工程师" in second.text
    assert "cost_approved" not in _events(desk, number)
    again = desk.reply(request, DCE, "#批准", "c4")
    assert "REFUSED - you have already approved" in _confirmation(desk, again)

    approved = desk.reply(second, DEPUTY_GM, "#approve", "c5")
    [told] = desk.mails("cost_decision", approved.outbox_ids)
    assert told.to == HEAD and "已获全部审批" in told.text
    assert "cost_approved" in _events(desk, number)
    assert "cost" not in (desk.ticket(number).pending or {})
    assert [m.to for m in desk.mails("approval_request")] == [DCE, DEPUTY_GM]


def test_a_rejection_ends_the_chain_and_tells_the_department_why(desk):
    number, assignment = _leak(desk)
    asked = desk.reply(assignment, HEAD, "#费用 ¥25,000 更换整栋立管", "r1")
    [request] = desk.mails("approval_request", asked.outbox_ids)
    assert request.to == GM  # above 20,000: the general manager, then audit
    bare = desk.reply(request, GM, "#驳回", "r2")
    assert "REFUSED - give the reason" in _confirmation(desk, bare)
    rejected = desk.reply(request, GM, "#驳回 报价太高，请重新询价", "r3")
    [told] = desk.mails("cost_decision", rejected.outbox_ids)
    assert told.to == HEAD
    assert "被总经理" in told.text and "报价太高，请重新询价" in told.text
    assert [m.to for m in desk.mails("approval_request")] == [GM]  # audit was never asked
    assert "cost_rejected" in _events(desk, number)
    late = desk.reply(request, GM, "#批准", "r4")
    assert "REFUSED - there is nothing waiting for approval" in _confirmation(desk, late)
    resolved = desk.reply(assignment, HEAD, "#已解决 改用局部维修", "r5")
    assert [m.to for m in desk.mails("resolution", resolved.outbox_ids)] == [OWNER]


def test_resolved_is_refused_while_the_cost_waits_and_accepted_after(desk):
    number, assignment = _leak(desk)
    asked = desk.reply(assignment, HEAD, "#费用 800 更换角阀", "s1")
    [request] = desk.mails("approval_request", asked.outbox_ids)
    assert request.to == CS_HEAD  # up to 1,000: the customer-service manager
    early = desk.reply(assignment, HEAD, "#已解决 已更换角阀", "s2")
    text = _confirmation(desk, early)
    assert "REFUSED - the cost of 800.00 (更换角阀) is still waiting for approval" in text
    assert "by cs_manager (1 of 1)" in text
    assert desk.mails("resolution") == [] and desk.ticket(number).status != "replied"
    another = desk.reply(assignment, HEAD, "#费用 300 另一项", "s3")
    assert "REFUSED - a cost of 800.00 is already waiting" in _confirmation(desk, another)
    desk.reply(request, CS_HEAD, "#批准", "s4")
    resolved = desk.reply(assignment, HEAD, "#已解决 已更换角阀", "s5")
    assert [m.to for m in desk.mails("resolution", resolved.outbox_ids)] == [OWNER]
    assert desk.ticket(number).status == "replied"


def _approval_mails(desk, purpose: str) -> list[tuple[str, str]]:
    return [
        (m.to, m.at.astimezone(SHANGHAI).strftime("%a %d %H:%M"))
        for m in desk.mails(purpose)
        if "费用" in m.message["Subject"]
    ]


def test_the_approver_in_turn_is_reminded_then_escalated_once(desk):
    number, assignment = _leak(desk)
    desk.set(local(2026, 12, 1, 10, 30))
    asked = desk.reply(assignment, HEAD, "#费用 5000 更换整段立管", "d1")
    [request] = desk.mails("approval_request", asked.outbox_ids)
    row = desk.deadlines(number)["approval"]
    assert row.due_at == local(2026, 12, 2, 18, 0)  # one working day: Wednesday's close
    desk.advance(local(2026, 12, 3, 9, 30))
    # 75 % of the 16.5 business hours from Tue 10:30 is Wed 13:52:30; the due day opens 09:00.
    assert _approval_mails(desk, "reminder") == [(DCE, "Wed 02 09:00"), (DCE, "Wed 02 13:53")]
    reminder = next(m for m in desk.mails("reminder") if m.to == DCE)
    assert str(reminder.message["Reply-To"]).startswith(f"complaints+{number}.m.")
    assert "#批准" in reminder.text and "5,000.00" in reminder.text
    # Missed at Wednesday's close: level 1 of engineering's ladder, the department head.
    assert _approval_mails(desk, "escalation") == [(HEAD, "Wed 02 18:00")]
    assert desk.deadlines(number)["approval"].missed_at == local(2026, 12, 2, 18, 0)

    # Passes again at the same moment, by this scheduler and by a second one, send nothing.
    before = len(desk.mails())
    desk.scheduler.run_pass(desk.now)
    Scheduler(desk.settings, desk.db).run_pass(desk.now)
    assert len(desk.mails()) == before

    # The deputy chief engineer approves on Thursday: the deputy GM's turn, a deadline of its own.
    desk.reply(reminder, DCE, "#批准", "d2")
    row = desk.deadlines(number)["approval"]
    assert (row.round, row.met_at, row.due_at) == (1, None, local(2026, 12, 4, 18, 0))
    desk.advance(local(2026, 12, 8, 18, 30))
    reminded = _approval_mails(desk, "reminder")
    assert reminded[2:] == [(DEPUTY_GM, "Fri 04 09:00"), (DEPUTY_GM, "Fri 04 13:38")]
    assert _approval_mails(desk, "escalation") == [
        (HEAD, "Wed 02 18:00"),
        (HEAD, "Fri 04 18:00"),  # the new round climbs from the bottom again
        (CS_HEAD, "Mon 07 18:00"),  # one working day later; the weekend does not count
        (GM, "Tue 08 18:00"),  # the deputy GM's rung is skipped: the delay is their own
    ]
    second = [m for m in desk.mails("approval_request") if m.to == DEPUTY_GM][0]
    desk.set(local(2026, 12, 9, 9, 0))
    desk.reply(second, DEPUTY_GM, "#批准", "d3")
    row = desk.deadlines(number)["approval"]
    assert row.met_at == local(2026, 12, 9, 9, 0) and row.next_at is None
    count = len(desk.mails())
    desk.advance(local(2026, 12, 11, 18, 30))
    assert [m for m in desk.mails()[count:] if "费用" in m.message["Subject"]] == []


def test_approval_deadline_in_business_hours(make_settings):
    sections = desk_sections()
    sections["approvals"] = {"business_hours": 4}
    sections["replies"]["approvers"].update(deputy_chief_engineer=DCE)
    desk = make_desk(make_settings(**sections), local(2026, 12, 1, 10, 0))
    try:
        number, assignment = _leak(desk)
        desk.set(local(2026, 12, 1, 16, 0))
        desk.reply(assignment, HEAD, "#费用 5000 更换整段立管", "h1")
        # Two business hours on Tuesday, two on Wednesday from 09:00.
        assert desk.deadlines(number)["approval"].due_at == local(2026, 12, 2, 11, 0)
    finally:
        set_clock(None)
        desk.db.dispose()


def test_tiers_come_from_the_configuration(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        "[[approvals.tiers]]\nup_to = 500\nchain = ['cs_manager']\n"
        "[[approvals.tiers]]\nchain = ['gm', 'finance']\n"
    )
    tiers = load(path, environ={}).approvals.tiers
    assert [(t.up_to, t.chain) for t in tiers] == [(500, ["cs_manager"]), (None, ["gm", "finance"])]
    path.write_text("[[approvals.tiers]]\nup_to = 500\nchain = ['cs_manager']\n")
    with pytest.raises(ConfigError, match="approvals.tiers: give every tier an up_to except"):
        load(path, environ={})
    path.write_text(
        "[[approvals.tiers]]\nup_to = 5000\nchain = ['a']\n"
        "[[approvals.tiers]]\nup_to = 500\nchain = ['b']\n"
        "[[approvals.tiers]]\nchain = ['c']\n"
    )
    with pytest.raises(ConfigError, match="up_to must rise"):
        load(path, environ={})
    path.write_text("[replies]\napprovers = { deputy_gm = 'dgm@example.com' }\n")
    settings = load(path, environ={})  # a config of before the tiers still works
    assert [t.chain for t in settings.approvals.tiers][1] == ["deputy_chief_engineer", "deputy_gm"]


def test_a_title_nobody_holds_is_refused_with_the_key_to_set(desk):
    desk.settings.replies.approvers.pop("deputy_chief_engineer")
    number, assignment = _leak(desk)
    asked = desk.reply(assignment, HEAD, "#cost 5000 riser", "m1")
    text = _confirmation(desk, asked)
    assert "REFUSED - no approver configured for deputy_chief_engineer" in text
    assert "replies.approvers.deputy_chief_engineer" in text
    assert desk.mails("approval_request") == [] and "approval" not in desk.deadlines(number)


def test_a_cost_asked_before_approvals_ran_in_order_goes_on_in_order(desk):
    """A ticket whose cost was sent to both approvers at once (older versions) keeps working:
    the one who already approved counts, the other is now the approver in turn."""
    number, assignment = _leak(desk)
    old = {
        "amount": 5000.0,
        "purpose": "更换整段立管",
        "by": HEAD,
        "needed": {"deputy_chief_engineer": DCE, "deputy_gm": DEPUTY_GM},
        "approved": ["deputy_gm"],
    }
    with desk.db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        ticket.pending = {"cost": old}
    refused = desk.reply(assignment, HEAD, "#已解决 已更换", "o1")
    assert "waiting for approval by deputy_chief_engineer (2 of 2)" in _confirmation(desk, refused)
    approver = _as_approver(desk, number, DCE, assignment)
    done = desk.reply(approver, DCE, "#approve", "o2")
    [told] = desk.mails("cost_decision", done.outbox_ids)
    assert told.to == HEAD and "cost_approved" in _events(desk, number)


def test_a_cost_needs_an_amount_above_zero(desk):
    number, assignment = _leak(desk)
    for key, body in (("z1", "#费用 0 检查"), ("z2", "#费用 更换")):
        asked = desk.reply(assignment, HEAD, body, key)
        assert "REFUSED - give the amount" in _confirmation(desk, asked)
    assert desk.mails("approval_request") == [] and "approval" not in desk.deadlines(number)


def test_above_20000_audit_checks_after_the_general_manager(desk):
    number, assignment = _leak(desk)
    asked = desk.reply(assignment, HEAD, "#coste 25000 cambiar la columna", "t1")
    [first] = desk.mails("approval_request", asked.outbox_ids)
    approved = desk.reply(first, GM, "#aprobar", "t2")
    [second] = desk.mails("approval_request", approved.outbox_ids)
    assert second.to == AUDIT and "已批准：总经理" in second.text
    rejected = desk.reply(second, AUDIT, "#rechazar falta el presupuesto", "t3")
    [told] = desk.mails("cost_decision", rejected.outbox_ids)
    assert told.to == HEAD and "falta el presupuesto" in told.text and "审计核算部" in told.text


def test_the_customer_service_head_holds_cs_manager_unless_configured(desk):
    desk.settings.replies.approvers.pop("cs_manager")
    number, assignment = _leak(desk)
    asked = desk.reply(assignment, HEAD, "#费用 1000 更换角阀", "u1")
    [request] = desk.mails("approval_request", asked.outbox_ids)
    assert request.to == CS_HEAD  # exactly 1,000 is still the first tier
    desk.reply(request, CS_HEAD, "#批准", "u2")
    assert "cost_approved" in _events(desk, number)


def test_the_customer_service_head_decides_what_the_mail_they_answer_is_about(make_settings):
    """With answers held for review, the customer-service head may have a held answer and a
    cost in turn at once: the mail they reply to says which one #approve decides."""
    sections = desk_sections()
    sections["replies"]["review_department_answers"] = True
    desk = make_desk(make_settings(**sections), local(2026, 12, 1, 10, 0))
    try:
        number, assignment = _leak(desk)
        held = desk.reply(assignment, HEAD, "明天上午九点派师傅上门查看。", "v1")
        [review] = desk.mails("review_request", held.outbox_ids)
        asked = desk.reply(assignment, HEAD, "#费用 500 更换角阀", "v2")
        [request] = desk.mails("approval_request", asked.outbox_ids)
        assert review.to == request.to == CS_HEAD
        desk.reply(request, CS_HEAD, "#批准", "v3")
        assert "cost_approved" in _events(desk, number) and desk.mails("answer") == []
        assert "review" in desk.ticket(number).pending
        desk.reply(review, CS_HEAD, "#批准", "v4")
        assert [m.to for m in desk.mails("answer")] == [OWNER]
    finally:
        set_clock(None)
        desk.db.dispose()


def test_an_approval_waits_while_the_desk_waits_for_the_owner(desk):
    number, assignment = _leak(desk)
    desk.reply(assignment, HEAD, "#费用 5000 更换整段立管", "p1")
    assert desk.deadlines(number)["approval"].due_at == local(2026, 12, 2, 18, 0)
    asked = desk.reply(assignment, HEAD, "#询问 漏水是从哪个位置开始的？", "p2")
    [question] = desk.mails("question", asked.outbox_ids)
    desk.advance(local(2026, 12, 3, 10, 0))
    assert _approval_mails(desk, "reminder") == _approval_mails(desk, "escalation") == []
    desk.reply(question, OWNER, "从卫生间吊顶的角落开始。", "p3")
    # Paused Tue 10:00 to Thu 10:00, 18 business hours: Wednesday's close becomes Friday's.
    assert desk.deadlines(number)["approval"].due_at == local(2026, 12, 4, 18, 0)
    desk.advance(local(2026, 12, 4, 18, 30))
    assert [to for to, _ in _approval_mails(desk, "reminder")] == [DCE, DCE]
    assert _approval_mails(desk, "escalation") == [(HEAD, "Fri 04 18:00")]


def test_a_cost_asked_during_the_pause_moves_on_by_its_own_wait(desk):
    number, assignment = _leak(desk)
    asked = desk.reply(assignment, HEAD, "#询问 漏水是从哪个位置开始的？", "q1")
    [question] = desk.mails("question", asked.outbox_ids)
    desk.set(local(2026, 12, 2, 10, 0))
    desk.reply(assignment, HEAD, "#费用 5000 更换整段立管", "q2")
    assert desk.deadlines(number)["approval"].due_at == local(2026, 12, 3, 18, 0)
    desk.set(local(2026, 12, 3, 10, 0))
    desk.reply(question, OWNER, "从卫生间吊顶的角落开始。", "q3")
    # It waited Wed 10:00 to Thu 10:00 (9 business hours), not the whole pause from Tuesday.
    assert desk.deadlines(number)["approval"].due_at == local(2026, 12, 4, 18, 0)
