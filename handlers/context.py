"""What the pipeline steps share: the item in hand and the ways a step can end processing."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from daemon.classify.classifier import Classifier, Decision
    from daemon.config import Settings
    from daemon.intake.prefetch import Prefetched
    from daemon.mail.attachments import AttachmentStore
    from daemon.mail.compose import Composed
    from daemon.mail.reading import Findings, Reading
    from daemon.mail.templates import Templates
    from daemon.sla.calendar import BusinessCalendar
    from daemon.store.models import Attachment, Outbox, RawItem, Ticket


class Done(Exception):
    """A step has decided the item's outcome; later steps must not run."""

    def __init__(self, outcome: str, reason: str = "") -> None:
        super().__init__(f"{outcome}: {reason}" if reason else outcome)
        self.outcome = outcome
        self.reason = reason


class Hold(Done):
    """The item is recorded and answered as far as possible, but kept in quarantine for staff."""

    def __init__(self, reason: str) -> None:
        super().__init__("quarantined", reason)


class Reject(Exception):
    """The item cannot be processed (not mail, no sender...): it goes to quarantine."""


@dataclass
class Item:
    """One raw item on its way through the pipeline, with what each step found out."""

    raw_item: RawItem
    session: Session
    settings: Settings
    store: AttachmentStore
    templates: Templates
    classifier: Classifier
    calendar: BusinessCalendar
    secret: bytes = b""
    channel: str = "email"
    reading: Reading | None = None
    prefetched: Prefetched | None = None
    message: Message | None = None
    message_id: str | None = None
    subject: str = ""
    sender: str | None = None
    sender_name: str = ""
    reply_to: str | None = None
    text: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    content_language: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    oversize: bool = False
    ticket: Ticket | None = None
    language: str = ""
    decision: Decision | None = None
    location: dict[str, str] | None = None
    hot_topic_formed: bool = False
    reply_text: str = ""
    untrusted: bool = False
    linked_to: str | None = None
    _written: str | None = field(default=None, repr=False)

    @property
    def written(self) -> str:
        """What the person wrote, without quoted history, forwarded headers or signature: what
        the language, classify and locate steps read (``text`` stays whole for the record)."""
        if self._written is None:
            found = self.findings
            if found is not None:
                self._written = found.written
            else:
                from daemon.classify.written import own_words

                self._written = own_words(self.text, self.content_language, self.subject)
        return self._written

    @property
    def findings(self) -> Findings | None:
        """What the read-ahead helper found in the same subject and text (language, location,
        the rules' decision), if it read this item."""
        return self.reading.findings if self.reading is not None else None

    def queue_mail(self, mail: Composed, purpose: str, event: str | None = None) -> Outbox:
        """Put a composed mail about the ticket in the outbox and note it in the history."""
        from daemon.mail import outbox
        from daemon.store import history

        row = outbox.add(self.session, mail, purpose=purpose, ticket=self.ticket)
        self.outbox.append(row)
        history.record(
            self.session,
            self.ticket,
            event or purpose,
            channel="email",
            data={"to": mail.recipient, "message_id": row.message_id},
        )
        return row

    def reply_address(self, role: str, recipient: str) -> str:
        """The signed Reply-To for a mail about the ticket in hand to this recipient."""
        from daemon.mail.tokens import reply_address

        return reply_address(self.settings, self.secret, self.ticket.number, role, recipient)

    outbox: list[Outbox] = field(default_factory=list)
    ack_message_id: str | None = None
    hold_reason: str | None = None
