"""Answers by mail: signed reply addresses, who may act, commands, owners' replies, security."""

from __future__ import annotations

import email
from email import policy

import pytest
from sqlalchemy import select

from daemon.mail import outbox
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from daemon.store.models import Outbox, Ticket
from tests.mails import complaint

OWNER = "wang@owner.example"
HEAD = "eng.head@desk.example"
MEMBER = "plumber@desk.example"
CS_HEAD = "cs@desk.example"
STRANGER = "mallory@evil.example"
APPROVERS = {
    "cs_manager": CS_HEAD,
    "deputy_chief_engineer": "dce@desk.example",
    "deputy_gm": "dgm@desk.example",
    "gm": "gm@desk.example",
    "audit": "audit@desk.example",
}


@pytest.fixture
def desk(make_settings):
    settings = make_settings(
        desk={"address": "complaints@desk.example", "default_language": "zh"},
        departments={
            "engineering": {"head": HEAD, "members": [MEMBER], "language": "zh"},
            "customer_service": {"head": CS_HEAD},
        },
        replies={"approvers": APPROVERS},
    )
    db = Database(settings.database.url)
    db.migrate()
    return Pipeline(settings, db)


def _mails(desk, ids=None, purpose=None):
    query = select(Outbox).order_by(Outbox.id)
    if ids is not None:
        query = query.where(Outbox.id.in_(ids))
    if purpose:
        query = query.where(Outbox.purpose == purpose)
    with desk.db.transaction() as session:
        return [
            (
                row.purpose,
                row.recipient,
                email.message_from_bytes(outbox.message_bytes(row), policy=policy.default),
            )
            for row in session.scalars(query)
        ]


def _ticket(desk, number):
    with desk.db.transaction() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
        kinds = [e.kind for e in ticket.events]
        session.expunge(ticket)
        return ticket, kinds


def _reply(desk, to_mail, sender, body, key, subject=None):
    """Answer one of our mails the way a mail client does: to its Reply-To, quoting it."""
    reply_to = str(to_mail["Reply-To"])
    quoted = "\n".join(
        "> " + line for line in to_mail.get_body(("plain",)).get_content().splitlines()
    )
    raw = complaint(
        f"{body}\n\n在 2026年11月23日 10:31，投诉中心 写道：\n{quoted}",
        subject=subject or f"Re: {to_mail['Subject']}",
        sender=sender,
        headers={"In-Reply-To": to_mail["Message-ID"]},
    ).replace(b"To: complaints@desk.example", f"To: {reply_to}".encode())
    return desk.receive("test", key, raw)


def _leak(desk):
    raw = complaint(
        "3栋2单元1502卫生间天花板漏水，请派师傅维修。",
        subject="卫生间漏水",
        sender=OWNER,
        name="王女士",
    )
    result = desk.receive("test", "first", raw)
    ack = next(m for p, _, m in _mails(desk, result.outbox_ids) if p == "ack")
    assignment = next(m for p, _, m in _mails(desk, result.outbox_ids) if p == "assignment")
    return result.ticket, ack, assignment


def test_the_whole_conversation_by_mail(desk):
    number, ack, assignment = _leak(desk)
    assert str(ack["Reply-To"]).startswith(f"complaints+{number}.o.")

    accepted = _reply(desk, assignment, HEAD, "#受理", "r1")
    assert accepted.outcome == "department_reply"
    assert _ticket(desk, number)[0].status == "investigating"
    [confirmation] = _mails(desk, accepted.outbox_ids, "confirmation")
    assert confirmation[1] == HEAD

    answered = _reply(desk, assignment, HEAD, "明天上午九点派师傅上门查看。", "r2")
    [(_, to, answer)] = _mails(desk, answered.outbox_ids, "answer")
    assert to == OWNER and answer["From"].addresses[0].addr_spec == "complaints@desk.example"
    text = answer.get_body(("plain",)).get_content()
    assert "明天上午九点派师傅上门查看" in text and HEAD not in answer.as_string()

    resolved = _reply(desk, assignment, HEAD, "#已解决 已更换楼上的水管", "r3")
    [(_, to, resolution)] = _mails(desk, resolved.outbox_ids, "resolution")
    assert to == OWNER and "已更换楼上的水管" in resolution.get_body(("plain",)).get_content()

    score = _reply(desk, resolution, OWNER, "5", "r4")
    assert score.outcome == "appended"
    ticket, kinds = _ticket(desk, number)
    assert (ticket.status, ticket.satisfaction) == ("fed_back", 5)
    assert "revisit" in ticket.deadlines
    assert {"received", "department_reply", "answer", "resolution", "satisfaction"} <= set(kinds)


