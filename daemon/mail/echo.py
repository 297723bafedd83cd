"""Our own words in a reply: what a department's answer repeats of the mails we sent.

A head who answers by mail quotes our assignment, sometimes in ways no quote detection sees
(pasted, re-indented, after an unknown client's header). Before an answer goes to the owner,
every line of a mail we sent that person about the ticket (headings and greetings too), and
every line naming one of our Message-IDs or signed reply addresses, is taken out; the words a
command passes to the owner lose the lines naming our mails.
"""

from __future__ import annotations

import email
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from email import policy

from sqlalchemy import select
from sqlalchemy.orm import Session

from daemon.store.models import Outbox

_QUOTE_MARKS = "> \t|"


def _key(line: str) -> str:
    """A line as compared: NFKC, case-folded, without quote marks and extra spaces."""
    line = unicodedata.normalize("NFKC", line).casefold().lstrip(_QUOTE_MARKS)
    return " ".join(line.split())


def _text_of(row: Outbox) -> str:
    """Subject and plain text of one of our mails, from its draft or its bytes."""
    if row.draft is not None:
        return f"{row.draft.get('subject', '')}\n{row.draft.get('text', '')}"
    if row.raw is None:
        return ""
    message = email.message_from_bytes(row.raw, policy=policy.default)
    body = message.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    return f"{message.get('Subject', '')}\n{text}"


@dataclass(frozen=True)
class OwnText:
    """The lines of the mails a person got from us about a ticket, and the Message-IDs and
    reply-address prefix of all our mails about it."""

    lines: frozenset[str]
    message_ids: frozenset[str]
    reply_address: re.Pattern[str]

    @classmethod
    def of(cls, rows: Iterable[Outbox], desk_address: str, reader: str) -> OwnText:
        """From our mails about a ticket; the lines only of those to ``reader``, whose reply
        can quote no other (the owner's answers hold the department's own earlier words)."""
        lines: set[str] = set()
        ids: set[str] = set()
        for row in rows:
            ids.add(row.message_id.casefold())
            if row.recipient.casefold() == reader.casefold():
                lines.update(k for k in map(_key, _text_of(row).splitlines()) if k)
        local, _, domain = desk_address.casefold().partition("@")
        plus = re.compile(rf"{re.escape(local)}\+\S*@{re.escape(domain)}", re.IGNORECASE)
        return cls(frozenset(lines), frozenset(ids), plus)

    def names_ours(self, line: str) -> bool:
        """Whether the line names one of our Message-IDs or signed reply addresses."""
        if self.reply_address.search(line):
            return True
        key = _key(line)
        return any(message_id in key for message_id in self.message_ids)

    def strip(self, text: str, *, lines: bool = True) -> str:
        """``text`` without the lines naming our Message-IDs or reply addresses and (with
        ``lines``) without lines of our mails; "" when nothing else is left."""
        kept = [
            line
            for line in text.splitlines()
            if not (self.names_ours(line) or (lines and _key(line) in self.lines))
        ]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def sent_about(session: Session, ticket_id: int, desk_address: str, reader: str) -> OwnText:
    """What we wrote about this ticket: every mail queued for it, the lines of those to
    ``reader``."""
    rows = session.scalars(select(Outbox).where(Outbox.ticket_id == ticket_id))
    return OwnText.of(rows, desk_address, reader)
