"""Complaints whose headers carry bytes no standard allows still become tickets: 8-bit bytes and
control characters in Message-ID / In-Reply-To / References, a NUL inside a charset name."""

from __future__ import annotations

import base64
import codecs
from collections.abc import Callable

import pytest
from sqlalchemy import select

from daemon.config import Settings
from daemon.mail.charsets import codec_for, identifier
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from daemon.store.models import Ticket

BODY = "您好，我家楼上漏水已经三天了，天花板都湿了，请尽快派人处理。".encode("gb18030")


def _mail(message_id: bytes, *, subject: bytes = b"Leak", extra: bytes = b"") -> bytes:
    """A GB2312 complaint whose body charset name has a NUL in it, as the issue found them."""
    head = [
        b"From: Wang <wang@owners.example>",
        b"To: complaints@desk.example",
        b"Subject: " + subject,
        b"Message-ID: " + message_id,
        b"Date: Tue, 24 Nov 2026 09:00:00 +0800",
        b"MIME-Version: 1.0",
        b'Content-Type: text/plain; charset="gb\x002312"',
        b"Content-Transfer-Encoding: 8bit",
    ]
    return b"\r\n".join(head) + b"\r\n" + extra + b"\r\n" + BODY + b"\r\n"


@pytest.fixture
def pipeline(make_settings: Callable[..., Settings]) -> Pipeline:
    settings = make_settings()
    db = Database(settings.database.url)
    db.migrate()
    return Pipeline(settings, db)


def _ticket(pipeline: Pipeline, number: str) -> Ticket:
    with pipeline.db.transaction() as session:
        return session.scalar(select(Ticket).where(Ticket.number == number))


def test_8bit_bytes_in_message_ids_make_a_ticket_and_still_tell_messages_apart(pipeline):
    references = b"In-Reply-To: <\xff\xfe@x.example>\r\nReferences: <a\xe9b@x.example> <ok@x>\r\n"
    first = pipeline.receive("test", "1", _mail(b"<m2\xc4x@owners.example>", extra=references))
    second = pipeline.receive("test", "2", _mail(b"<m2\xc5x@owners.example>"))
    again = pipeline.receive("test", "3", _mail(b"<m2\xc4x@owners.example>", extra=references))

    assert (first.outcome, second.outcome) == ("ticket_created", "ticket_created")
    assert again.outcome == "duplicate"
    ticket = _ticket(pipeline, first.ticket)
    assert ticket.message_id == "m2\\xc4x@owners.example"
    assert _ticket(pipeline, second.ticket).message_id == "m2\\xc5x@owners.example"
    assert "漏水" in ticket.body  # the body's charset name had a NUL in it


def test_control_characters_in_a_message_id_are_escaped(pipeline):
    result = pipeline.receive("test", "1", _mail(b"<a\x00b\x19c@owners.example>"))
    assert result.outcome == "ticket_created"
    assert _ticket(pipeline, result.ticket).message_id == "a\\x00b\\x19c@owners.example"


def test_a_nul_in_an_encoded_words_charset_name_is_read_past(pipeline):
    word = b"=?gb\x002312?B?" + base64.b64encode("楼上漏水".encode("gb18030")) + b"?="
    result = pipeline.receive("test", "1", _mail(b"<nul@owners.example>", subject=word))
    assert result.outcome == "ticket_created"
    assert _ticket(pipeline, result.ticket).subject == "楼上漏水"


@pytest.mark.parametrize(
    ("declared", "codec"),
    [
        ("gb\x002312", "gb18030"),
        (' "UTF-8" ', "utf-8"),
        ("iso-8859-1\x19", "latin-1"),
        ("\x00", None),
    ],
)
def test_charset_names_are_cleaned_before_lookup(declared, codec):
    assert codec_for(declared) == (codec and codecs.lookup(codec).name)


def test_identifiers_keep_utf8_and_plain_ascii_as_they_are():
    assert identifier("abc@x.example") == "abc@x.example"
    raw_utf8 = "é".encode().decode("ascii", "surrogateescape")
    assert identifier(f"caf{raw_utf8}@x") == "café@x"
    assert identifier("\udcc4") == "\\xc4"