def test_owner_reply_joins_the_ticket_and_the_head_is_told(desk):
    number, ack, _ = _leak(desk)
    result = _reply(desk, ack, OWNER, "今天又漏了，墙都湿了。", "o1")
    assert (result.outcome, result.ticket) == ("appended", number)
    [(_, to, mail)] = _mails(desk, result.outbox_ids, "owner_message")
    assert to == HEAD and "今天又漏了" in mail.get_body(("plain",)).get_content()
    assert "> " not in mail.get_body(("plain",)).get_content().split("今天又漏了")[1][:5]


def test_extension_needs_the_owners_consent(desk):
    number, _, assignment = _leak(desk)
    asked = _reply(desk, assignment, HEAD, "#延期 15天 需要订购配件", "e1")
    [(_, to, request)] = _mails(desk, asked.outbox_ids, "extension_request")
    assert to == OWNER and "需要订购配件" in request.get_body(("plain",)).get_content()
    before = _ticket(desk, number)[0].deadlines["repair"]
    _reply(desk, request, OWNER, "同意", "e2")
    ticket, kinds = _ticket(desk, number)
    assert "extension_agreed" in kinds and ticket.deadlines["repair"] > before


def test_cost_approval_follows_the_amount_tiers_in_order(desk):
    number, _, assignment = _leak(desk)
    asked = _reply(desk, assignment, HEAD, "#费用 5000 更换整段立管", "c1")
    [(_, to, first)] = _mails(desk, asked.outbox_ids, "approval_request")
    assert to == "dce@desk.example"  # the deputy chief engineer reviews first
    reviewed = _reply(desk, first, "dce@desk.example", "#批准", "c2")
    assert "cost_approved" not in _ticket(desk, number)[1]
    [(_, to, second)] = _mails(desk, reviewed.outbox_ids, "approval_request")
    assert to == "dgm@desk.example"  # then the deputy GM approves
    _reply(desk, second, "dgm@desk.example", "#approve", "c3")
    assert "cost_approved" in _ticket(desk, number)[1]


def test_an_extension_that_shortens_the_deadline_is_refused(desk):
    number, _, assignment = _leak(desk)
    asked = _reply(desk, assignment, HEAD, "#extend 1 day parts", "e3")
    assert not _mails(desk, asked.outbox_ids, "extension_request")
    [(_, _, confirmation)] = _mails(desk, asked.outbox_ids, "confirmation")
    assert "REFUSED" in confirmation.get_body(("plain",)).get_content()


def test_reclassify_by_mail_reroutes_and_is_kept_as_a_correction(desk):
    number, _, assignment = _leak(desk)
    refused = _reply(desk, assignment, HEAD, "#reclassify category=plumbing", "rc0")
    [(_, _, confirmation)] = _mails(desk, refused.outbox_ids, "confirmation")
    assert "REFUSED" in confirmation.get_body(("plain",)).get_content()
    result = _reply(desk, assignment, HEAD, "#reclassify category=billing", "rc1")
    assert result.outcome == "department_reply"
    ticket, kinds = _ticket(desk, number)
    assert (ticket.category, ticket.department) == ("billing", "finance")
    assert "reclassified" in kinds
    # Engineering no longer holds the ticket, so its head may not command it any more.
    again = _reply(desk, assignment, HEAD, "#accept", "rc2")
    assert again.outcome == "appended" and _ticket(desk, number)[0].status == "accepted"


def test_note_stays_internal(desk):
    number, _, assignment = _leak(desk)
    result = _reply(desk, assignment, HEAD, "#备注 业主家里有老人，上门前先电话", "n1")
    assert not _mails(desk, result.outbox_ids, "answer")
    assert "note" in _ticket(desk, number)[1]


# --- security: none of these changes the ticket's state -----------------------------------


def _state(desk, number):
    ticket, _ = _ticket(desk, number)
    return ticket.status, ticket.department, ticket.pending


def test_forged_from_without_token_is_not_a_command(desk):
    number, _, _ = _leak(desk)
    before = _state(desk, number)
    raw = complaint("#resolved done", subject=f"Re: [{number}] 卫生间漏水", sender=HEAD)
    result = desk.receive("test", "f1", raw)
    assert result.outcome == "appended" and _state(desk, number) == before


def test_valid_token_from_a_stranger_is_refused_and_staff_told(desk):
    number, _, assignment = _leak(desk)
    before = _state(desk, number)
    result = _reply(desk, assignment, STRANGER, "#resolved fixed", "s1")
    assert result.outcome == "appended" and _state(desk, number) == before
    assert "command_refused" in _ticket(desk, number)[1]
    assert [to for _, to, _ in _mails(desk, result.outbox_ids, "refused_attempt")] == [CS_HEAD]


