"""Only what the person wrote is classified: quoted history, forwarded headers and signatures go.

A top-posted reply about a leaking pipe above a quoted notice about fees is about the pipe. The
language, classify and locate steps read this text (as does the read-ahead helper); the whole
body stays in the record.
"""

from __future__ import annotations

import re

from daemon.classify.names import Register
from daemon.mail.replytext import latest_reply

_ANSWERING = re.compile(
    r"\s*(?:re|aw|rv|fw|fwd|tr|r|res|enc|reenviado|回复|回覆|答复|转发|轉寄)\s*[:：]", re.IGNORECASE
)
"""A subject that answers or forwards another mail names the old mail's topic, not the new."""


def own_words(text: str, language_hint: str = "") -> str:
    """The new text of a mail body: above (or between) the quotes, without the signature."""
    return latest_reply(text, language_hint or None)


def for_rules(
    register: Register, subject: str, written: str, sender_name: str
) -> tuple[str, str]:
    """Subject and text as the rules and the model read them: names masked, and no subject
    for an answer or a forward ("Re: management fees" above a new leak)."""
    if _ANSWERING.match(subject):
        subject = ""
    return register.mask(subject, sender_name), register.mask(written, sender_name)
