"""Compose the mails we send: fixed Message-ID, loop headers, and nothing a sender can inject."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING, Any

from daemon.charsets import one_line
from daemon.clock import utcnow
from daemon.config import Settings

if TYPE_CHECKING:
    from daemon.templates import Templates

LOOP_HEADER = "X-Complaintd-Loop"
TICKET_HEADER = "X-Complaintd-Ticket"


def desk_domain(settings: Settings) -> str:
    return settings.desk.address.rpartition("@")[2] or "localhost"


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
    auto_submitted: str = "auto-replied",
) -> EmailMessage:
    """A ready-to-send message; every header value passes through ``one_line`` or Address."""
    desk = settings.desk
    message = EmailMessage(policy=SMTP if to.isascii() else SMTPUTF8)
    message["From"] = Address(one_line(desk.name, 120), addr_spec=desk.address)
    # email.headerregistry.Address refuses non-ASCII local parts (RFC 6532), so pass those bare.
    message["To"] = Address(one_line(to_name, 120), addr_spec=to) if to.isascii() else to
    message["Reply-To"] = desk.address
    message["Subject"] = one_line(subject)
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=desk_domain(settings))
    if in_reply_to:
        message["In-Reply-To"] = f"<{one_line(in_reply_to)}>"
        message["References"] = f"<{one_line(in_reply_to)}>"
    message["Auto-Submitted"] = auto_submitted
    message[LOOP_HEADER] = desk.address
    if ticket_number:
        message[TICKET_HEADER] = ticket_number
    message.set_content(text, cte="quoted-printable" if text.isascii() else "base64")
    if html:
        message.add_alternative(html, subtype="html")
    message["Content-Language"] = language  # after set_content, which drops content headers
    return message


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
    **context: Any,
) -> EmailMessage:
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
    )
