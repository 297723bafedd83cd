"""Hot topics (热点): several tickets of one category about one building within a short window
are linked, marked hot, and customer service is told once when the topic forms."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from daemon.models import Event, Ticket
from handlers.context import Item

name = "hot"


def run(item: Item) -> None:
    ticket = item.ticket
    routing = item.settings.routing
    if not ticket.building:
        return
    # The new ticket is not flushed yet (autoflush is off), so the query finds only its peers;
    # tickets of the same batch that are not flushed yet are among the session's new objects.
    since = ticket.created_at - timedelta(hours=routing.hot_window_hours)
    peers = list(
        item.session.scalars(
            select(Ticket)
            .where(
                Ticket.category == ticket.category,
                Ticket.building == ticket.building,
                Ticket.created_at >= since,
            )
            .order_by(Ticket.id)
        )
    )
    peers += sorted(
        (
            new
            for new in item.session.new
            if isinstance(new, Ticket)
            and new is not ticket
            and (new.category, new.building) == (ticket.category, ticket.building)
        ),
        key=lambda new: new.number,
    )
    if len(peers) + 1 < routing.hot_threshold:
        return
    topic = next((p.hot_topic for p in peers if p.hot_topic), None)
    item.hot_topic_formed = topic is None
    topic = topic or peers[0].number
    for member in [*peers, ticket]:
        if member.hot_topic:
            continue
        member.hot_topic = topic
        if member.severity != "major":
            member.severity = "hot"
        item.session.add(
            Event(
                ticket=member,
                actor="complaintd",
                channel="system",
                kind="hot_topic",
                data={"topic": topic, "building": ticket.building, "category": ticket.category},
            )
        )
