"""Build test messages the way owners' mail clients write them."""

from __future__ import annotations

import itertools
from email.message import EmailMessage

_counter = itertools.count(1)


def complaint(
    body: str,
    *,
    subject: str = "Complaint",
    sender: str = "owner@owner.example",
    name: str = "",
    charset: str = "utf-8",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> bytes:
    """A plain complaint; ``attachments`` are (filename, mime type, bytes)."""
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>" if name else sender
    message["To"] = "complaints@desk.example"
    message["Subject"] = subject
    message["Date"] = "Mon, 23 Nov 2026 09:00:00 +0800"
    message["Message-ID"] = message_id or f"<t{next(_counter)}.{id(body)}@owner.example>"
    for key, value in (headers or {}).items():
        message[key] = value
    message.set_content(body, charset=charset)
    for filename, mime, data in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()
