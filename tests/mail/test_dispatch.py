"""The dispatcher against a real SMTP server: headers, transient and permanent failures, claims.

Outbox rows are made the way the service makes them: a complaint goes through the pipeline, which
writes the acknowledgement row in the ticket's transaction; then ``Dispatcher`` sends it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from email.utils import make_msgid

from sqlalchemy import func, select, update

from daemon.config import Settings
from daemon.mail import outbox
from daemon.mail.dispatch import Dispatcher
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from daemon.store.models import Outbox, Ticket
from tests.e2e import (
    ACK_MARKER,
    DESK,
    NUMBER,
    assert_acknowledged,
    complaint,
    message_id,
    plain_text,
    smtp_section,
)
from tests.servers import ReceivedMessage, SmtpSink, free_port


def _receive(settings: Settings, db: Database, *senders: tuple[str, str]) -> list[str]:
    """Put complaints (sender, language) through the pipeline; returns the owners' Message-IDs."""
    pipeline = Pipeline(settings, db)
    ids = []
    for sender, language in senders:
        message = complaint(sender, language)
        result = pipeline.receive("test", make_msgid(), message.as_bytes())
        assert result.outcome == "ticket_created", result
        ids.append(message_id(message))
    return ids


def _rows(db: Database) -> list[Outbox]:
    with db.transaction() as session:
        return list(session.scalars(select(Outbox).order_by(Outbox.id)))


def _tickets(db: Database) -> list[Ticket]:
    with db.transaction() as session:
        return list(session.scalars(select(Ticket).order_by(Ticket.id)))


def _database(settings: Settings) -> Database:
    db = Database(settings.database.url)
    db.migrate()
    return db


def test_the_acknowledgement_carries_the_headers_owners_and_mail_systems_rely_on(
    smtp_sink: SmtpSink, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(smtp=smtp_section(smtp_sink))
    db = _database(settings)
    [owner_id] = _receive(settings, db, ("王先生 <wang@owner.example>", "zh"))

    assert Dispatcher(settings, db).send_due() == 1

    [ticket] = _tickets(db)
    assert NUMBER.match(ticket.number)
    [received] = smtp_sink.wait_for(1)
    message = assert_acknowledged(ticket, [received], owner_id)
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-Complaintd-Ticket"] == ticket.number
    assert message["In-Reply-To"] == f"<{owner_id}>"
    assert f"<{owner_id}>" in str(message["References"])
    assert ticket.number in str(message["Subject"])
    assert "我们已收到您的来信" in str(message["Subject"])
    assert ACK_MARKER["zh"] in plain_text(message)
    assert message["From"].addresses[0].addr_spec == DESK
    assert str(message["Reply-To"]).startswith(f"{DESK.split('@')[0]}+{ticket.number}.o.")
    [row] = _rows(db)
    assert message_id(message) == row.message_id
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)
    assert row.sent_at is not None

    # Sending again sends nothing: the row is marked sent once.
    assert Dispatcher(settings, db).send_due() == 0
    assert len(smtp_sink.messages) == 1


