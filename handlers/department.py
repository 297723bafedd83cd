"""Department replies: commands on their top lines act on the ticket; any other text is an
answer that the desk sends to the owner (never with the department's own address); the
sender gets a confirmation, or a rejection with its reason."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from daemon import states
from daemon.classify import corrections
from daemon.clock import utcnow
from daemon.i18n import format_when
from daemon.mail import commands, echo, staff
from daemon.sla import approvals, timers
from daemon.store import history
from daemon.store.models import Outbox, Ticket
from handlers.alert import report_major
from handlers.assign import ASSIGNMENT, send_staff_mail
from handlers.context import Done, Item
from handlers.notify import send_owner_mail

EMPTY_REPLY = (
    "your reply was empty (nothing written above the quoted mail): nothing was sent to the owner"
)
"""What the head is told when a reply holds no command and no words of their own."""
TO_OWNER = ("resolved", "extend", "ask")
"""Commands whose argument is sent to the owner."""


class Refused(Exception):
    """A command that cannot be carried out; the reason goes back to the sender."""


def handle(item: Item, ticket: Ticket, role: str) -> None:
    item.ticket = ticket
    found, answer = commands.parse(item.reply_text)
    history.record(
        item.session,
        ticket,
        "department_reply",
        actor=item.sender,
        channel=item.channel,
        text=item.reply_text,
        raw_item=item.raw_item,
    )
    if ticket.butler and item.sender and item.sender.lower() == ticket.butler.lower():
        timers.meet(item.session, ticket, ("butler",), utcnow())
    service = item.settings.departments.get("customer_service")
    if service and service.head and (item.sender or "").lower() == service.head.lower():
        timers.meet(item.session, ticket, ("revisit_in_person",), utcnow())
    report = []
    ours = echo.sent_about(item.session, ticket.id, item.settings.desk.address, item.sender or "")
    for command in found:
        # A command's words for the owner (#resolved, #extend, #ask) name none of our mails.
        argument = command.argument
        if command.name in TO_OWNER:
            argument = ours.strip(argument, lines=False)
        try:
            done = COMMANDS[command.name](item, ticket, argument, role)
            report.append(f"#{command.name}: {done}")
        except Refused as why:
            report.append(f"#{command.name}: REFUSED - {why}")
    if not found:
        answer = ours.strip(answer)
        report.append(_answer(item, ticket, answer) if answer else EMPTY_REPLY)
    send_staff_mail(
        item,
        item.sender,
        "department/confirmation",
        "confirmation",
        department=ticket.department,
        report=report or ["(nothing to do)"],
    )
    raise Done("department_reply", "; ".join(report))


def _need_department(role: str) -> None:
    if role != "department":
        raise Refused("only the department's reply address may do this")


def _accept(item: Item, ticket: Ticket, argument: str, role: str) -> str:
    _need_department(role)
    states.move(item.session, ticket, "investigating", actor=item.sender, channel="email")
    timers.meet(item.session, ticket, ("feedback",), utcnow())
    return "accepted; the ticket is being investigated"


def _resolved(item: Item, ticket: Ticket, argument: str, role: str) -> str:
    _need_department(role)
    if not argument:
        raise Refused("say what was done: #resolved <summary>")
    if why := approvals.unapproved(ticket):
        raise Refused(why)
    states.move(item.session, ticket, "replied", actor=item.sender, channel="email", note=argument)
    ticket.pending = {**(ticket.pending or {}), "satisfaction": True}
    now = utcnow()
    timers.meet(item.session, ticket, timers.RESOLUTION_STEPS, now)
    revisit = item.calendar.add_working_days(now, item.settings.sla.revisit_working_days)
    policy = timers.Policy(item.settings, item.calendar)
    timers.reopen(item.session, ticket, "revisit", revisit, policy, now)
    send_owner_mail(item, "owner/resolved", "resolution", summary=argument)
    return "resolved; the owner has been told and asked for a satisfaction score"


def _reassign(item: Item, ticket: Ticket, argument: str, role: str) -> str:
    _need_department(role)
    target = argument.split()[0].lower() if argument else ""
    known = set(item.settings.routing.categories.values()) | set(item.settings.departments)
    if target not in known:
        raise Refused(f"unknown department {target!r}; known: {', '.join(sorted(known))}")
    old = ticket.department
    head = item.settings.departments.get(target)
    ticket.department, ticket.assignee = target, head.head if head else None
    history.record(
        item.session,
        ticket,
        "reassigned",
        actor=item.sender,
        channel="email",
        data={"from": old, "to": target},
    )
    timers.sync(item.session, ticket, timers.Policy(item.settings, item.calendar), utcnow())
    if ticket.assignee:
        send_staff_mail(
            item, ticket.assignee, ASSIGNMENT, "assignment", department=target, event="assigned"
        )
    return f"reassigned from {old} to {target}"


def _extend(item: Item, ticket: Ticket, argument: str, role: str) -> str:
    _need_department(role)
    days, until_date, reason = commands.extension(argument)
    if days is not None:
        until = item.calendar.add_working_days(utcnow(), days)
    elif until_date is not None:
        local_end = datetime.combine(until_date, item.settings.calendar.day_end)
        until = local_end.replace(tzinfo=item.calendar.tz)
    else:
        raise Refused("give a date (2026-12-20) or a number of working days, then the reason")
    if not reason:
        raise Refused("give the reason: the owner is asked to agree to it")
    step = "repair" if "repair" in (ticket.deadlines or {}) else "resolve"
    current = (ticket.deadlines or {}).get(step)
    if current and until <= datetime.fromisoformat(current):
        raise Refused(f"the {step} deadline is already {current[:10]}: nothing to extend")
    asked = {"step": step, "until": until.isoformat(), "reason": reason, "by": item.sender}
    ticket.pending = {**(ticket.pending or {}), "extension": asked}
    timers.pause(item.session, ticket, timers.Policy(item.settings, item.calendar), utcnow())
    when = format_when(until, ticket.language, item.settings.desk.time_zone)
    send_owner_mail(item, "owner/extension", "extension_request", until=when, reason=reason)
    return f"the owner is asked to agree to {until:%Y-%m-%d} ({reason})"


def _ask(item: Item, ticket: Ticket, argument: str, role: str) -> str:
    """The owner gets the question; the deadlines stop until the owner answers."""
    _need_department(role)
    if not argument:
        raise Refused("write the question: #ask <question>")
    if not ticket.owner_email:
        raise Refused("the ticket has no owner's address to ask")
    ticket.pending = {**(ticket.pending or {}), "question": {"text": argument, "by": item.sender}}
    timers.pause(item.session, ticket, timers.Policy(item.settings, item.calendar), utcnow())
    history.record(
        item.session, ticket, "question_asked", actor=item.sender, channel="email", text=argument
    )
    send_owner_mail(item, "owner/question", "question", question=argument)
    return "the owner has been asked; the deadlines wait for the answer"


def _cost(item: Item, ticket: Ticket, argument: str, role: str) -> str:
    """A cost goes to the approvers of its tier one after another: the first is asked now."""
    _need_department(role)
    value, purpose = commands.amount(argument)
    if value is None or value <= 0:
        raise Refused("give the amount: #cost 1200 <what for>")
    policy = timers.Policy(item.settings, item.calendar)
    try:
        first = approvals.request(
            item.session, ticket, value, purpose, item.sender, policy, utcnow()
        )
    except approvals.Refusal as why:
        raise Refused(str(why)) from why
    _ask_approver(item, ticket, first)
    chain = approvals.pending(ticket)["chain"]
    order = " then ".join(step["title"] for step in chain)
    return f"approval of {value:,.2f} asked from {first.title} ({order}, in that order)"


def _ask_approver(item: Item, ticket: Ticket, approver: approvals.Approver) -> None:
    """The approver in turn gets the request with an approver's signed reply address."""
    cost = approvals.pending(ticket)
    language = staff.reader_language(item.settings, approver.address, ticket.department)
    names = [approvals.title_name(step["title"], language) for step in cost["chain"]]
    row_due = approvals.due(timers.Policy(item.settings, item.calendar), utcnow())
    send_staff_mail(
        item,
        approver.address,
        "staff/approval",
        "approval_request",
        department=ticket.department,
        role="m",
        amount=f"{cost['amount']:,.2f}",
        what_for=cost["purpose"],
        requested_by=cost["by"],
        title=names[cost["turn"]],
        position=cost["turn"] + 1,
        total=len(cost["chain"]),
        approved_by=names[: cost["turn"]],
        later=names[cost["turn"] + 1 :],
        due=format_when(row_due, language, item.settings.desk.time_zone),
    )


