"""End to end over IMAP: real Dovecot in, real SMTP (aiosmtpd) out, the real CLI in between.

Each test APPENDs mail to the fixture's Dovecot and then checks what a user would check: the
ticket and its number, the acknowledgement the owner received (language, subject, headers), and
that nothing was left behind or lost in the mailbox. The helpers are in tests/e2e.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from daemon.config import Settings
from tests.e2e import (
    NUMBER,
    assert_acknowledged,
    cli,
    complaint,
    imap_section,
    local_date,
    message_id,
    outbox_rows,
    plain_text,
    raw_items,
    recipient,
    run_once,
    running,
    smtp_section,
    sqlite_count,
    tickets,
    wait_until,
    write_config,
)
from tests.servers import DovecotServer, SmtpSink, require_binary


def test_complaints_in_three_languages_become_tickets_and_are_acknowledged(
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    settings = make_settings(imap=imap_section(dovecot), smtp=smtp_section(smtp_sink))
    sent = {
        "wang@owner.example": complaint("王先生 <wang@owner.example>", "zh"),
        "ana@owner.example": complaint("Ana García <ana@owner.example>", "es"),
        "john@owner.example": complaint("John Smith <john@owner.example>", "en"),
    }
    for message in sent.values():
        dovecot.append(message.as_bytes())

    run_once(settings)

    found = tickets(settings)
    assert sorted(t.owner_email for t in found) == sorted(sent)
    today = local_date(settings)
    numbers = [t.number for t in found]
    assert all(NUMBER.match(n) and NUMBER.match(n).group(1) == today for n in numbers), numbers
    assert sorted(int(n[-4:]) for n in numbers) == [1, 2, 3]
    languages = {t.owner_email: t.language for t in found}
    assert languages == {"wang@owner.example": "zh", "ana@owner.example": "es"} | {
        "john@owner.example": "en"
    }

    received = smtp_sink.wait_for(3)
    assert len(received) == 3
    for ticket in found:
        assert_acknowledged(ticket, received, message_id(sent[ticket.owner_email]))
    ack_ids = [message_id(r.message) for r in received]
    assert len(set(ack_ids)) == 3
    rows = outbox_rows(settings)
    assert {r.message_id for r in rows} == set(ack_ids)
    assert {(r.purpose, r.status, r.attempts) for r in rows} == {("ack", "sent", 1)}

    assert dovecot.count("INBOX") == 0
    assert dovecot.count("Processed") == 3
    assert {"Processed", "Quarantine"} <= set(dovecot.folders())
    processed_ids = set()
    for raw in dovecot.fetch_all("Processed"):
        match = re.search(rb"^Message-ID:\s*<([^>]+)>", raw, re.MULTILINE | re.IGNORECASE)
        processed_ids.add(match.group(1).decode())
    assert processed_ids == {message_id(m) for m in sent.values()}

    # What an admin sees from the command line.
    config = write_config(tmp_path / "complaintd.toml", settings)
    listed = json.loads(cli(config, "tickets", "list", "--json").stdout)
    assert sorted(t["number"] for t in listed) == sorted(numbers)
    shown = json.loads(cli(config, "tickets", "show", numbers[0], "--json").stdout)
    assert shown["owner_email"] == found[0].owner_email
    assert shown["body"].startswith("您好")


pytestmark = pytest.mark.imap


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_intake_over_tls_with_a_private_ca(
    security: str,
    dovecot_tls: DovecotServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(imap=imap_section(dovecot_tls, security), smtp=smtp_section(smtp_sink))
    sent = complaint("Ana <ana@owner.example>", "es")
    dovecot_tls.append(sent.as_bytes())

    run_once(settings)

    [ticket] = tickets(settings)
    assert ticket.language == "es"
    assert_acknowledged(ticket, smtp_sink.wait_for(1), message_id(sent))
    assert dovecot_tls.count("INBOX") == 0
    assert dovecot_tls.count("Processed") == 1


def outage(server: DovecotServer) -> None:
    """Take Dovecot down, sessions included.

    ``DovecotServer.stop()`` alone stops the master, but an already logged-in imap process
    outlives it and keeps serving its client, so the daemon would never see an outage.
    """
    subprocess.run(
        [require_binary("doveadm", "dovecot-core"), "-c", str(server.conf_path)]
        + ["kick", server.user],
        capture_output=True,
        timeout=10,
        check=True,
    )
    server.stop()


def test_intake_resumes_by_itself_after_the_mail_server_was_down(
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    settings = make_settings(imap=imap_section(dovecot), smtp=smtp_section(smtp_sink))
    config = write_config(tmp_path / "complaintd.toml", settings)
    before = complaint("John <john@owner.example>", "en")
    after = complaint("王先生 <wang@owner.example>", "zh")
    count_tickets = "SELECT count(*) FROM tickets"

    with running(config) as service:
        dovecot.append(before.as_bytes())
        wait_until(lambda: sqlite_count(settings, count_tickets) == 1, 15, "ticket 1", service)
        smtp_sink.wait_for(1)

        outage(dovecot)
        wait_until(lambda: "retrying in" in service.output(), 10, "the service to notice", service)
        time.sleep(1.0)  # down a while: at least one reconnect attempt fails
        dovecot.start()
        dovecot.append(after.as_bytes())

        wait_until(lambda: sqlite_count(settings, count_tickets) == 2, 30, "ticket 2", service)
        received = smtp_sink.wait_for(2, timeout=15)
        wait_until(lambda: dovecot.count("INBOX") == 0, 10, "an empty INBOX", service)

    first, second = tickets(settings)
    assert (first.language, second.language) == ("en", "zh")
    assert_acknowledged(first, received, message_id(before))
    assert_acknowledged(second, received, message_id(after))
    assert dovecot.count("Processed") == 2


def test_mail_over_the_size_limit_is_quarantined_and_the_owner_told_the_limit(
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    limit = 20_000
    settings = make_settings(
        imap=imap_section(dovecot),
        smtp=smtp_section(smtp_sink),
        storage={"max_message_bytes": limit},
    )
    big = complaint("John Smith <john@owner.example>", "en", subject="Photos of the damp wall")
    big.add_attachment(os.urandom(50_000), maintype="image", subtype="jpeg", filename="wall.jpg")
    small = complaint("Ana <ana@owner.example>", "es")
    dovecot.append(big.as_bytes())
    dovecot.append(small.as_bytes())

    run_once(settings)

    # The big one is recorded, held, and visible to admins; the one behind it is processed.
    assert dovecot.count("INBOX") == 0
    assert dovecot.count("Quarantine") == 1
    assert dovecot.count("Processed") == 1
    [held_raw] = dovecot.fetch_all("Quarantine")
    assert message_id(big).encode() in held_raw
    [ticket] = tickets(settings)
    assert ticket.owner_email == "ana@owner.example"

    config = write_config(tmp_path / "complaintd.toml", settings)
    held = json.loads(cli(config, "quarantine", "list", "--json").stdout)
    assert len(held) == 1
    assert held[0]["size"] > limit
    assert "limit" in held[0]["error"]
    assert "1 item(s) in quarantine" in cli(config, "quarantine", "list").stdout

    received = smtp_sink.wait_for(2)
    notices = [r for r in received if recipient(r) == "john@owner.example"]
    assert len(notices) == 1, [r.message["Subject"] for r in received]
    notice = notices[0].message
    assert notice["Auto-Submitted"] == "auto-replied"
    assert notice["In-Reply-To"] == f"<{message_id(big)}>"
    assert notice["X-Complaintd-Ticket"] is None  # nothing was registered
    text = plain_text(notice)
    assert "Photos of the damp wall" in text
    assert_states_limit(text, limit)
    [row] = [r for r in outbox_rows(settings) if r.purpose == "oversize_notice"]
    assert (row.recipient, row.status) == ("john@owner.example", "sent")


def assert_states_limit(text: str, limit: int) -> None:
    """The notice names the limit as a size a person can act on (within 10 %, any unit)."""
    units = {"b": 1, "bytes": 1, "kb": 1024, "k": 1024, "mb": 1_048_576, "m": 1_048_576}
    stated = [
        float(number.replace(",", "")) * units[unit.lower()]
        for number, unit in re.findall(r"(\d[\d,]*(?:\.\d+)?)\s*(bytes|kb|mb|b|k|m)\b", text, re.I)
    ]
    assert any(0.9 * limit <= size <= 1.1 * limit for size in stated), (
        f"the notice does not state the {limit}-byte limit; sizes stated: {stated}\n{text}"
    )


def test_a_bad_message_never_blocks_the_ones_behind_it(
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    settings = make_settings(imap=imap_section(dovecot), smtp=smtp_section(smtp_sink))
    garbage = b"\xff\xfe\x80\x81 this is not an e-mail \xc3\x28 at all\r\n\r\n\x9c\x9d\r\n"
    no_from = complaint("x@owner.example", "en", subject="Nobody wrote this")
    del no_from["From"]
    good = [
        complaint("王先生 <wang@owner.example>", "zh"),
        complaint("Ana <ana@owner.example>", "es"),
    ]
    dovecot.append(garbage)
    dovecot.append(no_from.as_bytes())
    for message in good:
        dovecot.append(message.as_bytes())

    run_once(settings)

    assert dovecot.count("INBOX") == 0
    assert dovecot.count("Quarantine") == 2
    assert dovecot.count("Processed") == 2
    found = tickets(settings)
    assert sorted(t.owner_email for t in found) == ["ana@owner.example", "wang@owner.example"]
    received = smtp_sink.wait_for(2)
    for ticket, message in zip(found, good, strict=True):
        assert_acknowledged(ticket, received, message_id(message))
    assert len(received) == 2

    config = write_config(tmp_path / "complaintd.toml", settings)
    held = json.loads(cli(config, "quarantine", "list", "--json").stdout)
    assert len(held) == 2
    errors = " | ".join(entry["error"] for entry in held)
    assert "no headers" in errors and "sender" in errors, errors
    outcomes = [(r.status, r.outcome) for r in raw_items(settings)]
    assert outcomes.count(("quarantined", "quarantined")) == 2
    assert outcomes.count(("done", "ticket_created")) == 2


def test_automatic_mail_gets_no_acknowledgement_but_is_processed(
    dovecot: DovecotServer, smtp_sink: SmtpSink, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(imap=imap_section(dovecot), smtp=smtp_section(smtp_sink))
    robot = complaint(
        "John <john@owner.example>",
        "en",
        subject="Automatic reply: Heating broken",
        Auto_Submitted="auto-replied",
    )
    person = complaint("Ana <ana@owner.example>", "es")
    dovecot.append(robot.as_bytes())
    dovecot.append(person.as_bytes())

    run_once(settings)

    [ticket] = tickets(settings)
    assert ticket.owner_email == "ana@owner.example"
    received = smtp_sink.wait_for(1)
    assert_acknowledged(ticket, received, message_id(person))
    time.sleep(0.2)  # anything else would have been sent by now: run(once) sends before returning
    assert [recipient(r) for r in smtp_sink.messages] == ["ana@owner.example"]
    assert [(r.status, r.outcome) for r in raw_items(settings)] == [
        ("done", "ignored_autoreply"),
        ("done", "ticket_created"),
    ]
    assert dovecot.count("INBOX") == 0
    assert dovecot.count("Processed") == 2
    assert dovecot.count("Quarantine") == 0
