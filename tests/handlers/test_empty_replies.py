"""A department's reply with nothing of its own is not an answer, and nothing we wrote ourselves
(the quoted assignment, our templates' lines, our Message-IDs and reply addresses) ever reaches
the owner as the department's words."""

from __future__ import annotations

import pytest

from handlers.department import EMPTY_REPLY
from tests.handlers.test_replies import HEAD, OWNER, _leak, _mails, _ticket, desk
from tests.mails import complaint

__all__ = ["desk"]  # the fixture, shared with test_replies

INTERNAL = ("please do not write to the owner directly", "请勿直接联系业主", "严重程度", "截止")
"""Words of the assignment mail (en and zh) that must never reach the owner."""


def _plain(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def _quoted(mail, mark: str = "> ") -> str:
    return "\n".join(mark + line for line in _plain(mail).splitlines())


def _send(desk, assignment, body: str, key: str):
    """A reply from the head to the assignment's signed address, with ``body`` as written."""
    raw = complaint(
        body,
        subject=f"Re: {assignment['Subject']}",
        sender=HEAD,
        headers={"In-Reply-To": assignment["Message-ID"]},
    ).replace(b"To: complaints@desk.example", f"To: {assignment['Reply-To']}".encode())
    return desk.receive("test", key, raw)


def _gmail(assignment) -> str:
    return (
        "On Mon, 23 Nov 2026 at 10:31, Complaint desk <complaints@desk.example> wrote:\n\n"
        + _quoted(assignment)
    )


def _bare(assignment) -> str:
    return ">\n>\n" + _quoted(assignment, ">") + "\n>\n"


def _only_quoted_commands(assignment) -> str:
    return (
        "在 2026年11月23日 10:31，投诉中心 写道：\n> #已解决 已更换水管\n> #accept\n>\n"
        + _quoted(assignment)
    )


@pytest.mark.parametrize("body", [_gmail, _bare, _only_quoted_commands])
def test_an_empty_reply_sends_nothing_to_the_owner_and_the_head_is_told(desk, body):
    number, _, assignment = _leak(desk)
    before, _ = _ticket(desk, number)

    result = _send(desk, assignment, body(assignment), "empty")

    assert result.outcome == "department_reply"
    assert [to for _, to, _ in _mails(desk, result.outbox_ids)] == [HEAD]
    [(purpose, _, confirmation)] = _mails(desk, result.outbox_ids)
    assert purpose == "confirmation"
    assert EMPTY_REPLY in " ".join(_plain(confirmation).split())
    assert not any(to == OWNER for _, to, _ in _mails(desk)[2:])
    after, kinds = _ticket(desk, number)
    assert (after.status, after.pending) == (before.status, before.pending)
    assert not {"answer", "answer_held", "resolution"} & set(kinds)


def test_an_empty_reply_is_not_held_for_review_either(make_settings):
    from daemon.pipeline import Pipeline
    from daemon.store.db import Database
    from tests.handlers.test_replies import APPROVERS, CS_HEAD, MEMBER

    settings = make_settings(
        desk={"address": "complaints@desk.example", "default_language": "zh"},
        departments={
            "engineering": {"head": HEAD, "members": [MEMBER], "language": "zh"},
            "customer_service": {"head": CS_HEAD},
        },
        replies={"approvers": APPROVERS, "review_department_answers": True},
    )
    db = Database(settings.database.url)
    db.migrate()
    reviewed = Pipeline(settings, db)
    number, _, assignment = _leak(reviewed)

    result = _send(reviewed, assignment, _gmail(assignment), "empty-review")

    assert [to for _, to, _ in _mails(reviewed, result.outbox_ids)] == [HEAD]
    assert _ticket(reviewed, number)[0].pending is None


def test_our_own_lines_pasted_into_an_answer_are_left_out(desk):
    """Quoted without "> " (pasted, or by a client we do not know): only the head's words go."""
    number, ack, assignment = _leak(desk)
    pasted = "\n".join(_plain(assignment).splitlines())
    body = (
        "师傅明天上午九点上门。\n"
        f"回复地址 {assignment['Reply-To']}\n"
        f"关于 {assignment['Message-ID']}\n\n"
        f"{pasted}\n{_plain(ack)}"
    )

    result = _send(desk, assignment, body, "pasted")

    [(_, to, answer)] = _mails(desk, result.outbox_ids, "answer")
    assert to == OWNER
    text = _plain(answer)
    assert "师傅明天上午九点上门" in text
    for words in INTERNAL:
        assert words not in text.lower()
    assert str(assignment["Reply-To"]) not in answer.as_string()
    assert str(assignment["Message-ID"]).strip("<>") not in text
    assert "回复地址" not in text and "关于 " not in text
    assert "处理时限" not in text  # a heading of ours, however short


def test_a_pasted_mail_with_nothing_else_is_empty(desk):
    number, _, assignment = _leak(desk)

    result = _send(desk, assignment, _plain(assignment), "pasted-only")

    assert [to for _, to, _ in _mails(desk, result.outbox_ids)] == [HEAD]
    assert "answer" not in _ticket(desk, number)[1]


def test_words_a_command_passes_to_the_owner_name_none_of_our_mails(desk):
    number, _, assignment = _leak(desk)
    reply_to = str(assignment["Reply-To"])

    pasted = _send(desk, assignment, f"#已解决 {reply_to}", "resolved-address")
    said = _send(desk, assignment, "#已解决 已更换楼上的水管", "resolved")

    assert not _mails(desk, pasted.outbox_ids, "resolution")
    assert "REFUSED" in _plain(_mails(desk, pasted.outbox_ids, "confirmation")[0][2])
    [(_, to, resolution)] = _mails(desk, said.outbox_ids, "resolution")
    assert to == OWNER and "已更换楼上的水管" in _plain(resolution)


def test_the_same_answer_twice_still_reaches_the_owner(desk):
    """Only mails the head got count as ours: the owner's copy of an answer is the head's."""
    _, _, assignment = _leak(desk)
    first = _send(desk, assignment, "明天上午九点派师傅上门查看。", "answer-1")
    again = _send(desk, assignment, "明天上午九点派师傅上门查看。", "answer-2")
    for result in (first, again):
        [(_, to, answer)] = _mails(desk, result.outbox_ids, "answer")
        assert to == OWNER and "明天上午九点派师傅上门查看" in _plain(answer)
