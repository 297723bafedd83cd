"""Cost approval that holds (seed 001 §3.6.1, §2.7): a ``#cost`` is approved by the titles of its
amount's tier one after another; the next is asked only after the one before approved, a
rejection ends the chain. The approver in turn has a deadline (the ``approval`` row, a new round
per approver) that the scheduler reminds and escalates like any other.

The state lives in ``Ticket.pending["cost"]``; the mails are the caller's (the department
handler), so that this module stays below ``handlers``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from daemon.config import Settings
from daemon.sla import timers
from daemon.store import history
from daemon.store.models import Deadline, Ticket

STEP = "approval"
"""The deadline row of the approver whose turn it is."""

TITLE_NAMES = {
    "cs_manager": {"zh": "客户服务部经理", "es": "jefe de atención al cliente", "en": "CS manager"},
    "deputy_chief_engineer": {
        "zh": "分管工程质量的副总工程师",
        "es": "ingeniero jefe adjunto",
        "en": "deputy chief engineer",
    },
    "deputy_gm": {"zh": "副总经理", "es": "director general adjunto", "en": "deputy GM"},
    "gm": {"zh": "总经理", "es": "director general", "en": "general manager"},
    "audit": {"zh": "审计核算部", "es": "auditoría", "en": "audit"},
}
"""Approver titles as the mails name them; a title of your own is shown as written."""


class Refusal(Exception):
    """The cost command cannot be carried out; the message says why, for the sender."""


@dataclass(frozen=True)
class Approver:
    title: str
    address: str


def title_name(title: str, language: str) -> str:
    names = TITLE_NAMES.get(title, {})
    return names.get(language) or names.get("en") or title


def holder(settings: Settings, title: str) -> str | None:
    """Who holds an approver title: ``replies.approvers``, else for cs_manager the
    customer-service head and for gm the general manager."""
    if settings.replies.approvers.get(title):
        return settings.replies.approvers[title]
    if title == "cs_manager":
        service = settings.departments.get("customer_service")
        return service.head if service else None
    if title == "gm":
        return settings.routing.general_manager
    return None


def chain_for(settings: Settings, amount: float) -> list[Approver]:
    """The approvers of the amount's tier, in the order they are asked."""
    tier = next(t for t in settings.approvals.tiers if t.up_to is None or amount <= t.up_to)
    missing = [title for title in tier.chain if not holder(settings, title)]
    if missing:
        keys = ", ".join(f"replies.approvers.{title}" for title in missing)
        raise Refusal(f"no approver configured for {', '.join(missing)} (set {keys})")
    return [Approver(title, holder(settings, title) or "") for title in tier.chain]


def pending(ticket: Ticket) -> dict | None:
    """The cost waiting for approval on the ticket, if any (one asked before approvals ran in
    order is read as a chain: those who approved first, then the others in their order)."""
    cost = (ticket.pending or {}).get("cost")
    if cost and "chain" not in cost:
        needed = cost.get("needed", {})
        done = [title for title in needed if title in cost.get("approved", [])]
        order = done + [title for title in needed if title not in done]
        chain = [{"title": title, "address": needed[title]} for title in order]
        cost = {**cost, "chain": chain, "turn": len(done), "approved": done}
        ticket.pending = {**ticket.pending, "cost": cost}
    return cost if cost and cost["chain"] else None


def waiting_on(ticket: Ticket) -> Approver | None:
    """The approver whose turn it is (the one reminded), if a cost is pending."""
    cost = pending(ticket)
    if not cost or not cost["chain"]:
        return None
    return Approver(**cost["chain"][cost["turn"]])


def unapproved(ticket: Ticket) -> str | None:
    """Why the ticket may not be resolved yet (its cost is not approved), or None."""
    cost = pending(ticket)
    if not cost:
        return None
    turn = waiting_on(ticket)
    who = f" by {turn.title} ({cost['turn'] + 1} of {len(cost['chain'])})" if turn else ""
    return (
        f"the cost of {cost['amount']:,.2f} ({cost['purpose'] or 'no purpose given'}) is "
        f"still waiting for approval{who}: resolve the ticket once it is approved"
    )


def request(
    session: Session,
    ticket: Ticket,
    amount: float,
    purpose: str,
    by: str,
    policy: timers.Policy,
    now: datetime,
) -> Approver:
    """Start the chain for a cost: the first approver's turn and deadline; returns them."""
    if cost := pending(ticket):
        raise Refusal(
            f"a cost of {cost['amount']:,.2f} is already waiting for approval: "
            "wait for its decision before asking for another"
        )
    chain = chain_for(policy.settings, amount)
    cost = {
        "amount": amount,
        "purpose": purpose,
        "by": by,
        "chain": [{"title": a.title, "address": a.address} for a in chain],
        "turn": 0,
        "approved": [],
    }
    ticket.pending = {**(ticket.pending or {}), "cost": cost}
    history.record(
        session,
        ticket,
        "cost_requested",
        actor=by,
        channel="email",
        text=f"{amount:,.2f} {purpose}".strip(),
        data={"amount": amount, "chain": [a.title for a in chain]},
    )
    _open_turn(session, ticket, policy, now)
    return chain[0]


