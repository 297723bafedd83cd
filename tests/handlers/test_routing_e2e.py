"""Routing end to end: real Dovecot in, the real ``complaintd run`` service, real SMTP out.

A repair complaint in Spanish reaches the engineering head's mailbox with the right deadlines;
a gas-leak mail in Chinese is major and reported to the general manager. The service runs on
a Madrid desk whose clock starts (see ``CLOCK_PRELUDE``) on Thursday 3 December 2026, 10:00,
so the deadlines are the concrete dates worked out in tests/handlers/test_routing.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from daemon.config import Settings
from tests.e2e import (
    DESK,
    cli,
    imap_section,
    message_id,
    plain_text,
    recipient,
    running,
    smtp_section,
    tickets,
    wait_until,
    write_config,
)
from tests.handlers.test_routing import (
    CHINESE_GAS,
    ENGINEERING_HEAD,
    GENERAL_MANAGER,
    MADRID_FEEDBACK,
    MADRID_RECEIVED,
    SPANISH_LEAK,
    utc,
)
from tests.servers import DovecotServer, ReceivedMessage, SmtpSink

pytestmark = pytest.mark.imap

START_UTC = MADRID_RECEIVED.astimezone(UTC)  # 2026-12-03 09:00 UTC

CLOCK_PRELUDE = f"""
from datetime import UTC, datetime
from daemon.clock import set_clock
_offset = datetime.fromisoformat({START_UTC.isoformat()!r}) - datetime.now(UTC)
set_clock(lambda: datetime.now(UTC) + _offset)
"""
"""Run the service with its clock moved back to START_UTC; time still flows (seconds)."""

ANA = "ana.garcia@owner.example"
LI = "li@owner.example"


def owner_mail(sender: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = DESK
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="owner.example")
    message["Date"] = "Thu, 03 Dec 2026 09:58:00 +0100"
    message.set_content(body)
    return message


def only(received: list[ReceivedMessage], to: str, subject_part: str) -> ReceivedMessage:
    found = [r for r in received if to in r.rcpt_tos and subject_part in str(r.message["Subject"])]
    assert len(found) == 1, [(r.rcpt_tos, str(r.message["Subject"])) for r in received]
    return found[0]


def test_spanish_repair_reaches_the_engineering_head_and_a_chinese_gas_leak_is_major(
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    settings = make_settings(
        imap=imap_section(dovecot),
        smtp=smtp_section(smtp_sink),
        desk={"time_zone": "Europe/Madrid", "default_language": "es"},
        calendar={"country": "ES", "subdivision": "MD"},
        departments={"engineering": {"head": ENGINEERING_HEAD, "language": "es"}},
        routing={"general_manager": GENERAL_MANAGER},
        classifier={"model_file": str(tmp_path / "no-model.pkl")},
    )
    config = write_config(tmp_path / "complaintd.toml", settings)
    spanish = owner_mail(f"Ana García <{ANA}>", *SPANISH_LEAK)
    chinese = owner_mail(f"李先生 <{LI}>", *CHINESE_GAS)
    dovecot.append(spanish.as_bytes())
    dovecot.append(chinese.as_bytes())

    with running(config, prelude=CLOCK_PRELUDE) as service:
        wait_until(lambda: len(smtp_sink.messages) >= 4, 20, "four mails", service)
        wait_until(lambda: dovecot.count("INBOX") == 0, 10, "an empty INBOX", service)

    found = {t.owner_email: t for t in tickets(settings)}
    assert set(found) == {ANA, LI}
    leak, gas = found[ANA], found[LI]
    assert leak.number.startswith("C20261203-") and gas.number.startswith("C20261203-")
    received = smtp_sink.messages

    # The Spanish owner's acknowledgement: the answer date, in Spanish.
    ack = only(received, ANA, leak.number).message
    assert ack["In-Reply-To"] == f"<{message_id(spanish)}>"
    assert "a más tardar el jueves 10 de diciembre de 2026, 18:00" in plain_text(ack)

    # The engineering head's assignment: their mailbox, the number, deadlines in Spanish.
    assignment = only(received, ENGINEERING_HEAD, leak.number)
    assert recipient(assignment) == ENGINEERING_HEAD and assignment.mail_from == DESK
    text = plain_text(assignment.message)
    for expected in (
        leak.number,
        "reparación",
        "edificio 3 / portal 2 / piso 5ºB",
        "visita de inspección: viernes 4 de diciembre de 2026, 18:00",
        "respuesta al servicio: jueves 10 de diciembre de 2026, 18:00",
        "reparación terminada: jueves 10 de diciembre de 2026, 18:00",
        SPANISH_LEAK[1][:60],
    ):
        assert expected in text, f"{expected!r} missing from the assignment:\n{text}"
    assert ANA not in assignment.data.decode("utf-8", "replace")
    assert leak.deadlines["feedback"] == utc(MADRID_FEEDBACK)

    # The Chinese owner's acknowledgement: major, so an answer within 4 business hours.
    chinese_ack = only(received, LI, gas.number).message
    assert chinese_ack["In-Reply-To"] == f"<{message_id(chinese)}>"
    assert "统一编号" in plain_text(chinese_ack)
    assert "2026年12月3日 星期四 14:00" in plain_text(chinese_ack), plain_text(chinese_ack)

    # The general manager's alert, in the desk's language (Spanish here).
    alert = only(received, GENERAL_MANAGER, gas.number)
    assert "GRAVE" in str(alert.message["Subject"])
    alert_text = plain_text(alert.message)
    assert "燃气味" in alert_text
    assert "respuesta al servicio: jueves 3 de diciembre de 2026, 14:00" in alert_text, alert_text
    assert LI not in alert.data.decode("utf-8", "replace")

    # Who heard about what: the leak is not major, the owners never see each other's tickets.
    def recipients(number: str) -> set[str]:
        return {to for r in received if number in str(r.message["Subject"]) for to in r.rcpt_tos}

    assert recipients(leak.number) == {ANA, ENGINEERING_HEAD}
    assert {LI, GENERAL_MANAGER} <= recipients(gas.number) and ANA not in recipients(gas.number)

    # What an admin sees.
    shown = json.loads(cli(config, "tickets", "show", gas.number, "--json").stdout)
    assert shown["severity"] == "major"
    assert shown["deadlines"]["feedback"].startswith("2026-12-03T13:00")
    shown = json.loads(cli(config, "tickets", "show", leak.number, "--json").stdout)
    assert (shown["severity"], shown["department"]) == ("general", "engineering")
