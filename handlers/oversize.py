"""Oversize: mail over the size limit is kept (headers only); the owner learns another way in."""

from __future__ import annotations

from daemon.mail import outbox
from daemon.mail.compose import from_template
from handlers.context import Hold, Item
from handlers.language import detect

name = "oversize"


def _mb(size: int) -> str:
    """Megabytes with enough digits that a limit below 1 MB does not read as "0.0 MB"."""
    megabytes = size / 1_048_576
    return f"{megabytes:.1f}" if megabytes >= 1 else f"{megabytes:.3f}"


def run(item: Item) -> None:
    if not item.oversize:
        return
    settings = item.settings
    size, limit = item.raw_item.size, settings.storage.max_message_bytes
    reason = (
        f"message of {_mb(size)} MB is over the {_mb(limit)} MB limit; only its headers were kept"
    )
    if not item.sender:
        raise Hold(reason)
    language = detect(item.subject, item.content_language, settings.desk.default_language)
    message = from_template(
        settings,
        item.templates,
        "owner/oversize",
        language=language,
        to=item.reply_to or item.sender,
        to_name=item.sender_name,
        in_reply_to=item.message_id,
        owner_name=item.sender_name,
        subject=item.subject,
        size_mb=_mb(size),
        limit_mb=_mb(limit),
    )
    item.outbox.append(outbox.add(item.session, message, purpose="oversize_notice"))
    raise Hold(reason)
