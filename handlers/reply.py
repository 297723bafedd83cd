"""Reply: an answer sent to a signed reply address is checked before anything else — the token
must be valid for its ticket and its sender, and a department's sender must be on the roster.
What passes goes to the owner's or the department's handling; the rest belongs to staff (see
``handlers.refused``): kept on the ticket, customer service told, nobody acknowledged."""

from __future__ import annotations

from sqlalchemy import select

from daemon.mail import authresults, tokens
from daemon.mail.reading import address
from daemon.mail.replytext import latest_reply, written_text
from daemon.store.models import Ticket
from handlers import department, owner
from handlers.context import Item
from handlers.refused import refuse

name = "reply"
_ADDRESS_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")


def _header_parts(item: Item) -> list[str]:
    found = []
    for header in _ADDRESS_HEADERS:
        for value in item.message.get_all(header, []):
            found.extend(part.strip() for part in str(value).split(","))
    return found


def _may_hold_token(parts: list[str], desk_address: str) -> bool:
    """Whether any part could be a plus address of the desk, so that checking every address
    (the costly part) is worth it: an ASCII one without comments must show ``local+``."""
    plus = desk_address.lower().partition("@")[0] + "+"
    return any(not part.isascii() or "(" in part or plus in part.lower() for part in parts)


def roster(item: Item, ticket: Ticket) -> set[str]:
    """Who may command a ticket: its department's head, members and escalation ladder, the
    customer-service head, the general manager, the configured approvers and the building's
    butler (who answers the front desk on it)."""
    settings = item.settings
    people = set(settings.replies.approvers.values())
    for name_ in (ticket.department, "customer_service"):
        dept = settings.departments.get(name_)
        if dept:
            people.update(filter(None, [dept.head, *dept.members, *dept.escalation]))
    if settings.routing.general_manager:
        people.add(settings.routing.general_manager)
    if ticket.butler:
        people.add(ticket.butler)
    return {p.lower() for p in people}


def authenticated(item: Item) -> bool:
    """With ``replies.require_dkim``, our receiving server (``replies.trusted_authserv_id``) must
    have seen DKIM or DMARC pass for the sender's domain; results anyone else wrote count for
    nothing."""
    replies = item.settings.replies
    if not replies.require_dkim:
        return True
    headers = item.message.get_all("Authentication-Results", [])
    domain = (item.sender or "").rpartition("@")[2]
    return bool(domain) and authresults.passes_for(
        authresults.trusted_results(headers, replies.trusted_authserv_id or ""), domain
    )


def _ticket(item: Item, number: str) -> Ticket | None:
    return item.session.scalar(select(Ticket).where(Ticket.number == number))


def run(item: Item) -> None:
    parts = _header_parts(item)
    if not _may_hold_token(parts, item.settings.desk.address):
        return
    addresses = [address(part)[1] or part.strip("<> ") for part in parts]
    if not tokens.token_addresses(addresses, item.settings.desk.address):
        return
    token = tokens.find(item.settings, item.secret, addresses, item.sender)
    ticket = _ticket(item, token.number) if token is not None else None
    if token is None or ticket is None:
        named = tokens.named_number(addresses, item.settings.desk.address)
        why = "reply address token missing, altered or not the sender's"
        to = next(a for a in addresses if tokens.token_addresses([a], item.settings.desk.address))
        refuse(item, _ticket(item, named) if named else None, why, to)
    # A department's reply counts only for what the head wrote: an empty one is not an answer.
    read = latest_reply if token.role == "owner" else written_text
    item.reply_text = read(item.text)
    if token.role == "owner":
        if (ticket.owner_email or "").lower() != token.recipient:
            refuse(item, ticket, "owner token from another address")
        owner.handle(item, ticket)
    elif token.recipient not in roster(item, ticket):
        refuse(item, ticket, f"{item.sender} is not on the roster of {ticket.department}")
    elif not authenticated(item):
        refuse(item, ticket, "no DKIM/DMARC pass for the sender's domain")
    else:
        department.handle(item, ticket, token.role)