@dataclass(frozen=True)
class Decision:
    """What an approver's answer did: ``next`` is asked now (None: the chain is over)."""

    cost: dict
    approver: Approver
    next: Approver | None = None


def decide(
    session: Session,
    ticket: Ticket,
    sender: str,
    approve: bool,
    reason: str,
    policy: timers.Policy,
    now: datetime,
) -> Decision:
    """The answer of the approver in turn: approve (the next is asked, or the cost is approved)
    or reject with a reason (the chain ends). Anyone else is refused with the reason."""
    cost = pending(ticket)
    if not cost or not cost["chain"]:
        raise Refusal("there is nothing waiting for approval on this ticket")
    turn = waiting_on(ticket)
    _check_turn(cost, turn, sender)
    if not approve and not reason:
        raise Refusal("give the reason, the department is told it: #reject <why>")
    rest = dict(ticket.pending)
    if not approve:
        rest.pop("cost")
        ticket.pending = rest or None
        _close(session, ticket, now)
        history.record(
            session,
            ticket,
            "cost_rejected",
            actor=sender,
            channel="email",
            text=reason,
            data={"amount": cost["amount"], "title": turn.title},
        )
        return Decision(cost, turn)
    cost = {**cost, "approved": [*cost["approved"], turn.title], "turn": cost["turn"] + 1}
    history.record(
        session,
        ticket,
        "cost_step_approved",
        actor=sender,
        channel="email",
        text=turn.title,
        data={"amount": cost["amount"], "title": turn.title},
    )
    if cost["turn"] < len(cost["chain"]):
        ticket.pending = {**rest, "cost": cost}
        _open_turn(session, ticket, policy, now)
        return Decision(cost, turn, waiting_on(ticket))
    rest.pop("cost")
    ticket.pending = rest or None
    _close(session, ticket, now)
    history.record(
        session,
        ticket,
        "cost_approved",
        actor=sender,
        channel="email",
        text=f"{cost['amount']:,.2f} {cost['purpose']}".strip(),
        data={"amount": cost["amount"], "approved": cost["approved"]},
    )
    return Decision(cost, turn)


def _check_turn(cost: dict, turn: Approver | None, sender: str) -> None:
    """Only the approver in turn answers; the others are told where the chain stands."""
    sender = sender.lower()
    if turn is not None and turn.address.lower() == sender:
        return
    positions = [i for i, a in enumerate(cost["chain"]) if a["address"].lower() == sender]
    waiting = turn.title if turn else "nobody"
    if not positions:
        raise Refusal("you are not an approver of this cost")
    if all(i < cost["turn"] for i in positions):
        raise Refusal(f"you have already approved this cost; it now waits for {waiting}")
    raise Refusal(f"not your turn yet: the cost waits for {waiting} first")


def due(policy: timers.Policy, now: datetime) -> datetime:
    """When an approver asked now must have answered (``[approvals]``)."""
    settings = policy.settings.approvals
    if settings.business_hours is not None:
        return policy.calendar.add_business_hours(now, settings.business_hours)
    return policy.calendar.add_working_days(now, settings.working_days)


def _open_turn(session: Session, ticket: Ticket, policy: timers.Policy, now: datetime) -> None:
    """The approver in turn gets a fresh deadline: the ticket's ``approval`` row, a new round
    (so its reminders and escalations are keyed apart from the previous approver's)."""
    row = _row(session, ticket)
    if row is None:
        row = Deadline(ticket=ticket, step=STEP, department=ticket.department, round=0)
        session.add(row)
    else:
        row.round += 1
    row.department, row.created_at, row.due_at = ticket.department, now, due(policy, now)
    row.stage, row.escalated_at, row.met_at = 0, None, None
    timers.reschedule(row, ticket, policy)


def _row(session: Session, ticket: Ticket) -> Deadline | None:
    """The ticket's approval row, also when it was added earlier in this unflushed session."""
    for obj in session.new:
        if isinstance(obj, Deadline) and obj.ticket is ticket and obj.step == STEP:
            return obj
    return next((r for r in timers.rows(session, ticket) if r.step == STEP), None)


def _close(session: Session, ticket: Ticket, now: datetime) -> None:
    """The approver in turn answered: their deadline is met."""
    row = _row(session, ticket)
    if row is not None and row.met_at is None:
        row.met_at, row.next_at = now, None