def _release(item: Item, ticket: Ticket, approve: bool) -> str:
    pending = dict(ticket.pending)
    held = pending.pop("review")
    ticket.pending = pending or None
    if not approve:
        history.record(
            item.session,
            ticket,
            "answer_rejected",
            actor=item.sender,
            channel="email",
            text=held["text"],
        )
        return "held answer rejected; it was not sent"
    send_owner_mail(item, "owner/answer", "answer", text=held["text"])
    timers.meet(item.session, ticket, ("feedback", "answer"), utcnow())
    return "held answer approved and sent to the owner"


def _decide(item: Item, ticket: Ticket, approve: bool, reason: str) -> str:
    if _about_held_answer(item, ticket):
        return _release(item, ticket, approve)
    policy = timers.Policy(item.settings, item.calendar)
    try:
        decision = approvals.decide(
            item.session, ticket, item.sender, approve, reason, policy, utcnow()
        )
    except approvals.Refusal as why:
        raise Refused(str(why)) from why
    if decision.next is not None:
        _ask_approver(item, ticket, decision.next)
        return f"approval recorded ({decision.approver.title}); {decision.next.title} is asked next"
    _tell_requester(item, ticket, decision, approve, reason)
    if approve:
        return "cost approved by everyone needed; the department has been told"
    return "cost rejected; the department has been told why"


