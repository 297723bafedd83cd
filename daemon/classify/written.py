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
"""A subject that answers another mail names the old mail's topic, not the new one (a forward's
subject names what is forwarded: it stays)."""


_FORWARDED = re.compile(
    r"^[ \t>]*(?:-{2,}\s*(?:forwarded message|mensaje reenviado|转发邮件|转发的邮件)\s*-*"
    r"|begin forwarded message\s*:|inicio del mensaje reenviado\s*:"
    r"|以下是转发的邮件\s*[:：]?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_ORIGINAL = re.compile(
    r"^[ \t>]*-{2,}\s*(?:original message|mensaje original|原始邮件)\s*-*[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
"""Outlook's marker, above a reply's history and a forward's mail alike: the subject tells."""
_FORWARD_SUBJECT = re.compile(
    r"\s*(?:re\s*[:：]\s*)*(?:fw|fwd|rv|tr|enc|reenviado|转发|轉寄)\s*[:：]", re.IGNORECASE
)
_HEADER = re.compile(
    r"\**(?:from|de|date|fecha|subject|asunto|to|para|sent|enviado|cc|reply-to|发件人|发送时间"
    r"|收件人|主题|日期|时间|抄送)\**\s*[:：].*",
    re.IGNORECASE,
)


_CLOSING = re.compile(
    r"(?:^|(?<=[.!?,;\n。！？，；]))\s*(?:(?:thank you|thanks)"
    r"(?: (?:very|so) much| a lot| in advance| for your (?:help|time|attention))?"
    r"|many thanks|cheers|muchas gracias|mil gracias"
    r"|gracias(?: de antemano| por (?:su|vuestra|tu) (?:atenci[oó]n|ayuda))?|un saludo|saludos"
    r"|谢谢(?:您|你们)?|非常感谢|多谢|麻烦了|辛苦了)[\s!.。！~～,，]*$",
    re.IGNORECASE,
)
"""A closing courtesy on its own ("…, thanks!", "Muchas gracias.", "谢谢！"): manners, not what
the message is (a defect report that ends with thanks is not praise)."""
_MIN_LEFT = 12


def without_closing(text: str) -> str:
    """The text without a closing courtesy sentence, when enough is left to say something."""
    for _ in range(2):
        match = _CLOSING.search(text)
        if match is None or len(text[: match.start()].strip()) < _MIN_LEFT:
            break
        text = text[: match.start()].rstrip()
    return text


def own_words(text: str, language_hint: str = "", subject: str = "") -> str:
    """The new text of a mail body: above (or between) the quotes, without the signature.

    A forward keeps the forwarded mail's words (the owner sends it to us as their matter:
    a lawyer's letter, a neighbour's report) without its header lines.
    """
    hint = language_hint or None
    marker = _forward_marker(text, subject)
    if marker is None:
        return latest_reply(text, hint)
    own = latest_reply(text[: marker.start()], hint) if text[: marker.start()].strip() else ""
    lines = text[marker.end() :].lstrip("\n").split("\n")
    while lines and (not lines[0].strip() or _HEADER.fullmatch(lines[0].strip(" \t>"))):
        lines.pop(0)
    forwarded = latest_reply("\n".join(lines), hint)
    return f"{own}\n\n{forwarded}".strip()


def _forward_marker(text: str, subject: str) -> re.Match[str] | None:
    lowered = text.lower()
    if any(word in lowered for word in ("forward", "reenviado", "转发")):
        found = _FORWARDED.search(text)
        if found is not None:
            return found
    if _FORWARD_SUBJECT.match(subject) and ("original" in lowered or "原始邮件" in text):
        return _ORIGINAL.search(text)
    return None


def for_rules(register: Register, subject: str, written: str, sender_name: str) -> tuple[str, str]:
    """Subject and text as the rules and the model read them: names masked, no closing
    courtesy, and no subject for an answer ("Re: management fees" above a new leak)."""
    if _ANSWERING.match(subject) and not _FORWARD_SUBJECT.match(subject):
        subject = ""
    return register.mask(subject, sender_name), register.mask(without_closing(written), sender_name)
