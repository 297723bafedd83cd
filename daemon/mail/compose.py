"""Compose the mails we send: fixed Message-ID, loop headers, and nothing a sender can inject.

A mail is fixed when it is queued (``compose`` makes its ``Draft``) and made into bytes when it
is sent (``render``): building MIME is left to the dispatcher, out of the ticket's transaction."""

from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.policy import Compat32
from email.utils import format_datetime, formataddr, make_msgid
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

from daemon.clock import utcnow
from daemon.config import Settings
from daemon.mail.charsets import one_line

if TYPE_CHECKING:
    from daemon.mail.templates import Templates

_BASE64 = Charset("utf-8")
_QP = Charset("utf-8")
_QP.body_encoding = QP
_PRINTABLE_WORDS = re.compile(r"[!-~]+(?: [!-~]+)*")


class _SmtpPolicy(Compat32):
    """compat32 with one shortcut: a header value that is printable ASCII words and fits on
    its line is written as it is, which is what compat32's folding makes of it anyway."""

    def fold(self, name: str, value: Any) -> str:
        return self._as_is(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        line = self._as_is(name, value)
        return line.encode("ascii") if line else super().fold_binary(name, value)

    def _as_is(self, name: str, value: Any) -> str | None:
        if not isinstance(value, str) or not _PRINTABLE_WORDS.fullmatch(value):
            return None
        if len(name) + 2 + len(value) > (self.max_line_length or sys.maxsize):
            return None
        return f"{name}: {value}{self.linesep}"


_SMTP_COMPAT = _SmtpPolicy(linesep="\r\n", max_line_length=78)

_EAI = "eai-recipient@invalid"
"""Stands in for a non-ASCII (RFC 6532) address, which the email package will not encode;
the address is put into the finished bytes as UTF-8 instead (the SMTP server needs SMTPUTF8)."""

LOOP_HEADER = "X-Complaintd-Loop"
TICKET_HEADER = "X-Complaintd-Ticket"
PURPOSE_HEADER = "X-Complaintd-Purpose"
"""What a mail is for (ack, assignment, reminder, escalation, delay, ...), so recipients can
filter; set from the outbox row's purpose when the mail is queued."""
KIND_HEADER = "X-Complaintd-Kind"
CATEGORY_HEADER = "X-Complaintd-Category"
"""What an owner chose on a web form; trusted only on items from web sources, never mail."""


def desk_domain(settings: Settings) -> str:
    return settings.desk.address.rpartition("@")[2] or "localhost"


class Draft(TypedDict):
    """Everything that defines a mail, fixed when it is queued; the bytes are made from it
    when it is sent (``render``). Plain JSON: it is stored in the outbox row as it is."""

    from_name: str
    from_address: str
    to: str
    to_name: str
    reply_to: str
    subject: str
    text: str
    html: str | None
    language: str
    ticket_number: str | None
    in_reply_to: str | None
    auto_submitted: str
    message_id: str
    date: str
    boundary: str | None
    purpose: NotRequired[str]
    parts: NotRequired[list[FilePart]]


class FilePart(TypedDict):
    """A file a mail carries, base64 in ``data``: shown inside the HTML when it has a ``cid``
    (a report's charts), attached otherwise (its CSV)."""

    filename: str
    content_type: str
    data: str
    cid: str | None


@dataclass(frozen=True)
class Composed:
    """A mail to queue: its draft fixes what it says, its Message-ID and its Date; ``raw``
    are its bytes, made on first use (the dispatcher usually makes them when it sends)."""

    draft: Draft

    @property
    def recipient(self) -> str:
        return self.draft["to"]

    @property
    def message_id(self) -> str:
        return self.draft["message_id"]

    @cached_property
    def raw(self) -> bytes:
        return render(self.draft)

    @property
    def rendered(self) -> bool:
        """Whether ``raw`` was asked for already (then the outbox keeps the bytes)."""
        return "raw" in self.__dict__


def _part(text: str, subtype: str) -> Message:
    """Readable quoted-printable for ASCII text, base64 for the rest; both keep lines short.

    What MIMEText makes (less the MIME-Version that parts do not carry), with the body
    encoded once by the shared Charset and without re-parsing the Content-Type parameters."""
    charset = _QP if text.isascii() else _BASE64
    part = Message()
    part.add_header("Content-Type", f"text/{subtype}", charset=charset.get_output_charset())
    part.set_payload(charset.body_encode(text.encode(charset.output_charset)))
    part["Content-Transfer-Encoding"] = charset.get_body_encoding()
    return part


def _boundary() -> str:
    """Python's own boundary shape (15 "=", 19 digits, "=="). No quoted-printable or base64
    body can contain it, so the generator's search of the parts for it is not needed."""
    return "=" * 15 + f"{random.randrange(sys.maxsize):019d}" + "=="


@lru_cache(maxsize=16)
def _desk_sender(name: str, address: str) -> str:
    """The From of every mail: the same desk each time, so it is encoded once."""
    return formataddr((one_line(name, 120), address), charset="utf-8")


def _subject(subject: str) -> Header | str:
    """RFC 2047 words when the subject is not ASCII. A short ASCII one goes as plain text,
    which the policy writes as it is: the line its us-ascii Header would be folded into."""
    line = one_line(subject)
    if not subject.isascii():
        return Header(line, "utf-8")
    if len("Subject: ") + len(line) <= _SMTP_COMPAT.max_line_length:
        return line
    return Header(line, "us-ascii")


def compose(
    settings: Settings,
    *,
    to: str,
    to_name: str = "",
    subject: str,
    text: str,
    html: str | None = None,
    language: str = "en",
    ticket_number: str | None = None,
    in_reply_to: str | None = None,
    reply_to: str | None = None,
    auto_submitted: str = "auto-replied",
    parts: list[FilePart] | None = None,
) -> Composed:
    """A mail from the desk, its Message-ID and Date fixed now; see ``render`` for its bytes."""
    desk = settings.desk
    draft: Draft = {
        "from_name": desk.name,
        "from_address": desk.address,
        "to": to,
        "to_name": to_name,
        "reply_to": reply_to or desk.address,
        "subject": subject,
        "text": text,
        "html": html,
        "language": language,
        "ticket_number": ticket_number,
        "in_reply_to": in_reply_to,
        "auto_submitted": auto_submitted,
        "message_id": make_msgid(domain=desk_domain(settings)).strip("<>"),
        "date": utcnow().isoformat(),
        "boundary": _boundary() if html or parts else None,
    }
    if parts:
        draft["parts"] = parts
    return Composed(draft)


def render(draft: Draft) -> bytes:
    """The mail's bytes, the same each time for the same draft. Every header value passes
    through ``one_line`` and is encoded by the email package, so nothing from a sender can
    start a header of its own."""
    to = draft["to"]
    message = _body(draft)
    to_address = to if to.isascii() else _EAI
    headers = {
        "From": _desk_sender(draft["from_name"], draft["from_address"]),
        "To": formataddr((one_line(draft["to_name"], 120), to_address), charset="utf-8"),
        "Reply-To": one_line(draft["reply_to"], 320),
        "Subject": _subject(draft["subject"]),
        "Date": format_datetime(datetime.fromisoformat(draft["date"])),
        "Message-ID": f"<{draft['message_id']}>",
        "Auto-Submitted": draft["auto_submitted"],
        "Content-Language": draft["language"],
        LOOP_HEADER: draft["from_address"],
    }
    if draft["in_reply_to"]:
        headers["In-Reply-To"] = headers["References"] = f"<{one_line(draft['in_reply_to'])}>"
    if draft["ticket_number"]:
        headers[TICKET_HEADER] = one_line(draft["ticket_number"])
    if draft.get("purpose"):
        headers[PURPOSE_HEADER] = one_line(draft["purpose"])
    for name, value in headers.items():
        message[name] = value
    raw = _as_bytes(message)
    if not to.isascii():
        raw = raw.replace(_EAI.encode(), to.encode("utf-8"), 1)
    return raw


def _body(draft: Draft) -> Message:
    """Text, or text and HTML as alternatives; the HTML related to its inline files, and the
    whole mixed with the attached ones. Nested boundaries differ from the draft's in their
    first character, so none is the start of another."""
    message = _part(draft["text"], "plain")
    parts = draft.get("parts") or []
    boundary = draft["boundary"] or _boundary()
    if draft["html"]:
        html = _part(draft["html"], "html")
        inline = [part for part in parts if part["cid"]]
        if inline:
            html = MIMEMultipart("related", boundary="r" + boundary[1:])
            html.attach(_part(draft["html"], "html"))
            for part in inline:
                html.attach(_file(part))
        alternative = MIMEMultipart("alternative", boundary=boundary)
        alternative.attach(message)
        alternative.attach(html)
        message = alternative
    attached = [part for part in parts if not part["cid"]]
    if attached:
        mixed = MIMEMultipart("mixed", boundary="m" + boundary[1:])
        mixed.attach(message)
        for part in attached:
            mixed.attach(_file(part))
        message = mixed
    return message


def _file(part: FilePart) -> Message:
    """One file as a base64 part, inline under its Content-ID or as an attachment."""
    file = Message()
    file.add_header("Content-Type", part["content_type"])
    disposition = "inline" if part["cid"] else "attachment"
    file.add_header("Content-Disposition", disposition, filename=part["filename"])
    if part["cid"]:
        file["Content-ID"] = f"<{part['cid']}>"
    file["Content-Transfer-Encoding"] = "base64"
    data = part["data"]
    file.set_payload("\n".join(data[i : i + 76] for i in range(0, len(data), 76)) + "\n")
    return file


def _as_bytes(message: Message) -> bytes:
    """Headers first (the MIME classes put Content-Type at the top), CRLF line ends."""
    message._headers.sort(key=lambda item: item[0].lower().startswith(("content-", "mime-")))
    return message.as_bytes(policy=_SMTP_COMPAT)


def from_template(
    settings: Settings,
    templates: Templates,
    name: str,
    *,
    language: str,
    to: str,
    to_name: str = "",
    ticket_number: str | None = None,
    in_reply_to: str | None = None,
    reply_to: str | None = None,
    **context: Any,
) -> Composed:
    """Render ``<language>/<name>.subject/.txt(/.html).j2`` and compose the message."""
    context.setdefault("desk", settings.desk)
    html = None
    if templates.has(language, name, "html"):
        html = templates.render(language, name, "html", **context)
    return compose(
        settings,
        to=to,
        to_name=to_name,
        subject=templates.render(language, name, "subject", **context),
        text=templates.render(language, name, "txt", **context),
        html=html,
        language=language,
        ticket_number=ticket_number,
        in_reply_to=in_reply_to,
        reply_to=reply_to,
    )
