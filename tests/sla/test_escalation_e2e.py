"""Deadlines end to end on real servers: the complaint arrives in Dovecot, ``complaintd run --once``
runs at chosen moments (``--now``), mail goes out over SMTP to aiosmtpd. The head is reminded,
then the deadline passes and the ticket escalates to the customer-service head, who answers the
escalation mail with ``#转派 property`` as Foxmail writes it; the property head gets the ticket."""

from __future__ import annotations

import json
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from tests.e2e import (
    cli,
    complaint,
    imap_section,
    only_mail,
    plain_text,
    smtp_section,
    write_config,
)
from tests.servers import DovecotServer, ReceivedMessage, SmtpSink
from tests.sla.desk import CS_HEAD, GM, HEAD, OWNER, PROPERTY_HEAD, desk_sections

pytestmark = pytest.mark.imap

LEAK = "您好，3栋2单元1502卫生间天花板漏水，已经两天了，请尽快派师傅维修。谢谢！"


def _foxmail_reply(original: EmailMessage, sender: str, text: str) -> EmailMessage:
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = original["Reply-To"].addresses[0].addr_spec
    reply["Subject"] = f"Re: {original['Subject']}"
    reply["Message-ID"] = make_msgid(domain="desk.example")
    reply["In-Reply-To"] = original["Message-ID"]
    reply["Date"] = "Wed, 02 Dec 2026 18:20:00 +0800"
    reply["X-Mailer"] = "Foxmail 7.2.25.228[cn]"
    quote = f"\n\n-----原始邮件-----\n主题：{original['Subject']}\n\n{plain_text(original)}"
    reply.set_content(text + quote)
    return reply


def _new(sink: SmtpSink, seen: int) -> list[ReceivedMessage]:
    return sink.messages[seen:]


def test_reminder_then_escalation_then_reassign_by_mail(
    dovecot: DovecotServer, smtp_sink: SmtpSink, make_settings, tmp_path: Path
) -> None:
    sections = desk_sections()
    sections["departments"]["engineering"]["escalation"] = [CS_HEAD, GM]
    settings = make_settings(
        imap=imap_section(dovecot),
        smtp=smtp_section(smtp_sink),
        classifier={"model_file": str(tmp_path / "no-model.pkl")},
        **sections,
    )
    config = write_config(tmp_path / "complaintd.toml", settings)

    dovecot.append(
        complaint(
            f"王女士 <{OWNER}>",
            subject="卫生间漏水",
            body=LEAK,
            date="Tue, 01 Dec 2026 09:55:00 +0800",
        ).as_bytes()
    )
    cli(config, "--now", "2026-12-01T10:00:00+08:00", "run", "--once")
    first = _new(smtp_sink, 0)
    assignment = only_mail(first, HEAD, "assignment")
    number = str(assignment["X-Complaintd-Ticket"])
    assert only_mail(first, OWNER, "ack")["X-Complaintd-Ticket"] == number

    # The survey is due Wednesday 18:00: its due day opens at 09:00 with a reminder.
    seen = len(smtp_sink.messages)
    cli(config, "--now", "2026-12-02T09:00:30+08:00", "run", "--once")
    reminder = only_mail(_new(smtp_sink, seen), HEAD, "reminder")
    assert number in str(reminder["Subject"]) and "现场查勘" in str(reminder["Subject"])
    assert len(_new(smtp_sink, seen)) == 1

    # It passes: the ticket goes up the engineering ladder to the customer-service head.
    seen = len(smtp_sink.messages)
    cli(config, "--now", "2026-12-02T18:00:30+08:00", "run", "--once")
    escalation = only_mail(_new(smtp_sink, seen), CS_HEAD, "escalation")
    assert str(escalation["Reply-To"]).startswith(f"complaints+{number}.d.")
    text = plain_text(escalation)
    assert "卫生间天花板漏水" in text and "reminder" in text and "assigned" in text
    assert OWNER not in text

    # The customer-service head reassigns it by replying; property gets the ticket.
    dovecot.append(
        _foxmail_reply(escalation, CS_HEAD, "#转派 property\n\n这是物业的问题").as_bytes()
    )
    seen = len(smtp_sink.messages)
    cli(config, "--now", "2026-12-02T18:25:00+08:00", "run", "--once")
    new = _new(smtp_sink, seen)
    handed = only_mail(new, PROPERTY_HEAD, "assignment")
    assert number in str(handed["Subject"]) and "卫生间天花板漏水" in plain_text(handed)
    confirmation = only_mail(new, CS_HEAD, "confirmation")
    assert "reassigned from engineering to property" in plain_text(confirmation)
    shown = json.loads(cli(config, "tickets", "show", number, "--json").stdout)
    assert shown["department"] == "property"
    assert [e["kind"] for e in shown["events"]].count("reassigned") == 1
