"""Owner's answers: the satisfaction score, consent to a longer deadline, or more words for the
ticket — which re-open it when it was closed (or, after ``replies.reopen_days``, start a new
ticket linked to the old one)."""

from __future__ import annotations

import re
from datetime import timedelta

from daemon import states
from daemon.clock import utcnow
from daemon.i18n import format_when
from daemon.mail import staff
from daemon.sla import timers
from daemon.store import history
from daemon.store.models import Ticket
from handlers.assign import send_staff_mail
from handlers.context import Done, Item
from handlers.messages import append, tell_assignee

_SCORE_WORDS = {
    5: ("非常满意", "很满意", "muy satisfecho", "muy satisfecha", "very satisfied", "excellent"),
    4: ("满意", "satisfecho", "satisfecha", "satisfied", "good"),
    2: ("不满意", "insatisfecho", "insatisfecha", "no satisfecho", "unsatisfied", "dissatisfied"),
    1: ("非常不满意", "很不满意", "muy insatisfecho", "very dissatisfied", "very unsatisfied"),
}
UNSATISFIED = 2
"""A rating at or below this (不满意, insatisfecho, unsatisfied) re-opens the ticket."""
_YES = ("yes", "agree", "ok", "同意", "好的", "可以", "是", "sí", "si", "de acuerdo", "acepto")
_NO = ("no", "disagree", "不同意", "不行", "不可以", "否", "no acepto", "rechazo")


_NEGATION = re.compile(r"\b(?:not|never|no|nada|nunca)\b|n't|[不没未]")
"""A "not" just before a word of praise in its clause (not satisfied, no estoy satisfecho,
不太满意) makes it an unsatisfied answer."""
_CLAUSE_END = re.compile(r"[,，.。;；:：!！?？]")


def satisfaction(text: str) -> int | None:
    """A digit 1-5 alone, or the words owners use; the longest matching phrase wins, and praise
    under a negation counts as unsatisfied."""
    first = text.strip().splitlines()[0].strip().lower() if text.strip() else ""
    if re.fullmatch(r"[1-5１-５]\s*[.!。！]?(\s*分)?", first):
        return int(first[0].translate(str.maketrans("１２３４５", "12345")))
    best = None
    for score, words in _SCORE_WORDS.items():
        for word in words:
            at = first.find(word)
            if at >= 0 and (best is None or len(word) > len(best[1])):
                best = (score, word, at)
    if best is None:
        return None
    score, _, at = best
    clause = _CLAUSE_END.split(first[:at])[-1][-16:]
    return UNSATISFIED if score > UNSATISFIED and _NEGATION.search(clause) else score


def consent(text: str) -> bool | None:
    first = text.strip().splitlines()[0].strip().lower().rstrip(".!。！") if text.strip() else ""
    if first in _NO or any(first.startswith(w + " ") for w in _NO):
        return False
    if first in _YES or any(first.startswith(w + " ") for w in _YES):
        return True
    return None


def handle(item: Item, ticket: Ticket) -> None:
    item.ticket = ticket
    pending = dict(ticket.pending or {})
    text = item.reply_text
    if pending.get("satisfaction") and (score := satisfaction(text)) is not None:
        ticket.satisfaction = score
        pending.pop("satisfaction")
        ticket.pending = pending or None
        history.record(
            item.session,
            ticket,
            "satisfaction",
            actor=item.sender,
            channel=item.channel,
            text=text,
            data={"score": score},
            raw_item=item.raw_item,
        )
        _revisited(item, ticket, score)
        raise Done("appended", f"satisfaction {score}")
    if "question" in pending:
        _answer_question(item, ticket, pending)
        raise Done("appended", "question answered")
    if "extension" in pending and (agreed := consent(text)) is not None:
        _answer_extension(item, ticket, pending, agreed)
        raise Done("appended", "extension answered")
    closed_long_ago = (
        ticket.status in states.CLOSED
        and ticket.closed_at is not None
        and (utcnow() - ticket.closed_at > timedelta(days=item.settings.replies.reopen_days))
    )
    if closed_long_ago:
        item.linked_to = ticket.number
        item.ticket = None
        return
    append(item, ticket)
    tell_assignee(item, ticket, "message")
    raise Done("appended", ticket.number)


def _revisited(item: Item, ticket: Ticket, score: int) -> None:
    """The owner's rating closes and revisits the ticket, and the department is told (信息反馈);
    an unsatisfied owner re-opens it and the customer-service head revisits them in person."""
    now, actor, channel = utcnow(), item.sender, item.channel
    states.move(item.session, ticket, "closed", actor=actor, channel=channel)
    timers.meet(item.session, ticket, ("revisit",), now)
    ticket.revisited_at = now
    states.move(item.session, ticket, "revisited", actor=actor, channel=channel)
    unsatisfied = score <= UNSATISFIED
    head = item.settings.departments.get(ticket.department)
    told = ticket.assignee or (head.head if head else None)
    if told:
        send_staff_mail(
            item,
            told,
            "department/satisfaction",
            "satisfaction_feedback",
            department=ticket.department,
            score=score,
            text=item.reply_text,
            unsatisfied=unsatisfied,
        )
    if not unsatisfied:
        states.move(item.session, ticket, "fed_back", actor="complaintd", channel="email")
        return
    states.move(
        item.session,
        ticket,
        "investigating",
        actor=actor,
        channel=channel,
        note="re-opened: the owner is not satisfied",
    )
    history.record(item.session, ticket, "reopened", actor=actor, channel=channel)
    due = item.calendar.add_working_days(now, item.settings.sla.revisit_in_person_working_days)
    policy = timers.Policy(item.settings, item.calendar)
    timers.reopen(item.session, ticket, "revisit_in_person", due, policy, now)
    service = item.settings.departments.get("customer_service")
    if service and service.head:
        send_staff_mail(
            item,
            service.head,
            "staff/revisit_in_person",
            "revisit_in_person",
            department="customer_service",
            score=score,
            text=item.reply_text,
            due=format_when(
                due,
                staff.reader_language(item.settings, service.head, "customer_service"),
                item.settings.desk.time_zone,
            ),
        )


def _answer_question(item: Item, ticket: Ticket, pending: dict) -> None:
    """The owner's answer to a department's ``#ask``: the clock runs again, moved on by the
    business time it waited, and the department gets the answer."""
    asked = pending.pop("question")
    ticket.pending = pending or None
    paused = timers.resume(
        item.session, ticket, timers.Policy(item.settings, item.calendar), utcnow()
    )
    append(item, ticket)
    history.record(
        item.session,
        ticket,
        "question_answered",
        actor=item.sender,
        channel=item.channel,
        data={"question": asked["text"], "paused_business_hours": round(paused / 3600, 2)},
    )
    tell_assignee(item, ticket, "question_answered")


def _answer_extension(item: Item, ticket: Ticket, pending: dict, agreed: bool) -> None:
    asked = pending.pop("extension")
    ticket.pending = pending or None
    policy = timers.Policy(item.settings, item.calendar)
    timers.resume(item.session, ticket, policy, utcnow())  # the clock waited for this answer
    if agreed:
        ticket.deadlines = {**(ticket.deadlines or {}), asked["step"]: asked["until"]}
        timers.renew(item.session, ticket, asked["step"], policy, utcnow())
    history.record(
        item.session,
        ticket,
        "extension_agreed" if agreed else "extension_refused",
        actor=item.sender,
        channel=item.channel,
        text=item.reply_text,
        data=asked,
        raw_item=item.raw_item,
    )
    tell_assignee(item, ticket, "extension_agreed" if agreed else "extension_refused")
