"""Build test messages the way owners' mail clients write them."""

from __future__ import annotations

import itertools
from email.message import EmailMessage

from daemon.intake.base import Incoming

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


def leak_reports(*rooms: int) -> list[Incoming]:
    """One Chinese leak report per room of building 3, each from its own owner: together
    they form a hot topic."""
    raws = [
        complaint(
            f"您好，3栋1单元{room}卫生间水管漏水，请尽快派人维修。",
            subject="卫生间漏水",
            sender=f"owner{room}@owner.example",
        )
        for room in rooms
    ]
    return [Incoming(f"k{room}", raw, len(raw)) for room, raw in zip(rooms, raws, strict=True)]
