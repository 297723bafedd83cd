"""Web submissions (the built-in form, external form services, webhooks) become a MIME message,
so that the pipeline numbers, classifies, routes and acknowledges them exactly like mail."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from daemon.classify.language import detect
from daemon.clock import utcnow
from daemon.mail.charsets import one_line
from daemon.mail.compose import CATEGORY_HEADER, KIND_HEADER

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


LABELS = {
    "en": {"phone": "Phone", "ref": "Reference"},
    "zh": {"phone": "电话", "ref": "编号"},
    "es": {"phone": "Teléfono", "ref": "Referencia"},
}


def _place(language: str, building: str, unit: str) -> str:
    """Building and unit written the way an owner of that language writes them, so that the
    location step reads them like words in a mail ("3栋1502", "Edificio 3, piso 2ºB")."""
    building, unit = one_line(building, 60), one_line(unit, 60)
    if language == "zh":
        suffix = "" if not building or building.endswith(("栋", "号楼", "幢", "座")) else "栋"
        return f"{building}{suffix}{unit}"
    if language == "es":
        return ", ".join(
            filter(
                None, (f"Edificio {building}" if building else "", f"piso {unit}" if unit else "")
            )
        )
    return ", ".join(
        filter(None, (f"Building {building}" if building else "", f"Unit {unit}" if unit else ""))
    )


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
    if submission.kind:
        message[KIND_HEADER] = one_line(submission.kind, 32)
    if submission.category:
        message[CATEGORY_HEADER] = one_line(submission.category, 32)
    language = submission.language or detect(submission.description)
    labels = LABELS.get(language, LABELS["en"])
    lines = [submission.description.strip(), ""]
    if place:
        lines.append(_place(language, submission.building, submission.unit))
    for label, value in (
        (labels["phone"], submission.phone),
        (labels["ref"], submission.reference),
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
