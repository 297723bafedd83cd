"""Parse: raw bytes into subject, sender, readable text and attachments, whatever the charset.

The reading itself is in ``daemon.mail.reading``; the service usually hands the step one made in a
helper process, and the step records what was read.
"""

from __future__ import annotations

from daemon.mail.reading import Unreadable, read
from daemon.store.models import Attachment
from handlers.context import Item, Reject

name = "parse"


def run(item: Item) -> None:
    reading = item.reading
    if reading is None:
        try:
            reading = read(item.raw_item.raw, item.store, headers_only=item.oversize)
        except Unreadable as exc:
            raise Reject(str(exc)) from exc
    item.message = reading.message
    item.message_id = reading.message_id
    item.subject = reading.subject
    item.sender_name, item.sender = reading.sender_name, reading.sender
    item.reply_to = reading.reply_to
    item.in_reply_to = reading.in_reply_to
    item.content_language = reading.content_language
    item.text = reading.text
    item.attachments = [
        Attachment(
            raw_item_id=item.raw_item.id,
            filename=part.filename,
            content_type=part.content_type,
            size=part.size,
            sha256=part.sha256,
            stored=part.stored,
        )
        for part in reading.attachments
    ]
    item.session.add_all(item.attachments)