def test_a_transient_failure_is_retried_later_with_the_same_message_id(
    smtp_sink: SmtpSink, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(smtp=smtp_section(smtp_sink), outbox={"retry_base_seconds": 0.1})
    db = _database(settings)
    _receive(settings, db, ("Ana <ana@owner.example>", "es"))
    dispatcher = Dispatcher(settings, db)
    smtp_sink.fail_next(1, 451)

    assert dispatcher.send_due() == 0

    [row] = _rows(db)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "451" in row.last_error
    assert smtp_sink.messages == []
    assert smtp_sink.rejected == [(451, "DATA")]

    time.sleep(0.15)
    assert dispatcher.send_due() == 1

    [row] = _rows(db)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    [received] = smtp_sink.wait_for(1)
    assert message_id(received.message) == row.message_id
    assert ACK_MARKER["es"] in plain_text(received.message)


def test_the_retry_waits_for_its_time(
    smtp_sink: SmtpSink, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(smtp=smtp_section(smtp_sink), outbox={"retry_base_seconds": 60})
    db = _database(settings)
    _receive(settings, db, ("John <john@owner.example>", "en"))
    dispatcher = Dispatcher(settings, db)
    smtp_sink.fail_next(1, 421)

    assert dispatcher.send_due() == 0
    assert dispatcher.send_due() == 0  # not due for another minute

    [row] = _rows(db)
    assert (row.status, row.attempts) == ("pending", 1)
    assert smtp_sink.messages == []


def test_a_permanent_refusal_fails_the_row_without_retrying(
    smtp_sink: SmtpSink, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(smtp=smtp_section(smtp_sink), outbox={"retry_base_seconds": 0.1})
    db = _database(settings)
    _receive(
        settings,
        db,
        ("Gone <gone@owner.example>", "en"),
        ("Ana <ana@owner.example>", "es"),
    )
    smtp_sink.reject_recipients(["gone@owner.example"])
    dispatcher = Dispatcher(settings, db)

    assert dispatcher.send_due() == 1

    gone, ana = _rows(db)
    assert (gone.recipient, gone.status, gone.attempts) == ("gone@owner.example", "failed", 1)
    assert "550" in gone.last_error
    assert (ana.recipient, ana.status) == ("ana@owner.example", "sent")

    time.sleep(0.15)
    assert dispatcher.send_due() == 0
    gone, _ = _rows(db)
    assert (gone.status, gone.attempts) == ("failed", 1)
    assert [r.rcpt_tos for r in smtp_sink.messages] == [["ana@owner.example"]]
    assert smtp_sink.rejected == [(550, "gone@owner.example")]


def test_a_5xx_at_data_is_permanent_too(
    smtp_sink: SmtpSink, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(smtp=smtp_section(smtp_sink), outbox={"retry_base_seconds": 0.1})
    db = _database(settings)
    _receive(settings, db, ("John <john@owner.example>", "en"))
    smtp_sink.fail_next(1, 554)

    assert Dispatcher(settings, db).send_due() == 0

    [row] = _rows(db)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "554" in row.last_error


def test_transient_failures_stop_after_max_attempts(
    smtp_sink: SmtpSink, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(
        smtp=smtp_section(smtp_sink),
        outbox={"retry_base_seconds": 0.05, "max_attempts": 2},
    )
    db = _database(settings)
    _receive(settings, db, ("John <john@owner.example>", "en"))
    dispatcher = Dispatcher(settings, db)
    smtp_sink.fail_next(5, 451)

    assert dispatcher.send_due() == 0
    time.sleep(0.1)
    assert dispatcher.send_due() == 0

    [row] = _rows(db)
    assert (row.status, row.attempts) == ("failed", 2)
    assert "451" in row.last_error
    time.sleep(0.2)
    assert dispatcher.send_due() == 0
    assert len(smtp_sink.rejected) == 2


def test_an_unreachable_smtp_server_is_a_transient_failure(
    smtp_sink: SmtpSink, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(
        smtp={"host": "127.0.0.1", "port": free_port(), "security": "none"},
        outbox={"retry_base_seconds": 0.1},
    )
    db = _database(settings)
    _receive(settings, db, ("John <john@owner.example>", "en"))

    assert Dispatcher(settings, db).send_due() == 0

    [row] = _rows(db)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error

    # The server is back (here: the sink, on its own port): the same row goes out.
    time.sleep(0.15)
    back = make_settings(smtp=smtp_section(smtp_sink), outbox={"retry_base_seconds": 0.1})
    assert Dispatcher(back, db).send_due() == 1
    [received] = smtp_sink.wait_for(1)
    assert message_id(received.message) == row.message_id


def test_concurrent_dispatchers_send_each_row_once(
    db_url: str, smtp_sink: SmtpSink, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(database={"url": db_url}, smtp=smtp_section(smtp_sink))
    db = _database(settings)
    senders = [(f"Owner {i} <owner{i}@owner.example>", "en") for i in range(24)]
    _receive(settings, db, *senders)
    sent: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def dispatch() -> None:
        own = Database(db_url)
        try:
            dispatcher = Dispatcher(settings, own)
            start.wait()
            while count := dispatcher.send_due(limit=5):
                sent.append(count)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=dispatch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(sent) == 24
    received = smtp_sink.wait_for(24)
    time.sleep(0.1)
    assert len(smtp_sink.messages) == 24
    assert len({message_id(r.message) for r in received}) == 24
    assert {(r.status, r.attempts) for r in _rows(db)} == {("sent", 1)}
    db.dispose()


def test_the_bytes_are_made_from_the_draft_and_kept_before_the_first_attempt(
    smtp_sink: SmtpSink, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(smtp=smtp_section(smtp_sink), outbox={"retry_base_seconds": 0.1})
    db = _database(settings)
    _receive(settings, db, ("Ana <ana@owner.example>", "es"))
    [queued] = _rows(db)
    assert queued.raw is None and queued.draft["language"] == "es"
    dispatcher = Dispatcher(settings, db)
    smtp_sink.fail_next(1, 451)

    assert dispatcher.send_due() == 0

    [tried] = _rows(db)
    assert (tried.status, tried.attempts, tried.draft) == ("pending", 1, None)
    assert tried.raw == outbox.message_bytes(queued)  # the same bytes as made at any time
    time.sleep(0.15)
    assert dispatcher.send_due() == 1
    [received] = smtp_sink.wait_for(1)
    assert received.data == tried.raw
    assert ACK_MARKER["es"] in plain_text(received.message)


def test_a_draft_that_cannot_be_made_into_a_mail_fails_alone(
    smtp_sink: SmtpSink, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(smtp=smtp_section(smtp_sink), outbox={"max_attempts": 1})
    db = _database(settings)
    _receive(settings, db, ("Ana <ana@owner.example>", "es"), ("Li <li@owner.example>", "zh"))
    broken, good = _rows(db)
    with db.transaction() as session:
        session.execute(update(Outbox).where(Outbox.id == broken.id).values(draft={"to": "x"}))

    assert Dispatcher(settings, db).send_due() == 1

    broken, good = _rows(db)
    assert (broken.status, broken.raw) == ("failed", None)
    assert "cannot make the mail from its draft" in broken.last_error
    assert good.status == "sent"
    [received] = smtp_sink.wait_for(1)
    assert message_id(received.message) == good.message_id


class RecordWatchingSink(SmtpSink):
    """Notes, as each mail is accepted, how many rows the database already records as sent."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.recorded_at_accept: list[int] = []

    def _store(self, message: ReceivedMessage) -> None:
        with self.db.transaction() as session:
            sent = session.scalar(select(func.count()).where(Outbox.status == "sent"))
        self.recorded_at_accept.append(sent)
        super()._store(message)


def test_each_delivery_is_recorded_before_its_connection_sends_the_next(
    make_settings: Callable[..., Settings],
) -> None:
    """A crash can then re-send only the mails in flight: at most one per connection."""
    db = _database(make_settings())
    sink = RecordWatchingSink(db)
    sink.start()
    try:
        settings = make_settings(smtp=smtp_section(sink))
        senders = [(f"Owner {i} <owner{i}@owner.example>", "en") for i in range(40)]
        _receive(settings, db, *senders)
        dispatcher = Dispatcher(settings, db)

        assert dispatcher.send_due() == 40
    finally:
        sink.stop()

    assert len(sink.messages) == 40
    # When mail k arrives, of the k accepted before it only those still in flight on the
    # other connections may be unrecorded.
    unrecorded = [k - recorded for k, recorded in enumerate(sink.recorded_at_accept)]
    assert max(unrecorded) < dispatcher.transport.connections, unrecorded
    assert {(r.status, r.attempts) for r in _rows(db)} == {("sent", 1)}
