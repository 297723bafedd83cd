"""Crash safety: ``complaintd run`` is SIGKILLed in the middle of a batch and started again.

Every message must become exactly one ticket, and every acknowledgement must go out under one
Message-ID (the same Message-ID twice is allowed: delivery is at least once, and the fixed
Message-ID is what lets the owner's mail program drop the repeat).
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from daemon.config import Settings
from daemon.intake.base import Incoming
from daemon.mail.queue import MailQueue
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from daemon.store.models import Outbox
from tests.e2e import (
    ACK_MARKER,
    NUMBER,
    Process,
    cli,
    complaint,
    complaintd_argv,
    imap_section,
    message_id,
    outbox_rows,
    plain_text,
    raw_items,
    recipient,
    running,
    smtp_section,
    sqlite_count,
    tickets,
    wait_until,
    write_config,
)
from tests.numbering import gap_free
from tests.servers import DovecotServer, RedisServer, SmtpSink

pytestmark = pytest.mark.imap

MESSAGES = 60
BATCH = 20
KILL_AT = (12, 31)
"""Ticket counts at which the service is killed: inside the first and the second batch."""


def test_sigkill_mid_batch_loses_nothing_and_duplicates_nothing(
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    settings = make_settings(
        imap=imap_section(dovecot, batch_size=BATCH), smtp=smtp_section(smtp_sink)
    )
    config = write_config(tmp_path / "complaintd.toml", settings)
    languages = ("zh", "es", "en")
    sent = {}
    for i in range(MESSAGES):
        owner = f"owner{i:02d}@owner.example"
        sent[owner] = complaint(f"Owner {i} <{owner}>", languages[i % 3])
        dovecot.append(sent[owner].as_bytes())
    count_tickets = "SELECT count(*) FROM tickets"

    killed_at = []
    for attempt, threshold in enumerate(KILL_AT):
        victim = Process(
            complaintd_argv(config, "run"),
            tmp_path,
            tmp_path / f"killed-{attempt}.log",
        )
        try:
            wait_until(
                lambda t=threshold: sqlite_count(settings, count_tickets) >= t,
                30,
                f"{threshold} tickets before the kill",
                victim,
                interval=0.005,
            )
        finally:
            victim.kill()
        killed_at.append(sqlite_count(settings, count_tickets))
    assert killed_at[-1] < MESSAGES, f"the kills came too late to test anything: {killed_at}"
    assert dovecot.count("INBOX") > 0

    with running(config) as service:
        wait_until(
            lambda: sqlite_count(settings, count_tickets) == MESSAGES,
            30,
            f"{MESSAGES} tickets",
            service,
        )
        wait_until(lambda: dovecot.count("INBOX") == 0, 15, "an empty INBOX", service)
        wait_until(
            lambda: len({message_id(r.message) for r in smtp_sink.messages}) >= MESSAGES,
            20,
            f"{MESSAGES} distinct acknowledgements",
            service,
        )
        wait_until(
            lambda: {r.status for r in outbox_rows(settings)} == {"sent"},
            10,
            "every outbox row marked sent",
            service,
        )

    # Exactly one ticket per message, numbered without gaps.
    found = tickets(settings)
    assert len(found) == MESSAGES
    assert len({t.message_id for t in found}) == MESSAGES
    assert {t.message_id for t in found} == {message_id(m) for m in sent.values()}
    assert all(NUMBER.match(t.number) for t in found)
    assert gap_free([t.number for t in found])
    items = raw_items(settings)
    assert len(items) == MESSAGES
    assert {(r.status, r.outcome) for r in items} == {("done", "ticket_created")}

    # One acknowledgement row per ticket, and the sink saw each under that one Message-ID.
    rows = outbox_rows(settings)
    assert len(rows) == MESSAGES
    assert len({r.ticket_id for r in rows}) == MESSAGES
    row_ids = {r.message_id for r in rows}
    received = smtp_sink.messages
    ids_per_ticket: dict[str, set[str]] = collections.defaultdict(set)
    for ack in received:
        number = ack.message["X-Complaintd-Ticket"]
        ids_per_ticket[number].add(message_id(ack.message))
    assert {t.number for t in found} == set(ids_per_ticket)
    assert all(len(ids) == 1 for ids in ids_per_ticket.values()), {
        n: ids for n, ids in ids_per_ticket.items() if len(ids) > 1
    }
    distinct_acks = {message_id(a.message) for a in received}
    assert distinct_acks == row_ids
    by_number = {t.number: t for t in found}
    for ack in received:
        ticket = by_number[ack.message["X-Complaintd-Ticket"]]
        assert recipient(ack) == ticket.owner_email
        assert ack.message["In-Reply-To"] == f"<{message_id(sent[ticket.owner_email])}>"
        assert ticket.number in str(ack.message["Subject"])
        assert ACK_MARKER[ticket.language] in plain_text(ack.message)
    repeats = len(received) - len(distinct_acks)
    print(f"killed at {killed_at} tickets; {repeats} acknowledgement(s) delivered twice")

    # Nothing left behind in the mailbox, nothing in it twice.
    assert dovecot.count("INBOX") == 0
    assert dovecot.count("Processed") == MESSAGES
    assert dovecot.count("Quarantine") == 0


def test_a_restart_sends_what_the_killed_service_left_unsent(
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    """Tickets committed but acknowledgements not yet sent when the kill came: sent on restart."""
    settings = make_settings(
        imap=imap_section(dovecot),
        smtp=smtp_section(smtp_sink),
        outbox={"retry_base_seconds": 0.1},
    )
    config = write_config(tmp_path / "complaintd.toml", settings)
    sent = [complaint(f"Owner {i} <owner{i}@owner.example>", "en") for i in range(3)]
    for message in sent:
        dovecot.append(message.as_bytes())
    smtp_sink.fail_next(100, 451)  # the mail server refuses everything until the kill

    victim = Process(complaintd_argv(config, "run"), tmp_path, tmp_path / "killed.log")
    try:
        wait_until(
            lambda: _all_tried(outbox_rows(settings), 3),
            20,
            "3 refused sends recorded",
            victim,
        )
    finally:
        victim.kill()
    assert smtp_sink.messages == []
    assert {r.status for r in outbox_rows(settings)} == {"pending"}
    smtp_sink.fail_next(0)

    started = time.monotonic()
    with running(config) as service:
        received = wait_until(
            lambda: len(smtp_sink.messages) >= 3 and smtp_sink.messages,
            20,
            "3 acknowledgements after the restart",
            service,
        )
    assert sorted(recipient(r) for r in received) == [f"owner{i}@owner.example" for i in range(3)]
    assert {r.status for r in outbox_rows(settings)} == {"sent"}
    assert len(tickets(settings)) == 3
    print(f"acknowledgements out {time.monotonic() - started:.1f}s after the restart")


def _queue(settings: Settings) -> list[int]:
    """MAILS acknowledgements waiting in the outbox, queued in batches of 100 as the service
    records them; returns their row ids."""
    db = Database(settings.database.url)
    db.migrate()
    pipeline = Pipeline(settings, db)
    ids = []
    for first in range(0, MAILS, 100):
        batch = []
        for i in range(first, first + 100):
            raw = complaint(f"Owner {i} <owner{i:03d}@owner.example>", "en").as_bytes()
            batch.append(Incoming(f"k{i}", raw, len(raw)))
        ids += [
            row_id
            for result in pipeline.receive_batch("test", batch)
            for row_id in result.outbox_ids
        ]
    db.dispose()
    return ids


def _unrecorded(smtp_sink: SmtpSink, settings: Settings) -> int:
    """Mails the server accepted that the outbox does not record as sent: sent again later."""
    accepted = {message_id(r.message) for r in smtp_sink.messages}
    recorded = {row.message_id for row in outbox_rows(settings) if row.status == "sent"}
    assert recorded <= accepted
    assert len(recorded) < MAILS, "the kill came after the last mail: nothing was tested"
    return len(accepted - recorded)


def _all_tried(rows: list[Outbox], count: int) -> bool:
    """``count`` rows, each tried at least once (retries may already have begun)."""
    return len(rows) == count and all(row.attempts >= 1 for row in rows)


MAILS = 300
SEND_KILLS = (40, 130, 220)
"""Mails the SMTP server has accepted when the sending service is SIGKILLed."""
IN_FLIGHT = 10
"""At most this many mails may go out again after a kill: those in flight at that moment."""


def test_sigkill_mid_send_resends_only_the_mails_in_flight(
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    settings = make_settings(smtp=smtp_section(smtp_sink))
    config = write_config(tmp_path / "complaintd.toml", settings)
    ids = set(_queue(settings))
    queued = {row.message_id for row in outbox_rows(settings) if row.id in ids}
    assert len(queued) == MAILS

    at_risk = []
    for attempt, threshold in enumerate(SEND_KILLS):
        victim = Process(complaintd_argv(config, "run"), tmp_path, tmp_path / f"send-{attempt}.log")
        try:
            wait_until(
                lambda t=threshold: len(smtp_sink.messages) >= t,
                30,
                f"{threshold} mails accepted before the kill",
                victim,
                interval=0.002,
            )
        finally:
            victim.kill()
        at_risk.append(_unrecorded(smtp_sink, settings))

    cli(config, "run", "--once", timeout=60)

    received = smtp_sink.messages
    copies = collections.Counter(message_id(r.message) for r in received)
    assert set(copies) == queued, "every mail arrives at least once"
    assert {row.status for row in outbox_rows(settings)} == {"sent"}
    extra = len(received) - MAILS
    print(f"accepted but unrecorded at each kill: {at_risk}; extra copies in all: {extra}")
    assert all(n <= IN_FLIGHT for n in at_risk), at_risk
    assert extra <= IN_FLIGHT * len(SEND_KILLS), copies.most_common(5)


@pytest.mark.redis
def test_sigkill_of_an_rq_worker_mid_send_leaves_only_the_mails_in_flight_unrecorded(
    redis_server: RedisServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    """The rq door sends through the same dispatcher: the same guarantee."""
    settings = make_settings(
        smtp=smtp_section(smtp_sink),
        queue={"redis_url": redis_server.url, "queue_name": "complaintd-crash-test"},
    )
    config = write_config(tmp_path / "complaintd.toml", settings)
    ids = _queue(settings)
    mail_queue = MailQueue(redis_server.url, "complaintd-crash-test")
    for first in range(0, MAILS, 100):
        mail_queue.enqueue(ids[first : first + 100])

    worker = Process(complaintd_argv(config, "worker"), tmp_path, tmp_path / "worker.log")
    try:
        wait_until(
            lambda: len(smtp_sink.messages) >= SEND_KILLS[1],
            30,
            f"{SEND_KILLS[1]} mails accepted before the kill",
            worker,
            interval=0.002,
        )
    finally:
        worker.kill()

    unrecorded = _unrecorded(smtp_sink, settings)
    print(f"accepted but unrecorded when the worker was killed: {unrecorded}")
    assert unrecorded <= IN_FLIGHT
