"""The parser fix changes nothing the parser makes: every part, preamble and epilogue the same."""

from __future__ import annotations

import email
import re
from email import feedparser

from bench.corpus import generate
from daemon.mail import feedfix
from daemon.mail.reading import RAW_HEADERS
from tests.paths import REALWORLD, TESTS

ORIGINAL = re.compile(r"(\r\n|\r|\n)\Z")


def _shape(message):
    return [
        (part.get_content_type(), part.preamble, part.epilogue, part.get_payload(decode=False))
        if not part.is_multipart()
        else (part.get_content_type(), part.preamble, part.epilogue, len(part.get_payload()))
        for part in message.walk()
    ]


def _samples() -> list[bytes]:
    files = [*(TESTS / "corpus").rglob("*.eml"), *REALWORLD.rglob("*")]
    raws = [path.read_bytes() for path in files if path.is_file() and path.suffix != ".md"]
    raws += [sample.raw for sample in generate(150)]
    raws += [
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\npre\r\n\r\n--b\r\n\r\nx\n\n\r\n--b\r\n"
        b"\r\n\r\r\n--b--\r\nepi\n\n",
        b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\n\n--b\n\nlast\r--b--\n",
    ]
    return raws


def test_the_parser_makes_the_same_messages_with_and_without_the_fix(monkeypatch):
    assert isinstance(feedparser.NLCRE_eol, feedfix._FromTheEnd)  # applied by daemon.mail.reading
    samples = _samples()
    assert len(samples) > 500
    fixed = [_shape(email.message_from_bytes(raw, policy=RAW_HEADERS)) for raw in samples]
    monkeypatch.setattr(feedparser, "NLCRE_eol", ORIGINAL)
    plain = [_shape(email.message_from_bytes(raw, policy=RAW_HEADERS)) for raw in samples]
    assert fixed == plain


def test_the_search_finds_what_the_pattern_finds():
    search = feedfix._FromTheEnd(ORIGINAL).search
    for text in ["", "a", "\n", "\r", "\r\n", "a\n\n", "a\r\r\n", "a\n\r", "abc", "x\r\n\r\n"]:
        expected = ORIGINAL.search(text)
        found = search(text)
        assert (found and (found.start(), found.group(0))) == (
            expected and (expected.start(), expected.group(0))
        ), repr(text)