def _about_held_answer(item: Item, ticket: Ticket) -> bool:
    """Whether an #approve / #reject decides the answer held for review rather than a cost:
    it does when the customer-service head sends it, unless a cost waits for them too and they
    replied to a mail about that cost."""
    reviewer = item.settings.departments.get("customer_service")
    sender = item.sender.lower()
    if not (ticket.pending or {}).get("review") or not reviewer:
        return False
    if (reviewer.head or "").lower() != sender:
        return False
    turn = approvals.waiting_on(ticket)
    if turn is None or turn.address.lower() != sender or not item.in_reply_to:
        return True
    purposes = item.session.scalars(
        select(Outbox.purpose).where(
            Outbox.ticket_id == ticket.id, Outbox.message_id.in_(item.in_reply_to)
        )
    )
    return not {"approval_request", "reminder"} & set(purposes)


def _tell_requester(
    item: Item, ticket: Ticket, decision: approvals.Decision, approved: bool, reason: str
) -> None:
    """The department that asked learns the outcome: approved by all, or who rejected and why."""
    cost = decision.cost
    language = staff.reader_language(item.settings, cost["by"], ticket.department)
    send_staff_mail(
        item,
        cost["by"],
        "staff/cost_decision",
        "cost_decision",
        department=ticket.department,
        approved=approved,
        amount=f"{cost['amount']:,.2f}",
        what_for=cost["purpose"],
        title=approvals.title_name(decision.approver.title, language),
        decided_by=item.sender,
        reason=reason,
        approved_by=[approvals.title_name(title, language) for title in cost["approved"]],
    )


def _note(item: Item, ticket: Ticket, argument: str, role: str) -> str:
    if not argument:
        raise Refused("#note needs a text")
    history.record(item.session, ticket, "note", actor=item.sender, channel="email", text=argument)
    return "internal note recorded (not sent to the owner)"


def _reclassify(item: Item, ticket: Ticket, argument: str, role: str) -> str:
    """Staff correct kind/category/severity by mail, as with ``complaintd tickets reclassify``."""
    wanted = commands.fields(argument)
    unknown = sorted(set(wanted) - {"kind", "category", "severity"})
    if not wanted or unknown:
        raise Refused("write #reclassify category=<c> kind=<k> severity=<s>")
    try:
        outcome = corrections.reclassify(
            item.session, ticket, item.sender, "email", settings=item.settings, **wanted
        )
    except corrections.InvalidValue as exc:
        raise Refused(str(exc)) from exc
    if outcome.changed.get("severity", ("", ""))[1] == "major":  # a person decided: confident
        report_major(item, reasons=f"decided by {item.sender}")
    if outcome.department and ticket.assignee:
        send_staff_mail(
            item,
            ticket.assignee,
            ASSIGNMENT,
            "assignment",
            department=ticket.department,
            event="assigned",
        )
    return outcome.summary()


def _answer(item: Item, ticket: Ticket, text: str) -> str:
    reviewer = item.settings.departments.get("customer_service")
    if item.settings.replies.review_department_answers and reviewer and reviewer.head:
        ticket.pending = {**(ticket.pending or {}), "review": {"text": text, "by": item.sender}}
        history.record(
            item.session, ticket, "answer_held", actor=item.sender, channel="email", text=text
        )
        send_staff_mail(
            item,
            reviewer.head,
            "staff/review",
            "review_request",
            department="customer_service",
            role="m",
            text=text,
            requested_by=item.sender,
        )
        timers.meet(item.session, ticket, ("feedback",), utcnow())
        return "answer held for customer service's review"
    send_owner_mail(item, "owner/answer", "answer", text=text)
    timers.meet(item.session, ticket, ("feedback", "answer"), utcnow())
    if ticket.status in ("accepted", "confirmed", "assessed"):
        states.move(item.session, ticket, "investigating", actor=item.sender, channel="email")
    return "answer sent to the owner from the desk"


COMMANDS = {
    "accept": _accept,
    "resolved": _resolved,
    "reassign": _reassign,
    "extend": _extend,
    "cost": _cost,
    "note": _note,
    "ask": _ask,
    "reclassify": _reclassify,
    "approve": lambda item, ticket, argument, role: _decide(item, ticket, True, argument),
    "reject": lambda item, ticket, argument, role: _decide(item, ticket, False, argument),
}
