"""Fixtures that run real servers on loopback; see tests/servers.py for their APIs.

Servers that are slow to boot (Dovecot, PostgreSQL) live for the whole session and are reset
per test; cheap ones (Redis, the SMTP sink) are started fresh for every test.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from daemon.config import Settings
from tests.servers import DovecotServer, PostgresServer, RedisServer, SmtpSink


@pytest.fixture(scope="session")
def _dovecot_session() -> Iterator[DovecotServer]:
    server = DovecotServer(tls=False)
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def _dovecot_tls_session() -> Iterator[DovecotServer]:
    server = DovecotServer(tls=True)
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def dovecot(_dovecot_session: DovecotServer) -> DovecotServer:
    """Plain-IMAP Dovecot, running, with an empty mailbox for user intake/intake."""
    _dovecot_session.reset()
    return _dovecot_session


@pytest.fixture
def dovecot_tls(_dovecot_tls_session: DovecotServer) -> DovecotServer:
    """TLS-only Dovecot: ``port`` is imaps, ``starttls_port`` offers STARTTLS, ``ca_file``."""
    _dovecot_tls_session.reset()
    return _dovecot_tls_session


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A fresh, empty redis-server; ``.url`` is redis://127.0.0.1:PORT/0."""
    server = RedisServer()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """SQLAlchemy URL of the session cluster's ``postgres`` database."""
    return postgres_server.url


@pytest.fixture
def pg_db_url(postgres_server: PostgresServer) -> Iterator[str]:
    """SQLAlchemy URL of a database created for this test and dropped after it."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin_dsn = postgres_server.dsn_for("postgres")
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield postgres_server.url_for(name)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(drop.format(sql.Identifier(name)))


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server recording messages; see SmtpSink for fail_next/reject_recipients."""
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


SMTP_LOGIN = ("desk@desk.example", "smtp-Secret-71c3")
"""The user and password the TLS SMTP sinks require (AUTH over TLS only)."""


@pytest.fixture(params=["tls", "starttls"])
def smtp_tls_sink(request: pytest.FixtureRequest) -> Iterator[SmtpSink]:
    """An SMTP server with a self-signed certificate (``ca_file``) requiring SMTP_LOGIN: over
    implicit TLS, or on a plain port that requires STARTTLS (``security`` says which)."""
    sink = SmtpSink(security=request.param, credentials=SMTP_LOGIN)
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings for the embedded default inside tmp_path, with sections overridden by keyword."""

    def build(**sections: dict) -> Settings:
        data = {
            "desk": {"address": "complaints@desk.example", "time_zone": "Asia/Shanghai"},
            "database": {"url": f"sqlite:///{tmp_path}/complaintd.db"},
            "storage": {"attachments_dir": str(tmp_path / "attachments")},
            "maildir": {"path": str(tmp_path / "inbox"), "poll_seconds": 0.05},
            "outbox": {"dir": str(tmp_path / "outbox")},
            "replies": {"secret_file": str(tmp_path / "reply-secret")},
        }
        for name, values in sections.items():
            data[name] = {**data.get(name, {}), **values}
        return Settings.model_validate(data)

    return build


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on SQLite and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/complaintd.db"
    return request.getfixturevalue("pg_db_url")
