"""Web submissions (the built-in form, external form services, webhooks) become a MIME message,
so that the pipeline numbers, classifies, routes and acknowledges them exactly like mail."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from daemon.charsets import one_line
from daemon.clock import utcnow

CHANNEL_HEADER = "X-Complaintd-Channel"
"""Set on web submissions; trusted only for items whose source is a web source, never mail."""


@dataclass
class Submission:
    """What an owner submitted, whichever way it came in."""

    name: str
    email: str
    description: str
    phone: str = ""
    building: str = ""
    unit: str = ""
    kind: str = ""
    category: str = ""
    subject: str = ""
    language: str = ""
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    reference: str = ""


def to_message(submission: Submission, desk_address: str, channel: str) -> bytes:
    """A message whose body reads like the owner's own words plus the form's fields."""
    message = EmailMessage(policy=SMTP)
    message["From"] = (
        f'"{one_line(submission.name, 120).replace(chr(34), "")}" <{submission.email}>'
    )
    message["To"] = desk_address
    place = " ".join(part for part in (submission.building, submission.unit) if part)
    subject = submission.subject or submission.description.strip().split("\n")[0][:80]
    message["Subject"] = one_line(
        f"{subject} ({place})" if place and place not in subject else subject
    )
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=desk_address.rpartition("@")[2] or "localhost")
    message[CHANNEL_HEADER] = channel
    if submission.language:
        message["Content-Language"] = submission.language
    lines = [submission.description.strip(), ""]
    for label, value in (
        ("Building / 楼栋 / Edificio", submission.building),
        ("Unit / 单元 / Piso", submission.unit),
        ("Phone / 电话 / Teléfono", submission.phone),
        ("Kind", submission.kind),
        ("Category", submission.category),
        ("Reference", submission.reference),
    ):
        if value:
            lines.append(f"{label}: {one_line(value, 200)}")
    message.set_content("\n".join(lines).strip() + "\n")
    for filename, mime, data in submission.files:
        maintype, _, subtype = mime.partition("/")
        message.add_attachment(
            data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=one_line(filename, 200) or "attachment",
        )
    return message.as_bytes()
