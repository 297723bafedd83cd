"""Reading a raw message: headers, sender, readable text and attachments, whatever the charset.

Everything here depends only on the bytes (and the attachment folder), never on the database,
so that a helper process can read the next batch while the service records the current one.
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email._policybase import Compat32
from email.message import Message
from email.utils import getaddresses
from typing import TYPE_CHECKING

import html2text
from email_validator import EmailNotValidError, validate_email

from daemon.mail import feedfix
from daemon.mail.attachments import AttachmentStore
from daemon.mail.charsets import decode_bytes, decode_header_value, identifier, one_line

if TYPE_CHECKING:
    from daemon.classify.decision import Decision

feedfix.apply()

_MSGID = re.compile(r"<([^<>\s]{1,900})>")
_BARE_ADDRESS = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")
_FILENAME_BAD = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


_BINARY = ("image", "audio", "video", "application")
"""Attachment types whose bytes leave the message once read (they are the bulk of big mail)."""


class Unreadable(ValueError):
    """The bytes are not an email message we can answer."""


@dataclass
class Part:
    """A decoded attachment, kept only until it is stored."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class StoredPart:
    """An attachment after it went to the attachment folder (or was found too big to keep)."""

    filename: str
    content_type: str
    size: int
    sha256: str
    stored: bool


@dataclass
class Findings:
    """What the language, classify and locate steps find in a reading, worked out beforehand
    by the read-ahead helper from the same subject and text (``decision`` is None where the
    service classifies itself: a trained model is configured)."""

    language: str
    location: dict[str, str] | None
    decision: Decision | None = None
    written: str = ""
    """What the person wrote (no quoted history, forwarded headers or signature): what the
    three steps read."""


@dataclass
class Reading:
    """What one message says; ``text`` and ``attachments`` stay empty for oversize mail.

    ``findings`` come with readings made in the read-ahead helper (None: the steps work them out).
    """

    message: Message
    message_id: str | None
    subject: str
    sender_name: str
    sender: str | None
    reply_to: str | None
    in_reply_to: list[str]
    content_language: str
    text: str = ""
    attachments: list[StoredPart] = field(default_factory=list)
    findings: Findings | None = None


