"""Answers by mail end to end: real Dovecot (IDLE) in, the real ``complaintd run``, real SMTP out.

An owner writes in Chinese; the engineering head answers the mails the desk sent them the way
a Foxmail/QQ Mail user does (To the Reply-To, "Re: …", In-Reply-To, the new text above a
"-----原始邮件-----" header block and the quoted original), and each reply is APPENDed to the
INBOX as the MTA would deliver the plus address. The owner's answer comes from the desk, in
Chinese, with the head's words and never the head's address; "5" closes the ticket. A stranger
using the head's reply address changes nothing, and customer service is told.

The pipeline-level tests of the same flow are in tests/handlers/test_replies.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest

from daemon.config import Settings
from tests.e2e import (
    DESK,
    Process,
    cli,
    imap_section,
    message_id,
    plain_text,
    running,
    smtp_section,
    tickets,
    wait_until,
    write_config,
)
from tests.servers import DovecotServer, ReceivedMessage, SmtpSink

pytestmark = pytest.mark.imap

OWNER = "wang@owner.example"
HEAD = "eng.head@desk.example"
CS_HEAD = "cs.head@desk.example"
STRANGER = "mallory@evil.example"

LEAK_SUBJECT = "卫生间漏水"
LEAK_BODY = "您好，3栋2单元1502卫生间天花板漏水，已经两天了，请尽快派师傅维修。谢谢！"
HEAD_ANSWER = "明天上午九点派师傅上门查看，请家里留人。"
SUMMARY = "已更换楼上的水管，天花板已修补"


def _settings(
    make_settings: Callable[..., Settings],
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
    tmp_path: Path,
) -> Settings:
    return make_settings(
        imap=imap_section(dovecot),
        smtp=smtp_section(smtp_sink),
        desk={"default_language": "zh"},
        departments={
            "engineering": {"head": HEAD, "language": "zh"},
            "customer_service": {"head": CS_HEAD},
        },
        classifier={"model_file": str(tmp_path / "no-model.pkl")},
    )


def _complaint() -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"王女士 <{OWNER}>"
    message["To"] = DESK
    message["Subject"] = LEAK_SUBJECT
    message["Message-ID"] = make_msgid(domain="owner.example")
    message["Date"] = "Tue, 24 Nov 2026 09:00:00 +0800"
    message.set_content(LEAK_BODY)
    return message


def _foxmail_reply(original: EmailMessage, sender: str, text: str) -> EmailMessage:
    """A reply as Foxmail/QQ Mail writes it: To the Reply-To, "Re: …", the new text on top,
    then a "-----原始邮件-----" header block and the original mail unquoted below it."""
    reply_to = original["Reply-To"].addresses[0].addr_spec
    sent_to = original["To"].addresses[0].addr_spec
    quote = "\n".join(
        [
            "",
            "",
            "-----原始邮件-----",
            f'发件人："投诉中心" <{original["From"].addresses[0].addr_spec}>',
            "发送时间：2026年11月24日(星期二) 上午10:31",
            f'收件人："{sent_to.split("@")[0]}" <{sent_to}>',
            f"主题：{original['Subject']}",
            "",
            plain_text(original),
        ]
    )
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = reply_to
    reply["Subject"] = f"Re: {original['Subject']}"
    reply["Message-ID"] = make_msgid(domain=sender.split("@")[1])
    reply["In-Reply-To"] = original["Message-ID"]
    reply["References"] = original["Message-ID"]
    reply["Date"] = "Tue, 24 Nov 2026 10:35:00 +0800"
    reply["X-Mailer"] = "Foxmail 7.2.25.228[cn]"
    reply.set_content(text + quote)
    return reply


def _wait_new(
    sink: SmtpSink, seen: int, count: int, what: str, service: Process
) -> list[ReceivedMessage]:
    """The ``count`` mails that arrived after the first ``seen``; exactly that many."""
    return wait_until(
        lambda: sink.messages[seen:] if len(sink.messages) >= seen + count else None,
        15,
        what,
        service,
    )


def _one_to(new: list[ReceivedMessage], to: str) -> ReceivedMessage:
    found = [r for r in new if r.rcpt_tos == [to]]
    assert len(found) == 1, [(r.rcpt_tos, str(r.message["Subject"])) for r in new]
    return found[0]


def _send(dovecot: DovecotServer, reply: EmailMessage) -> None:
    dovecot.append(reply.as_bytes())


def _show(config: Path, number: str) -> dict[str, Any]:
    return json.loads(cli(config, "tickets", "show", number, "--json").stdout)


def _start(
    dovecot: DovecotServer, smtp_sink: SmtpSink, service: Process
) -> tuple[str, EmailMessage, EmailMessage]:
    """The complaint goes in; the owner's acknowledgement and the head's assignment come out."""
    complaint = _complaint()
    _send(dovecot, complaint)
    new = _wait_new(smtp_sink, 0, 2, "the acknowledgement and the assignment", service)
    ack, assignment = _one_to(new, OWNER), _one_to(new, HEAD)
    number = str(ack.message["X-Complaintd-Ticket"])
    assert number and number in str(assignment.message["Subject"])
    assert ack.message["In-Reply-To"] == f"<{message_id(complaint)}>"
    assert "统一编号" in plain_text(ack.message)
    assert OWNER not in assignment.data.decode("utf-8", "replace")
    assert LEAK_BODY[3:20] in plain_text(assignment.message)
    return number, ack.message, assignment.message


def test_owner_in_chinese_head_answers_by_mail_and_the_ticket_closes_with_satisfaction_5(
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    settings = _settings(make_settings, dovecot, smtp_sink, tmp_path)
    config = write_config(tmp_path / "complaintd.toml", settings)

    with running(config) as service:
        number, ack, assignment = _start(dovecot, smtp_sink, service)
        assert str(ack["Reply-To"]).startswith(f"complaints+{number}.o.")
        assert str(assignment["Reply-To"]).startswith(f"complaints+{number}.d.")

        # 1. The head accepts, replying to the assignment.
        seen = len(smtp_sink.messages)
        _send(dovecot, _foxmail_reply(assignment, HEAD, "#受理"))
        [accepted] = _wait_new(smtp_sink, seen, 1, "the confirmation of #受理", service)
        assert accepted.rcpt_tos == [HEAD]
        assert "#accept: accepted" in plain_text(accepted.message)
        wait_until(lambda: _show(config, number)["status"] == "investigating", 10, "investigating")

        # 2. The head writes an answer, replying to that confirmation: the owner gets it.
        seen = len(smtp_sink.messages)
        _send(dovecot, _foxmail_reply(accepted.message, HEAD, HEAD_ANSWER + "\n\n发自我的iPhone"))
        new = _wait_new(smtp_sink, seen, 2, "the owner's answer and its confirmation", service)
        answered, delivered = _one_to(new, HEAD), _one_to(new, OWNER)
        answer = delivered.message
        assert delivered.mail_from == DESK
        assert answer["From"].addresses[0].addr_spec == DESK
        assert str(answer["Reply-To"]).startswith(f"complaints+{number}.o.")
        assert number in str(answer["Subject"]) and "最新情况" in str(answer["Subject"])
        text = plain_text(answer)
        assert HEAD_ANSWER in text and "答复如下" in text, text
        for leftover in ("原始邮件", "#受理", "发自我的iPhone", "发件人"):
            assert leftover not in text, f"{leftover!r} reached the owner:\n{text}"
        assert HEAD.lower() not in delivered.data.decode("utf-8", "replace").lower()
        assert "eng.head" not in answer.as_string()

        # 3. The head reports it resolved: the owner gets the summary and the question.
        seen = len(smtp_sink.messages)
        _send(dovecot, _foxmail_reply(answered.message, HEAD, f"#已解决 {SUMMARY}"))
        new = _wait_new(smtp_sink, seen, 2, "the resolution and its confirmation", service)
        resolved_confirmation, resolution = _one_to(new, HEAD), _one_to(new, OWNER)
        assert "#resolved" in plain_text(resolved_confirmation.message)
        assert resolution.mail_from == DESK
        resolution_text = plain_text(resolution.message)
        assert SUMMARY in resolution_text and "满意" in resolution_text, resolution_text
        assert "请您评价" in str(resolution.message["Subject"])
        assert HEAD not in resolution.data.decode("utf-8", "replace")
        shown = _show(config, number)
        assert shown["status"] == "replied" and shown["pending"] == {"satisfaction": True}

        # 4. The owner answers "5" from the same client: the ticket closes.
        _send(dovecot, _foxmail_reply(resolution.message, OWNER, "5"))
        wait_until(lambda: _show(config, number)["status"] == "fed_back", 15, "fed_back", service)
        wait_until(lambda: dovecot.count("INBOX") == 0, 10, "an empty INBOX", service)
        wait_until(lambda: dovecot.count("Processed") == 5, 10, "5 mails processed", service)
        assert "(IDLE True)" in service.output(), "the service should wait with IDLE"

    shown = _show(config, number)
    assert (shown["status"], shown["satisfaction"]) == ("fed_back", 5), shown
    assert not shown["pending"] and shown["closed_at"]
    assert "revisit" in shown["deadlines"]
    assert (shown["language"], shown["department"], shown["owner_email"]) == (
        "zh",
        "engineering",
        OWNER,
    )
    kinds = [e["kind"] for e in shown["events"]]
    for kind in (
        "received",
        "classified",
        "routed",
        "acknowledged",
        "assigned",
        "department_reply",
        "status",
        "answer",
        "resolution",
        "satisfaction",
    ):
        assert kind in kinds, f"no {kind!r} event in {kinds}"
    assert kinds.count("department_reply") == 3 and kinds.count("confirmation") == 3, kinds
    moves = [(e["data"]["from"], e["data"]["to"]) for e in shown["events"] if e["kind"] == "status"]
    assert [to for _, to in moves] == [
        "investigating",
        "replied",
        "closed",
        "revisited",
        "fed_back",
    ], moves
    replies = [e for e in shown["events"] if e["kind"] == "department_reply"]
    assert [e["actor"] for e in replies] == [HEAD] * 3
    assert [e["text"] for e in replies] == ["#受理", HEAD_ANSWER, f"#已解决 {SUMMARY}"]
    [score] = [e for e in shown["events"] if e["kind"] == "satisfaction"]
    assert (score["actor"], score["data"], score["text"]) == (OWNER, {"score": 5}, "5")
    [answer_event] = [e for e in shown["events"] if e["kind"] == "answer"]
    assert answer_event["data"]["to"] == OWNER

    # Every mail was sent once, to the right person: the owner three, the head the rest (the
    # last one the owner's rating: the department is told, 信息反馈).
    received = smtp_sink.messages
    assert len(received) == 8
    by_recipient = sorted(r.rcpt_tos[0] for r in received)
    assert by_recipient == sorted([OWNER] * 3 + [HEAD] * 5)
    assert received[-1].message["X-Complaintd-Purpose"] == "satisfaction_feedback"
    confirmations = [r for r in received if "回复已记录" in str(r.message["Subject"])]
    assert len(confirmations) == 3 and all(r.rcpt_tos == [HEAD] for r in confirmations)
    assert all(r.mail_from == DESK for r in received)
    for r in received:
        if r.rcpt_tos == [OWNER]:
            assert HEAD not in r.data.decode("utf-8", "replace")

    assert dovecot.count("INBOX") == 0
    assert dovecot.count("Processed") == 5
    assert dovecot.count("Quarantine") == 0
    [ticket] = tickets(settings)
    assert ticket.number == number


def test_a_stranger_using_the_heads_reply_address_changes_nothing_and_cs_is_told(
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    settings = _settings(make_settings, dovecot, smtp_sink, tmp_path)
    config = write_config(tmp_path / "complaintd.toml", settings)

    with running(config) as service:
        number, _, assignment = _start(dovecot, smtp_sink, service)
        wait_until(lambda: dovecot.count("Processed") == 1, 10, "the complaint processed", service)
        before = _show(config, number)

        seen = len(smtp_sink.messages)
        forged = _foxmail_reply(assignment, f"Mallory <{STRANGER}>", f"#resolved {SUMMARY}")
        _send(dovecot, forged)
        [alert] = _wait_new(smtp_sink, seen, 1, "the refused-attempt mail", service)
        wait_until(lambda: dovecot.count("INBOX") == 0, 10, "an empty INBOX", service)
        wait_until(lambda: dovecot.count("Processed") == 2, 10, "2 mails processed", service)

    after = _show(config, number)
    state = ("status", "satisfaction", "pending", "department", "deadlines", "closed_at")
    assert {k: after[k] for k in state} == {k: before[k] for k in state}
    assert after["status"] == "accepted" and after["satisfaction"] is None

    assert alert.rcpt_tos == [CS_HEAD] and alert.mail_from == DESK
    assert number in str(alert.message["Subject"])
    assert "拒绝" in str(alert.message["Subject"])  # customer service reads the desk's Chinese
    alert_text = plain_text(alert.message)
    assert STRANGER in alert_text and "未被作为指令执行" in alert_text, alert_text

    kinds = [e["kind"] for e in after["events"]]
    assert "command_refused" in kinds and "refused_attempt" in kinds
    assert not {"department_reply", "resolution", "status", "confirmation"} & set(kinds), kinds
    [refused] = [e for e in after["events"] if e["kind"] == "command_refused"]
    assert refused["actor"] == STRANGER

    # Nothing reached the owner or the stranger after the acknowledgement.
    received = smtp_sink.messages
    assert len(received) == 3
    assert [r.rcpt_tos for r in received if OWNER in r.rcpt_tos] == [[OWNER]]
    assert not [r for r in received if STRANGER in r.rcpt_tos]
    assert dovecot.count("Quarantine") == 0