def test_token_for_another_ticket_or_altered_token_changes_nothing(desk):
    number, _, assignment = _leak(desk)
    other = desk.receive(
        "test", "other", complaint("电梯坏了", subject="电梯", sender="li@owner.example")
    )
    before = (_state(desk, number), _state(desk, other.ticket))
    altered = assignment
    reply_to = str(assignment["Reply-To"])
    forged = reply_to.replace(number, other.ticket)
    del altered["Reply-To"]
    altered["Reply-To"] = forged
    _reply(desk, altered, HEAD, "#resolved fixed", "t1", subject=f"Re: [{other.ticket}] 电梯")
    tampered = reply_to[:-20] + ("a" if reply_to[-20] != "a" else "b") + reply_to[-19:]
    del altered["Reply-To"]
    altered["Reply-To"] = tampered
    _reply(desk, altered, HEAD, "#accept", "t2")
    assert (_state(desk, number), _state(desk, other.ticket)) == before


def test_owner_writing_a_command_is_just_a_message(desk):
    number, ack, _ = _leak(desk)
    before = _state(desk, number)
    result = _reply(desk, ack, OWNER, "#resolved", "w1")
    assert result.outcome == "appended" and _state(desk, number) == before


def test_command_inside_quoted_text_is_ignored(desk):
    number, _, assignment = _leak(desk)
    accepted = _reply(desk, assignment, HEAD, "#accept", "q0")
    confirmation = next(m for p, _, m in _mails(desk, accepted.outbox_ids) if p == "confirmation")
    before = _state(desk, number)
    raw_body = "Thanks, noted.\n\nOn Mon, 23 Nov 2026 at 10:31, Desk wrote:\n> #resolved all done"
    _reply(desk, confirmation, HEAD, raw_body, "q1")
    assert _state(desk, number)[0] == before[0] == "investigating"


def test_bounce_to_a_reply_address_changes_nothing(desk):
    number, _, assignment = _leak(desk)
    before = _state(desk, number)
    reply_to = str(assignment["Reply-To"])
    dsn = (
        f"From: MAILER-DAEMON@mx.desk.example\r\nTo: {reply_to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b9@mx>\r\n\r\n"
        f"#resolved\r\nThe mail to {HEAD} could not be delivered.\r\n"
    ).encode()
    assert desk.receive("test", "b1", dsn).outcome == "bounce"
    assert _state(desk, number) == before


def test_member_of_the_department_may_command(desk):
    number, _, assignment = _leak(desk)
    del assignment["Reply-To"]
    from daemon.mail.tokens import reply_address

    assignment["Reply-To"] = reply_address(desk.settings, desk.secret, number, "d", MEMBER)
    result = _reply(desk, assignment, MEMBER, "#accept", "m1")
    assert result.outcome == "department_reply"
    assert _ticket(desk, number)[0].status == "investigating"


def _close(desk):
    number, _, assignment = _leak(desk)
    resolved = _reply(desk, assignment, HEAD, "#resolved 已修好", "z1")
    [(_, _, resolution)] = _mails(desk, resolved.outbox_ids, "resolution")
    _reply(desk, resolution, OWNER, "满意", "z2")
    ticket, _ = _ticket(desk, number)
    assert (ticket.status, ticket.satisfaction) == ("fed_back", 4)
    return number, resolution


def test_owner_writing_to_a_closed_ticket_reopens_it(desk):
    number, resolution = _close(desk)
    result = _reply(desk, resolution, OWNER, "又开始漏水了！", "z3")
    assert (result.outcome, result.ticket) == ("appended", number)
    ticket, kinds = _ticket(desk, number)
    assert ticket.status == "accepted" and "reopened" in kinds


def test_after_the_reopen_period_a_new_linked_ticket_starts(desk):
    from datetime import UTC, datetime, timedelta

    from daemon.clock import set_clock

    number, resolution = _close(desk)
    later = datetime.now(UTC) + timedelta(days=desk.settings.replies.reopen_days + 1)
    set_clock(lambda: later)
    try:
        result = _reply(desk, resolution, OWNER, "又开始漏水了！", "z4")
    finally:
        set_clock(None)
    assert result.outcome == "ticket_created" and result.ticket != number
    new, _ = _ticket(desk, result.ticket)
    assert new.linked_to == number
    assert _ticket(desk, number)[0].status == "fed_back"


def test_owner_writing_with_the_number_but_no_token_still_reaches_the_head(desk):
    number, _, _ = _leak(desk)
    raw = complaint("楼下邻居家也开始渗水了。", subject=f"Re: [{number}] 卫生间漏水", sender=OWNER)
    result = desk.receive("test", "plain-owner", raw)
    assert (result.outcome, result.ticket) == ("appended", number)
    [(_, to, mail)] = _mails(desk, result.outbox_ids, "owner_message")
    assert to == HEAD and "楼下邻居家也开始渗水了" in mail.get_body(("plain",)).get_content()
    stranger = complaint("I know about this leak.", subject=f"Re: [{number}]", sender=STRANGER)
    assert not desk.receive("test", "plain-stranger", stranger).outbox_ids