class _RawHeaders(Compat32):
    """compat32 parsing, but header values come back as received (8-bit bytes kept as surrogates)
    so that our own decoding, not a lossy ``unknown-8bit`` Header, reads them."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value


RAW_HEADERS = _RawHeaders()


def message_ids(value: str | None) -> list[str]:
    """All Message-IDs in a header such as References, without angle brackets; 8-bit bytes and
    control characters in them escaped (see ``charsets.identifier``)."""
    return [identifier(found) for found in _MSGID.findall(str(value or ""))]


def _checked(addr: str) -> str | None:
    try:
        return validate_email(
            addr, check_deliverability=False, allow_smtputf8=True, test_environment=True
        ).normalized
    except EmailNotValidError:
        return None


def address(value: str | None) -> tuple[str, str | None]:
    """The display name and the checked address of a From/Reply-To header (None if unusable)."""
    text = str(value or "")
    if not text.isascii():
        text = decode_bytes(text.encode("utf-8", "surrogateescape"))
    for display, addr in getaddresses([text]):
        checked = _checked(addr)
        if checked:
            return one_line(decode_header_value(display), 255), checked
    for bare in _BARE_ADDRESS.findall(text):
        checked = _checked(bare)
        if checked:
            return "", checked
    return "", None


def html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.unicode_snob = True
    return converter.handle(html).strip()


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError):
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _filename(part: Message, index: int) -> str:
    try:
        raw = part.get_filename()
    except (ValueError, LookupError):
        raw = None
    cleaned = _FILENAME_BAD.sub("_", one_line(decode_header_value(raw), 200)).strip(" ._")
    if cleaned:
        return cleaned
    subtype = part.get_content_subtype() or "bin"
    return f"attachment-{index}.{subtype[:10]}"


def _is_attachment(part: Message) -> bool:
    disposition = part.get_content_disposition()
    if disposition == "attachment":
        return True
    if part.get_content_maintype() == "text" and part.get_content_subtype() in ("plain", "html"):
        return False
    return part.get_content_maintype() != "multipart"


def read_body(message: Message) -> tuple[str, list[Part]]:
    """The readable text (plain preferred, else HTML turned into text) and the attachments.

    A forwarded message (message/rfc822) is kept whole as an .eml attachment, and its text
    follows the forwarder's own, so that staff read the complaint that was passed on.
    """
    plain: list[str] = []
    html: list[str] = []
    parts: list[Part] = []
    forwarded: list[str] = []
    _collect(message, plain, html, parts, forwarded)
    if any(chunk.strip() for chunk in plain):
        body = "\n\n".join(chunk.strip() for chunk in plain)
    else:
        body = "\n\n".join(html_to_text(chunk) for chunk in html)
    for text in forwarded:
        body = f"{body}\n\n---------- Forwarded message ----------\n{text}"
    return body.replace("\r\n", "\n").replace("\x00", "").strip(), parts


def _leaves(message: Message) -> Iterator[Message]:
    """Like walk(), but a forwarded message is one leaf rather than a tree to descend into."""
    if message.get_content_type() == "message/rfc822" or not message.is_multipart():
        yield message
        return
    for sub in message.get_payload():
        if isinstance(sub, Message):
            yield from _leaves(sub)


def _collect(
    message: Message, plain: list[str], html: list[str], parts: list[Part], forwarded: list[str]
) -> None:
    for part in _leaves(message):
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload(0) if part.is_multipart() else None
            if isinstance(inner, Message):
                subject = one_line(decode_header_value(inner.get("Subject")), 120) or "message"
                name = _filename(part, 0) if part.get_filename() else f"{subject}.eml"
                data = inner.as_bytes(policy=RAW_HEADERS)
                parts.append(Part(_FILENAME_BAD.sub("_", name), "message/rfc822", data))
                forwarded.append(read_body(inner)[0])
                continue
        if _is_attachment(part):
            parts.append(
                Part(_filename(part, len(parts) + 1), part.get_content_type(), _payload(part))
            )
            if part.get_content_maintype() in _BINARY:
                part.set_payload("")  # stored as a file; nothing later reads it from the message
            continue
        text = decode_bytes(_payload(part), part.get_content_charset())
        (html if part.get_content_subtype() == "html" else plain).append(text)


def read(raw: bytes, store: AttachmentStore, *, headers_only: bool = False) -> Reading:
    """Parse the bytes and store the attachments; raises Unreadable for what is not mail."""
    if not raw.strip():
        raise Unreadable("empty message")
    message = email.message_from_bytes(raw, policy=RAW_HEADERS)
    if not message.keys():
        raise Unreadable("not an email message: no headers found")
    ids = message_ids(message.get("Message-ID"))
    sender_name, sender = "", None
    for header in ("From", "Sender", "Reply-To"):
        sender_name, sender = address(message.get(header))
        if sender:
            break
    reading = Reading(
        message=message,
        message_id=ids[0] if ids else None,
        subject=one_line(decode_header_value(message.get("Subject"))),
        sender_name=sender_name,
        sender=sender,
        reply_to=address(message.get("Reply-To"))[1],
        in_reply_to=message_ids(message.get("In-Reply-To"))
        + message_ids(message.get("References")),
        content_language=str(message.get("Content-Language") or "").strip().lower(),
    )
    if headers_only:
        return reading
    reading.text, parts = read_body(message)
    for part in parts:
        stored = store.put(part.data)
        reading.attachments.append(
            StoredPart(
                part.filename,
                one_line(part.content_type, 255),
                stored.size,
                stored.sha256,
                stored.stored,
            )
        )
    return reading
