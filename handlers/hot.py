"""Hot topics (热点): several tickets of one category about one building (of one estate, where
the register names it) within a short window are linked, marked hot, and customer service is
told once when the topic forms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from daemon.store import history
from daemon.store.models import Ticket
from handlers.context import Item

name = "hot"

_TICKETS = Ticket.__table__
_STORED_PEERS = (
    select(_TICKETS.c.id, _TICKETS.c.number, _TICKETS.c.hot_topic, _TICKETS.c.location)
    .where(
        _TICKETS.c.category == bindparam("of_category"),
        _TICKETS.c.building == bindparam("in_building"),
        _TICKETS.c.created_at >= bindparam("since"),
    )
    .order_by(_TICKETS.c.id)
)
"""Four light columns, as Core: most tickets only need to know how many peers there are."""


class _Peer(Protocol):
    id: int | None
    number: str
    hot_topic: str | None
    location: dict[str, str] | None


def _estate(location: dict[str, str] | None) -> str | None:
    return (location or {}).get("estate")


def run(item: Item) -> None:
    ticket = item.ticket
    routing = item.settings.routing
    if not ticket.building:
        return
    # The new ticket is not flushed yet (autoflush is off), so the query finds only its peers;
    # tickets of the same batch that are not flushed yet are among the session's new objects.
    peers = [*_stored_peers(item), *_unflushed_peers(item)]
    if len(peers) + 1 < routing.hot_threshold:
        return
    topic = next((p.hot_topic for p in peers if p.hot_topic), None)
    item.hot_topic_formed = topic is None
    topic = topic or peers[0].number
    for member in _members(item, [*peers, ticket]):
        member.hot_topic = topic
        if member.severity != "major" and not _decided_major(item, member):
            member.severity = "hot"
        history.record(
            item.session,
            member,
            "hot_topic",
            data={"topic": topic, "building": ticket.building, "category": ticket.category},
        )


def _decided_major(item: Item, member: Ticket) -> bool:
    """Major outranks hot: the ticket in hand keeps its decision's major whatever was set."""
    return member is item.ticket and item.decision is not None and item.decision.severity == "major"


def _stored_peers(item: Item) -> list[_Peer]:
    """Flushed peers as rows, or as the session's own ticket when it holds one: an earlier
    item of the batch may have put it in a topic that is not flushed yet."""
    ticket = item.ticket
    session = item.session
    since = ticket.created_at - timedelta(hours=item.settings.routing.hot_window_hours)
    params = {"of_category": ticket.category, "in_building": ticket.building, "since": since}
    rows = session.connection().execute(_STORED_PEERS, params).all()
    estate = _estate(ticket.location)  # "Block 5" of one estate is not "Block 5" of another
    rows = [row for row in rows if _estate(row.location) == estate]
    return [row if row.hot_topic else _held(session, row) or row for row in rows]


def _held(session: Session, peer: _Peer) -> Ticket | None:
    """The session's own object for a stored ticket, if it has loaded it."""
    return session.identity_map.get(session.identity_key(Ticket, peer.id))


def _unflushed_peers(item: Item) -> list[Ticket]:
    ticket = item.ticket
    return sorted(
        (
            new
            for new in item.session.new
            if isinstance(new, Ticket)
            and new is not ticket
            and (new.category, new.building) == (ticket.category, ticket.building)
            and _estate(new.location) == _estate(ticket.location)
        ),
        key=lambda new: new.number,
    )


def _members(item: Item, peers: Sequence[_Peer]) -> list[Ticket]:
    """The tickets that join the topic now (those in none yet), loaded only for this."""
    joining = [peer for peer in peers if not peer.hot_topic]
    ids = [peer.id for peer in joining if not isinstance(peer, Ticket)]
    loaded: dict[int, Ticket] = {}
    if ids:
        loaded = {t.id: t for t in item.session.scalars(select(Ticket).where(Ticket.id.in_(ids)))}
    return [peer if isinstance(peer, Ticket) else loaded[peer.id] for peer in joining]
