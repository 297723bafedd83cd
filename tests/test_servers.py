"""Smoke tests proving each server fixture really runs and behaves as the other tests assume."""

from __future__ import annotations

import imaplib
import smtplib
import socket
import ssl
from email.message import EmailMessage

import pytest
import redis
import sqlalchemy as sa

from tests.servers import DovecotServer, RedisServer, SmtpSink


def _raw_message(subject: str, body: str = "The heating in flat 4B is broken.") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Tenant <tenant@example.org>"
    msg["To"] = "complaints@example.com"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{subject.replace(' ', '-')}@example.org>"
    msg.set_content(body)
    return msg.as_bytes()


@pytest.mark.imap
def test_dovecot_append_and_fetch_with_imaplib(dovecot: DovecotServer) -> None:
    uid = dovecot.append(_raw_message("Broken heating"))

    client = imaplib.IMAP4(dovecot.host, dovecot.port)
    try:
        client.login(dovecot.user, dovecot.password)
        client.select("INBOX")
        _, data = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
    finally:
        client.logout()
    assert b"Subject: Broken heating" in data[0][1]
    assert dovecot.folder_uids("INBOX") == [uid]


@pytest.mark.imap
def test_dovecot_starts_each_test_with_an_empty_mailbox(dovecot: DovecotServer) -> None:
    assert dovecot.count("INBOX") == 0
    assert dovecot.folders() == ["INBOX"]


@pytest.mark.imap
def test_dovecot_folders(dovecot: DovecotServer) -> None:
    dovecot.create_folder("Processed")
    dovecot.append(_raw_message("Noise at night"), folder="Processed")

    assert sorted(dovecot.folders()) == ["INBOX", "Processed"]
    assert dovecot.count("INBOX") == 0
    [raw] = dovecot.fetch_all("Processed")
    assert b"Subject: Noise at night" in raw
    [(_, _, flags)] = dovecot.fetch_with_flags("Processed")
    assert "\\Seen" not in flags


@pytest.mark.imap
def test_dovecot_outage_keeps_mail_and_port(dovecot: DovecotServer) -> None:
    dovecot.append(_raw_message("Before outage"))
    port = dovecot.port

    dovecot.stop()
    with pytest.raises(OSError):
        socket.create_connection((dovecot.host, port), timeout=2).close()

    dovecot.start()
    assert dovecot.port == port
    [raw] = dovecot.fetch_all()
    assert b"Subject: Before outage" in raw


@pytest.mark.imap
def test_dovecot_tls_imaps_with_ca_file(dovecot_tls: DovecotServer) -> None:
    dovecot_tls.append(_raw_message("Over TLS"))
    context = ssl.create_default_context(cafile=str(dovecot_tls.ca_file))

    client = imaplib.IMAP4_SSL(dovecot_tls.host, dovecot_tls.port, ssl_context=context)
    try:
        client.login(dovecot_tls.user, dovecot_tls.password)
        typ, data = client.select("INBOX", readonly=True)
    finally:
        client.logout()
    assert typ == "OK"
    assert data == [b"1"]


@pytest.mark.imap
def test_dovecot_tls_refuses_untrusted_certificate(dovecot_tls: DovecotServer) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        imaplib.IMAP4_SSL(
            dovecot_tls.host, dovecot_tls.port, ssl_context=ssl.create_default_context()
        )


@pytest.mark.imap
def test_dovecot_tls_starttls_on_plain_port(dovecot_tls: DovecotServer) -> None:
    # Dovecot counts loopback clients as secured, so it would also accept a plaintext login
    # here; only STARTTLS itself and the certificate check are worth asserting.
    client = imaplib.IMAP4(dovecot_tls.host, dovecot_tls.starttls_port)
    try:
        assert "STARTTLS" in client.capabilities
        client.starttls(ssl_context=dovecot_tls.ssl_context())
        typ, _ = client.login(dovecot_tls.user, dovecot_tls.password)
    finally:
        client.logout()
    assert typ == "OK"


@pytest.mark.redis
def test_redis_ping_set_get(redis_server: RedisServer) -> None:
    assert redis_server.url == f"redis://127.0.0.1:{redis_server.port}/0"
    client = redis.Redis.from_url(redis_server.url)
    try:
        assert client.ping() is True
        client.set("ticket:next", 41)
        assert client.incr("ticket:next") == 42
        assert client.get("ticket:next") == b"42"
    finally:
        client.close()


@pytest.mark.postgres
def test_postgres_fresh_database(pg_db_url: str, postgres_url: str) -> None:
    assert pg_db_url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    engine = sa.create_engine(pg_db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE ticket (id serial PRIMARY KEY, subject text)"))
            conn.execute(
                sa.text("INSERT INTO ticket (subject) VALUES (:s)"), [{"s": "Mould"}, {"s": "Lift"}]
            )
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT subject FROM ticket ORDER BY id")).scalars()
            assert list(rows) == ["Mould", "Lift"]
    finally:
        engine.dispose()

    admin = sa.create_engine(postgres_url)
    try:
        with admin.connect() as conn:
            assert conn.execute(sa.text("SHOW server_encoding")).scalar() == "UTF8"
    finally:
        admin.dispose()


def _send(sink: SmtpSink, subject: str, to: str = "tenant@example.org") -> None:
    msg = EmailMessage()
    msg["From"] = "complaints@example.com"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content("We received your complaint.")
    with smtplib.SMTP(sink.host, sink.port, timeout=10) as smtp:
        smtp.send_message(msg)


def test_smtp_sink_records_messages(smtp_sink: SmtpSink) -> None:
    _send(smtp_sink, "Ticket CD-1 received")

    [received] = smtp_sink.wait_for(1)
    assert received.mail_from == "complaints@example.com"
    assert received.rcpt_tos == ["tenant@example.org"]
    assert received.message["Subject"] == "Ticket CD-1 received"
    assert b"We received your complaint." in received.data
    assert smtp_sink.messages == [received]


def test_smtp_sink_transient_failure_then_success(smtp_sink: SmtpSink) -> None:
    smtp_sink.fail_next(1)

    with pytest.raises(smtplib.SMTPDataError) as excinfo:
        _send(smtp_sink, "First try")
    assert excinfo.value.smtp_code == 451
    assert smtp_sink.messages == []

    _send(smtp_sink, "Second try")
    assert [m.message["Subject"] for m in smtp_sink.wait_for(1)] == ["Second try"]
    assert smtp_sink.rejected == [(451, "DATA")]


def test_smtp_sink_rejects_recipient_permanently(smtp_sink: SmtpSink) -> None:
    smtp_sink.reject_recipients({"gone@example.org"})

    with pytest.raises(smtplib.SMTPRecipientsRefused) as excinfo:
        _send(smtp_sink, "Bounce me", to="Gone@example.org")
    [(code, _)] = excinfo.value.recipients.values()
    assert code == 550


def test_smtp_sink_wait_for_reports_what_it_has(smtp_sink: SmtpSink) -> None:
    _send(smtp_sink, "Only one")
    with pytest.raises(AssertionError, match="expected 2 message"):
        smtp_sink.wait_for(2, timeout=0.2)
